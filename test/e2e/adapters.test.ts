/**
 * End to end, with real parts only: the real oidc-provider as authorization server, each example
 * server (Fastify, Express, node:http, Hono) protected by mcp-auth-config from the same manifest,
 * and the official MCP SDK client driven through the whole OAuth flow by a scripted browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIssuer, type DevIssuer } from '../../examples/support/dev-issuer.js';
import {
  callToolWithStepUp,
  connectWithOAuth,
  type OAuthConnection,
} from '../../examples/support/oauth-client.js';
import type { ExampleOptions, RunningExample } from '../../examples/support/notes-server.js';
import {
  listToolsWith,
  NOTES_SCOPES as SCOPES,
  startOAuthFlow,
  textOf,
  toolJson,
  type OAuthFlowSetup,
} from '../support/oauth-flow.js';
const EXAMPLES: Record<string, () => Promise<{ start(o: ExampleOptions): Promise<RunningExample> }>> = {
  fastify: () => import('../../examples/fastify.js'),
  express: () => import('../../examples/express.js'),
  'node:http': () => import('../../examples/node-http.js'),
  'hono (fetch)': () => import('../../examples/hono.js'),
};

for (const [name, load] of Object.entries(EXAMPLES)) {
  describe(`${name} example`, () => {
    let flow: OAuthFlowSetup | undefined;
    let issuer: DevIssuer;
    let stranger: DevIssuer;
    let server: RunningExample;
    let ctx: OAuthConnection | undefined;

    beforeAll(async () => {
      flow = await startOAuthFlow(async (trusted) =>
        (await load()).start({ port: 0, env: { ISSUER_URL: trusted.issuer } }),
      );
      ({ issuer, stranger, server } = flow);
    });
    afterAll(async () => {
      await ctx?.client.close();
      await flow?.close();
    });

    it('completes the OAuth flow with the SDK client, calls tools and steps up for a write scope', async () => {
      const lines: string[] = [];
      ctx = await connectWithOAuth({ serverUrl: server.url, sdk: 'v1', log: (l) => lines.push(l) });
      expect(lines.some((l) => l.startsWith('401 challenge received'))).toBe(true);

      const { tools } = await ctx.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['delete_note', 'read_note', 'whoami']);
      expect(textOf(await callToolWithStepUp(ctx, 'read_note', { id: '1' }))).toBe('Buy milk');

      const me = await toolJson(ctx, 'whoami');
      expect(me.issuer).toBe(issuer.issuer);
      expect(me.subject).toEqual(expect.any(String));
      expect(me.clientId).toBe(ctx.provider.clientInformation()?.client_id);
      expect(me.scopes).toEqual(['read:notes']);

      const deleted = await callToolWithStepUp(ctx, 'delete_note', { id: '1' });
      expect(textOf(deleted)).toBe('deleted 1');
      expect(lines.some((l) => l.includes('insufficient_scope'))).toBe(true);
      const after = await toolJson<{ scopes: string[] }>(ctx, 'whoami');
      expect(after.scopes).toEqual(expect.arrayContaining(SCOPES));
    });

    it('refuses a token issued for another resource', async () => {
      const other = 'http://127.0.0.1:9/other';
      issuer.addResource(other, SCOPES);
      const token = await issuer.clientCredentialsToken({ resource: other, scope: 'read:notes' });
      const res = await listToolsWith(server.url, token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(res.headers.get('www-authenticate')).toContain('not intended for this resource');
    });

    it('refuses a token from an issuer not listed for the resource', async () => {
      const token = await stranger.clientCredentialsToken({ resource: server.url, scope: 'read:notes' });
      const res = await listToolsWith(server.url, token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('issuer is not trusted');
    });
  });
}

describe('the v2 SDK client', () => {
  it('completes the flow and the step-up against the Fastify example', async () => {
    const issuer = await startDevIssuer({ resources: {} });
    const server = await (
      await import('../../examples/fastify.js')
    ).start({ port: 0, env: { ISSUER_URL: issuer.issuer } });
    issuer.addResource(server.url, SCOPES);
    try {
      const ctx = await connectWithOAuth({ serverUrl: server.url, sdk: 'v2' });
      expect(textOf(await callToolWithStepUp(ctx, 'read_note', { id: '2' }))).toBe('Call Ada');
      expect(textOf(await callToolWithStepUp(ctx, 'delete_note', { id: '2' }))).toBe('deleted 2');
      await ctx.client.close();
    } finally {
      await server.close();
      await issuer.close();
    }
  });
});
