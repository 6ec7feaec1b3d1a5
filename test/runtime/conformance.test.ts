/**
 * One manifest, four adapters: byte-identical metadata documents and identical statuses and
 * headers, over real HTTP on 127.0.0.1; and the official MCP SDK's discovery functions succeed
 * against them, with and without the `resource_metadata` hint.
 */
import {
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIssuer, type DevIssuer } from '../../examples/support/dev-issuer.js';
import type { RunningExample } from '../../examples/support/notes-server.js';

const ADAPTERS = {
  fastify: () => import('../../examples/fastify.js'),
  express: () => import('../../examples/express.js'),
  node: () => import('../../examples/node-http.js'),
  fetch: () => import('../../examples/hono.js'),
};
const COMPARED_HEADERS = [
  'content-type',
  'cache-control',
  'www-authenticate',
  'retry-after',
  'allow',
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
];

let issuer: DevIssuer;
const servers: Record<string, RunningExample> = {};

beforeAll(async () => {
  issuer = await startDevIssuer({ resources: {} });
  for (const [name, load] of Object.entries(ADAPTERS)) {
    servers[name] = await (await load()).start({ port: 0, env: { ISSUER_URL: issuer.issuer } });
    issuer.addResource(servers[name].url, ['read:notes', 'write:notes']);
  }
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
  await issuer?.close();
});

/** A response reduced to what must be identical, with the server's own origin replaced. */
async function observe(server: RunningExample, path: string, init: RequestInit = {}) {
  const origin = new URL(server.url).origin;
  const res = await fetch(new URL(path, origin), { redirect: 'manual', ...init });
  const headers = Object.fromEntries(
    COMPARED_HEADERS.map((h) => [h, res.headers.get(h)?.replaceAll(origin, 'ORIGIN') ?? null]),
  );
  return { status: res.status, headers, body: (await res.text()).replaceAll(origin, 'ORIGIN') };
}

const CASES: Array<[string, string, RequestInit?]> = [
  ['metadata GET', '/.well-known/oauth-protected-resource/mcp'],
  ['metadata with one trailing slash', '/.well-known/oauth-protected-resource/mcp/'],
  ['root metadata (one resource owns the origin)', '/.well-known/oauth-protected-resource'],
  ['metadata HEAD', '/.well-known/oauth-protected-resource/mcp', { method: 'HEAD' }],
  [
    'metadata preflight',
    '/.well-known/oauth-protected-resource/mcp',
    { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'GET' } },
  ],
  ['metadata POST', '/.well-known/oauth-protected-resource/mcp', { method: 'POST' }],
  ['no credentials', '/mcp', { method: 'POST' }],
  ['another scheme', '/mcp', { method: 'POST', headers: { authorization: 'Basic dXNlcjpwYXNz' } }],
  ['malformed header', '/mcp', { method: 'POST', headers: { authorization: 'Bearer a b' } }],
  ['invalid token', '/mcp', { method: 'POST', headers: { authorization: 'Bearer abc.def.ghi' } }],
  ['token in the query only', '/mcp?access_token=abc', { method: 'POST' }],
  ['SSE GET without token', '/mcp', { method: 'GET', headers: { accept: 'text/event-stream' } }],
  ['session DELETE without token', '/mcp', { method: 'DELETE' }],
];

describe('the same manifest on every adapter', () => {
  for (const [label, path, init] of CASES) {
    it(`answers "${label}" identically`, async () => {
      const results = await Promise.all(Object.values(servers).map((s) => observe(s, path, init)));
      for (const result of results.slice(1)) expect(result).toEqual(results[0]);
      expect(results[0]!.status).toBeLessThan(500);
    });
  }

  it('serves the RFC 9728 document with the issuer verbatim', async () => {
    const { status, body, headers } = await observe(
      servers.fastify!,
      '/.well-known/oauth-protected-resource/mcp',
    );
    expect(status).toBe(200);
    expect(headers['cache-control']).toBe('public, max-age=3600');
    expect(JSON.parse(body)).toEqual({
      resource: 'ORIGIN/mcp',
      authorization_servers: [issuer.issuer],
      scopes_supported: ['read:notes', 'write:notes'],
      bearer_methods_supported: ['header'],
      resource_name: 'Notes (mcp-auth-config example)',
    });
  });
});

describe('the MCP SDK discovery functions', () => {
  it('find the resource metadata with and without the resource_metadata hint, then the AS metadata', async () => {
    for (const server of Object.values(servers)) {
      const hinted = await discoverOAuthProtectedResourceMetadata(server.url, {
        resourceMetadataUrl: new URL('/.well-known/oauth-protected-resource/mcp', server.url),
      });
      const unhinted = await discoverOAuthProtectedResourceMetadata(server.url);
      expect(hinted).toEqual(unhinted);
      expect(hinted.resource).toBe(server.url);
      const asMetadata = await discoverAuthorizationServerMetadata(hinted.authorization_servers![0]!);
      expect(asMetadata?.issuer).toBe(issuer.issuer);
    }
  });
});
