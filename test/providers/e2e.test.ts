/**
 * The `auth0` preset end to end with a real client: the real oidc-provider reproduces Auth0's
 * trailing-slash issuer (`http://127.0.0.1:<port>/`, as `https://<domain>/`), the MCP resource URL
 * is the API identifier (the token's `aud`), and the official MCP SDK v1 client goes through the
 * whole OAuth flow against an Express server whose manifest says only `preset: auth0`.
 */
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metadataRouter, requireAuth } from '../../src/adapters/express.js';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import type { DevIssuer } from '../../examples/support/dev-issuer.js';
import {
  createNotesServer,
  listen,
  running,
  type RunningExample,
} from '../../examples/support/notes-server.js';
import {
  callToolWithStepUp,
  connectWithOAuth,
  type OAuthConnection,
} from '../../examples/support/oauth-client.js';
import {
  listToolsWith,
  NOTES_SCOPES as SCOPES,
  startOAuthFlow,
  textOf,
  toolJson,
  type OAuthFlowSetup,
} from '../support/oauth-flow.js';

/** An Express MCP server protected by a manifest whose only issuer is `preset: auth0` at `domain`. */
async function startServer(domain: string): Promise<RunningExample> {
  const { server, base } = await listen(0);
  const resource = `${base}/mcp`;
  const auth: McpAuth = await compile({
    issuers: { a0: { preset: { name: 'auth0', domain } } },
    resources: [
      {
        resource,
        authorizationServers: ['a0'],
        scopesSupported: SCOPES,
        token: { requiredScopes: ['read:notes'] },
        tools: { delete_note: { requiredScopes: ['write:notes'] } },
      },
    ],
  });
  const app = express();
  app.use(metadataRouter(auth));
  app.all('/mcp', express.json(), requireAuth(auth), async (req, res) => {
    const transport = new StreamableHTTPServerTransport({});
    res.on('close', () => void transport.close());
    await createNotesServer().connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  server.on('request', app);
  return running(server, base, () => auth.close());
}

describe('auth0 preset with the MCP SDK client and oidc-provider', () => {
  let flow: OAuthFlowSetup | undefined;
  let tenant: DevIssuer;
  let stranger: DevIssuer;
  let server: RunningExample;
  let ctx: OAuthConnection | undefined;

  beforeAll(async () => {
    // The preset's `domain` as an origin: the loopback tenant, expanded to `<origin>/`. The API
    // identifier is the MCP resource URL, as the preset (and MCP clients) expect.
    flow = await startOAuthFlow((issuer) => startServer(new URL(issuer.issuer).origin), {
      trailingSlash: true,
    });
    ({ issuer: tenant, stranger, server } = flow);
  });
  afterAll(async () => {
    await ctx?.client.close();
    await flow?.close();
  });

  it('completes the OAuth flow, calls a read tool and steps up for the write tool', async () => {
    expect(tenant.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const prm = (await (
      await fetch(new URL('/.well-known/oauth-protected-resource/mcp', server.url))
    ).json()) as { authorization_servers: string[] };
    expect(prm.authorization_servers).toEqual([tenant.issuer]);

    const lines: string[] = [];
    ctx = await connectWithOAuth({ serverUrl: server.url, sdk: 'v1', log: (l) => lines.push(l) });
    expect(lines.some((l) => l.startsWith('401 challenge received'))).toBe(true);

    const { tools } = await ctx.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['delete_note', 'read_note', 'whoami']);
    expect(textOf(await callToolWithStepUp(ctx, 'read_note', { id: '1' }))).toBe('Buy milk');

    const me = await toolJson(ctx, 'whoami');
    expect(me.issuer).toBe(tenant.issuer);
    expect(me.clientId).toBe(ctx.provider.clientInformation()?.client_id);
    expect(me.scopes).toEqual(['read:notes']);

    expect(textOf(await callToolWithStepUp(ctx, 'delete_note', { id: '1' }))).toBe('deleted 1');
    expect(lines.some((l) => l.includes('insufficient_scope'))).toBe(true);
    const after = await toolJson<{ scopes: string[] }>(ctx, 'whoami');
    expect(after.scopes).toEqual(expect.arrayContaining(SCOPES));
  });

  it('refuses a token for the same resource from another issuer with 401', async () => {
    const token = await stranger.clientCredentialsToken({ resource: server.url, scope: 'read:notes' });
    const res = await listToolsWith(server.url, token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(res.headers.get('www-authenticate')).toContain('issuer is not trusted');
  });
});
