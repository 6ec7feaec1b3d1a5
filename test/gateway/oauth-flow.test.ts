/**
 * The whole flow through the gateway with nothing written here in the path of a request: the
 * official MCP SDK clients (v1 `@modelcontextprotocol/sdk`, v2 `@modelcontextprotocol/client`)
 * discover and complete OAuth against the real `oidc-provider`, then talk to the real
 * `server-everything` behind `mcp-auth serve`'s gateway: tools/list, a tool call, and a per-tool
 * step-up (`get-sum` needs `mcp:sum` on top of `mcp:read`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIssuer, type DevIssuer } from '../../examples/support/dev-issuer.js';
import { callToolWithStepUp, connectWithOAuth } from '../../examples/support/oauth-client.js';
import { serveGateway, type Gateway } from '../../src/gateway/serve.js';
import { compile } from '../../src/runtime/compile.js';
import { closedPort } from '../support/servers.js';
import { startEverything, type ChildUpstream } from './support.js';

describe.each(['v1', 'v2'] as const)('OAuth through the gateway to server-everything (SDK %s)', (sdk) => {
  let issuer: DevIssuer;
  let upstream: ChildUpstream;
  let gateway: Gateway;
  let resource: string;

  beforeAll(async () => {
    upstream = await startEverything();
    const port = await closedPort();
    resource = `http://127.0.0.1:${port}/mcp`;
    issuer = await startDevIssuer({ resources: { [resource]: { scopes: ['mcp:read', 'mcp:sum'] } } });
    const auth = await compile({
      issuers: { dev: { issuer: issuer.issuer, type: 'oauth' } },
      resources: [
        {
          resource,
          authorizationServers: ['dev'],
          scopesSupported: ['mcp:read', 'mcp:sum'],
          token: { requiredScopes: ['mcp:read'] },
          tools: { 'get-sum': { requiredScopes: ['mcp:sum'] } },
          upstream: { url: `${upstream.origin}/mcp` },
        },
      ],
    });
    gateway = await serveGateway({ auth, port, log: null });
  }, 30_000);
  afterAll(async () => {
    await gateway?.close(1000);
    await upstream?.stop();
    await issuer?.close();
  });

  it('completes OAuth, lists tools and calls one, then steps up for get-sum', async () => {
    const ctx = await connectWithOAuth({ serverUrl: resource, sdk });
    try {
      const listed = ctx.sdk === 'v1' ? await ctx.client.listTools() : await ctx.client.listTools();
      expect(listed.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'get-sum']));

      const echoed = await callToolWithStepUp(ctx, 'echo', { message: 'via the gateway' });
      expect(echoed.content.map((c) => c.text).join('')).toContain('via the gateway');
      expect(ctx.provider.hasPendingAuthorization).toBe(false);

      // The first token holds mcp:read only: the gateway answers 403 insufficient_scope, the
      // SDK re-authorizes for mcp:read mcp:sum, and the call goes through on the same session.
      const sum = await callToolWithStepUp(ctx, 'get-sum', { a: 2, b: 40 });
      expect(sum.content.map((c) => c.text).join('')).toContain('42');
      const scopes = (ctx.provider.tokens()?.scope ?? '').split(' ');
      expect(scopes).toEqual(expect.arrayContaining(['mcp:read', 'mcp:sum']));
    } finally {
      await ctx.client.close();
    }
  }, 60_000);
});
