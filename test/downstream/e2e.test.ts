/**
 * End to end: the official MCP SDK client completes the OAuth flow against the dev issuer (real
 * oidc-provider), calls a tool of an Express + McpServer app protected by mcp-auth-config, and
 * the tool calls a downstream API with `auth.downstreamToken(extra.authInfo, 'notes-api')`,
 * exchanged at a second oidc-provider that trusts the dev issuer's tokens.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDevIssuer, type DevIssuer } from '../../examples/support/dev-issuer.js';
import { callToolWithStepUp, connectWithOAuth } from '../../examples/support/oauth-client.js';
import { listen } from '../../examples/support/notes-server.js';
import { metadataRouter, requireAuth } from '../../src/adapters/express.js';
import { compile, type McpAuth } from '../../src/index.js';
import { startDownstreamApi, startExchangeIssuer, type ExchangeIssuer } from '../support/exchange-issuer.js';

const GRANTS = ['urn:ietf:params:oauth:grant-type:token-exchange'];
let issuer: DevIssuer;
let exchange: ExchangeIssuer;
let api: Awaited<ReturnType<typeof startDownstreamApi>>;
let auth: McpAuth;
let close: () => Promise<void>;
let url: string;

beforeAll(async () => {
  issuer = await startDevIssuer({ resources: {} });
  exchange = await startExchangeIssuer({
    trust: { issuer: issuer.issuer, jwksUri: issuer.jwksUri },
    audiences: ['notes-api'],
    clients: [{ client_id: 'mcp-server', client_secret: 'e2e-secret', grant_types: GRANTS }],
  });
  api = await startDownstreamApi({
    issuer: exchange.issuer,
    jwksUri: exchange.jwksUri,
    audience: 'notes-api',
  });
  const { server, base } = await listen(0);
  url = `${base}/mcp`;
  issuer.addResource(url, ['read:notes']);
  auth = await compile(
    {
      issuers: {
        dev: { issuer: issuer.issuer, type: 'oidc' },
        xchg: { issuer: exchange.issuer, type: 'oidc' },
      },
      resources: [
        {
          resource: url,
          authorizationServers: ['dev'],
          scopesSupported: ['read:notes'],
          token: { requiredScopes: ['read:notes'] },
        },
      ],
      downstream: {
        'notes-api': {
          issuer: 'xchg',
          grant: 'token-exchange',
          audience: 'notes-api',
          clientId: 'mcp-server',
          clientAuth: { method: 'client_secret_basic', secretEnv: 'NOTES_SECRET' },
        },
      },
    },
    { env: { NOTES_SECRET: 'e2e-secret' } },
  );
  const app = express();
  app.use(metadataRouter(auth));
  app.all('/mcp', express.json(), requireAuth(auth), async (req, res) => {
    const mcp = new McpServer({ name: 'notes', version: '1.0.0' });
    mcp.registerTool(
      'my_notes',
      { description: 'Notes of the caller, from the notes API' },
      async (extra) => {
        const { accessToken } = await auth.downstreamToken(extra.authInfo!, 'notes-api');
        const answer = await fetch(`${api.url}/whoami`, {
          headers: { authorization: `Bearer ${accessToken}` },
        });
        return { content: [{ type: 'text', text: `${answer.status} ${await answer.text()}` }] };
      },
    );
    const transport = new StreamableHTTPServerTransport({});
    res.on('close', () => void transport.close());
    await mcp.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  server.on('request', app);
  close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
});
afterAll(async () => {
  await close?.();
  await auth?.close();
  await api?.close();
  await exchange?.close();
  await issuer?.close();
});

it("calls the downstream API as the signed-in user, with one exchange for the session's token", async () => {
  const ctx = await connectWithOAuth({ serverUrl: url, sdk: 'v1' });
  try {
    const before = exchange.tokenRequests();
    const first = await callToolWithStepUp(ctx, 'my_notes');
    const text = first.content.map((c) => c.text ?? '').join('');
    expect(text).toMatch(/^200 /);
    const body = JSON.parse(text.slice(4)) as { sub: string };
    expect(body.sub).toBe('dev-user');
    expect(exchange.exchanges.at(-1)).toMatchObject({
      clientId: 'mcp-server',
      sub: 'dev-user',
      audience: 'notes-api',
    });
    await callToolWithStepUp(ctx, 'my_notes');
    expect(exchange.tokenRequests() - before).toBe(1);
  } finally {
    await ctx.client.close();
  }
});
