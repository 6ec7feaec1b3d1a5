/**
 * Tokens from the real oidc-provider (client_credentials with RFC 8707 resource indicators),
 * discovered over loopback, verified through the node adapter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIssuer, type DevIssuer } from '../../examples/support/dev-issuer.js';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { send, startAdapter, type RunningAdapter } from '../support/adapters.js';
import { expectAccepted, expectRefused } from './harness.js';

const NOTES = 'https://notes.example.com/mcp';
const OTHER = 'https://other.example.com/mcp';
const NOTES_PRM = 'https://notes.example.com/.well-known/oauth-protected-resource/mcp';

describe('tokens from oidc-provider', () => {
  let issuer: DevIssuer;
  let auth: McpAuth;
  let app: RunningAdapter;
  beforeAll(async () => {
    issuer = await startDevIssuer({
      resources: { [NOTES]: { scopes: ['read', 'write'] }, [OTHER]: { scopes: ['read'] } },
    });
    auth = await compile({
      issuers: { dev: { issuer: issuer.issuer, type: 'oauth' } },
      resources: [
        {
          resource: NOTES,
          authorizationServers: ['dev'],
          scopesSupported: ['read', 'write'],
          token: { requiredScopes: ['read'], typ: 'strict' },
          tools: { write_note: { requiredScopes: ['write'] } },
        },
      ],
    });
    app = await startAdapter('node', auth);
  }, 30_000);
  afterAll(async () => {
    await app?.close();
    await auth?.close();
    await issuer?.close();
  });

  const get = (token: string) => send(`${app.url}/mcp`, { headers: { authorization: `Bearer ${token}` } });

  it('accepts an at+jwt RS256 token for the resource and exposes its identity', async () => {
    const token = await issuer.clientCredentialsToken({ resource: NOTES, scope: 'read' });
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { typ: string };
    expect(header.typ).toBe('at+jwt');
    const echo = expectAccepted(await get(token));
    expect(echo.auth).toMatchObject({
      issuer: issuer.issuer,
      clientId: 'dev-service',
      scopes: ['read'],
      audience: [NOTES],
      resource: NOTES,
    });
  });

  it('refuses a token issued for another resource (audience)', async () => {
    const token = await issuer.clientCredentialsToken({ resource: OTHER, scope: 'read' });
    expectRefused(
      await get(token),
      { status: 401, error: 'invalid_token', reason: 'audience', scope: ['read'] },
      NOTES_PRM,
    );
  });

  it('steps up a tools/call that needs a scope the token lacks, and accepts it with the scope', async () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'write_note' },
    });
    const post = (token: string) =>
      send(`${app.url}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
    const readOnly = await issuer.clientCredentialsToken({ resource: NOTES, scope: 'read' });
    expectRefused(
      await post(readOnly),
      { status: 403, error: 'insufficient_scope', scope: ['read', 'write'] },
      NOTES_PRM,
    );
    const readWrite = await issuer.clientCredentialsToken({ resource: NOTES, scope: 'read write' });
    expectAccepted(await post(readWrite));
  });

  it('refuses a token whose signature was tampered with', async () => {
    const token = await issuer.clientCredentialsToken({ resource: NOTES, scope: 'read' });
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'read write' })).toString('base64url')}.${s}`;
    expectRefused(
      await get(forged),
      { status: 401, error: 'invalid_token', reason: 'signature', scope: ['read'] },
      NOTES_PRM,
    );
  });
});
