/**
 * A resource with per-tool scopes must see the JSON-RPC body to know which tools are called. A
 * body too large for the node:http and Express adapters to read is refused (413), never passed on
 * with the per-tool check skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { startAdapter, type RunningAdapter } from '../support/adapters.js';
import { claims, makeKey, signToken } from '../support/tokens.js';

const ISSUER = 'https://as.example';
const key = makeKey('ES256');

describe.each(['node', 'express'] as const)('%s adapter with a body over the read limit', (name) => {
  let auth: McpAuth;
  let server: RunningAdapter;
  let resource: string;

  beforeAll(async () => {
    resource = 'http://127.0.0.1:1/mcp';
    auth = await compile({
      issuers: {
        as: {
          metadata: { issuer: ISSUER, authorizationEndpoint: `${ISSUER}/a`, tokenEndpoint: `${ISSUER}/t` },
          jwks: { keys: [key.publicJwk] },
        },
      },
      resources: [
        { resource, authorizationServers: ['as'], tools: { delete_note: { requiredScopes: ['write'] } } },
      ],
    });
    server = await startAdapter(name, auth);
  });
  afterAll(async () => {
    await server?.close();
    await auth?.close();
  });

  it('answers 413 and does not reach the application', async () => {
    const token = signToken(key, claims(ISSUER, resource, { scope: 'read' }));
    const padding = 'x'.repeat(5 * 1024 * 1024);
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'delete_note', padding },
      }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(server.reached).toBe(0);
  });

  it('still lets a normal-sized call through', async () => {
    const token = signToken(key, claims(ISSUER, resource, { scope: 'write' }));
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'delete_note' } }),
    });
    expect(res.status).toBe(200);
    expect(server.reached).toBe(1);
  });
});
