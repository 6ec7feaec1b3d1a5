/**
 * `npm run demo`: a real MCP server protected by mcp-auth-config, a real authorization server,
 * and the official MCP SDK client going through the whole flow, all on 127.0.0.1.
 * `npm run demo -- --serve` keeps the servers running for another MCP client.
 */
import { startDevIssuer } from './support/dev-issuer.js';
import { callToolWithStepUp, connectWithOAuth } from './support/oauth-client.js';
import { start } from './fastify.js';

const serve = process.argv.includes('--serve');
const step = (text: string) => console.log(`  → ${text}`);

console.log('mcp-auth-config demo\n');
const issuer = await startDevIssuer({ resources: {} });
const server = await start({
  port: serve ? Number(process.env.PORT ?? 3000) : 0,
  env: { ...process.env, ISSUER_URL: issuer.issuer },
});
issuer.addResource(server.url, ['read:notes', 'write:notes']);
console.log(`authorization server (oidc-provider): ${issuer.issuer}`);
console.log(`MCP server (Fastify + mcp-auth-config): ${server.url}\n`);

if (serve) {
  console.log(
    'Serving. Connect an MCP client to the MCP server URL (dev login: any user name and password).',
  );
  console.log('Press Ctrl+C to stop.');
  process.on('SIGINT', () => void Promise.all([server.close(), issuer.close()]).then(() => process.exit(0)));
} else {
  let ctx;
  try {
    console.log('1. connect (official MCP SDK client, scripted browser for login and consent)');
    ctx = await connectWithOAuth({ serverUrl: server.url, sdk: 'v1', log: step });
    console.log('\n2. tools/list');
    const { tools } = await ctx.client.listTools();
    step(`tools: ${tools.map((t) => t.name).join(', ')}`);
    console.log('\n3. read_note (needs read:notes)');
    const read = await callToolWithStepUp(ctx, 'read_note', { id: '1' });
    step(`result: ${read.content[0]?.text}`);
    console.log('\n4. delete_note (needs write:notes: 403 insufficient_scope, then step-up)');
    const deleted = await callToolWithStepUp(ctx, 'delete_note', { id: '1' });
    step(`result: ${deleted.content[0]?.text}`);
    console.log('\n5. whoami (the identity the tool handler received as extra.authInfo)');
    const me = await callToolWithStepUp(ctx, 'whoami');
    step(`${me.content[0]?.text}`);
    console.log('\n✓ demo finished');
  } finally {
    await ctx?.client.close();
    await server.close();
    await issuer.close();
  }
}
