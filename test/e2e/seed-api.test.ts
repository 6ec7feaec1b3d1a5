/**
 * The seed-shaped API (fetchServerConfig + MCPAuth) through the same real flow as the manifest
 * examples: oidc-provider, the official SDK client, Express.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIssuer, type DevIssuer } from '../../examples/support/dev-issuer.js';
import { callToolWithStepUp, connectWithOAuth } from '../../examples/support/oauth-client.js';
import type { RunningExample } from '../../examples/support/notes-server.js';
import { start } from '../../examples/seed-api.js';

describe('seed API example (fetchServerConfig + MCPAuth)', () => {
  let issuer: DevIssuer;
  let server: RunningExample;

  beforeAll(async () => {
    issuer = await startDevIssuer({ resources: {} });
    server = await start({ port: 0, env: { ISSUER_URL: issuer.issuer } });
    issuer.addResource(server.url, ['read:notes', 'write:notes']);
  });
  afterAll(async () => {
    await server?.close();
    await issuer?.close();
  });

  it('publishes the resource metadata with the issuer verbatim', async () => {
    const prm = new URL('/.well-known/oauth-protected-resource/mcp', server.url);
    const body = (await (await fetch(prm)).json()) as Record<string, unknown>;
    expect(body).toEqual({
      resource: server.url,
      authorization_servers: [issuer.issuer],
      scopes_supported: ['read:notes', 'write:notes'],
      bearer_methods_supported: ['header'],
    });
  });

  it('challenges without a token and lets the SDK client through after the OAuth flow', async () => {
    const res = await fetch(server.url, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer scope="read:notes", resource_metadata="/);

    const ctx = await connectWithOAuth({ serverUrl: server.url, sdk: 'v1' });
    const result = await callToolWithStepUp(ctx, 'read_note', { id: '2' });
    expect(result.content[0]?.text).toBe('Call Ada');
    await ctx.client.close();
  });
});
