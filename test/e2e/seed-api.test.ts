/**
 * The seed-shaped API (fetchServerConfig + MCPAuth) through the same real flow as the manifest
 * examples: oidc-provider, the official SDK client, Express. The example declares per-tool scopes
 * (the facade's `tools` extension), so a read-only token cannot delete a note.
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

  /** A JSON-RPC `tools/call` with a bearer token, as a client would send it. */
  function callTool(token: string, name: string, args: Record<string, unknown>) {
    return fetch(server.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name, arguments: args },
      }),
    });
  }

  it('refuses delete_note to a read-only token with 403 insufficient_scope, and still lets it read', async () => {
    const readOnly = await issuer.clientCredentialsToken({ resource: server.url, scope: 'read:notes' });
    const denied = await callTool(readOnly, 'delete_note', { id: '1' });
    expect(denied.status).toBe(403);
    const challenge = denied.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer error="insufficient_scope", /);
    expect(challenge).toContain('scope="read:notes write:notes"');
    expect(await denied.text()).not.toContain('deleted');

    const read = await callTool(readOnly, 'read_note', { id: '1' });
    expect(read.status).toBe(200);
    expect(await read.text()).toContain('Buy milk');
  });

  it('lets the SDK client step up to write:notes and then delete', async () => {
    const lines: string[] = [];
    const ctx = await connectWithOAuth({ serverUrl: server.url, sdk: 'v1', log: (l) => lines.push(l) });
    const deleted = await callToolWithStepUp(ctx, 'delete_note', { id: '1' });
    expect(deleted.content[0]?.text).toBe('deleted 1');
    expect(lines).toContain('403 insufficient_scope: need write:notes -> step-up');
    await ctx.client.close();
  });
});
