/**
 * Bounded load (autocannon on 127.0.0.1, about a second per adapter) with valid, invalid,
 * malformed and missing tokens mixed in every connection's request cycle: every response has the
 * status its request deserves, none errors or times out, and the application sees exactly the
 * valid ones.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { ADAPTERS, startAdapters, type RunningAdapter } from '../support/adapters.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import { issuerEntry, type JwksServer, startJwksServer } from '../support/issuer.js';
import { ISSUER, RESOURCE } from '../support/constants.js';

interface AutocannonResult {
  errors: number;
  timeouts: number;
  mismatches: number;
  resets: number;
  statusCodeStats: Record<string, { count: number }>;
  requests: { total: number };
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

let auth: McpAuth;
let adapters: RunningAdapter[];
let jwks: JwksServer;
const key = makeKey('ES256');

beforeAll(async () => {
  jwks = await startJwksServer([key.publicJwk]);
  auth = await compile({
    issuers: { main: issuerEntry(ISSUER, { uri: jwks.uri }) },
    resources: [{ resource: RESOURCE, authorizationServers: ['main'], token: { requiredScopes: ['read'] } }],
  });
  adapters = await startAdapters(auth);
});
afterAll(async () => {
  await Promise.all(adapters.map((a) => a.close()));
  await auth.close();
  await jwks.close();
});

describe.each(ADAPTERS)('load on %s', (name) => {
  it('answers a mixed stream with the right statuses, no errors, no timeouts', async () => {
    const app = adapters.find((a) => a.name === name)!;
    const valid = signToken(key, claims(ISSUER, RESOURCE, { scope: 'read' }));
    const expired = signToken(key, claims(ISSUER, RESOURCE, { scope: 'read', exp: 1000 }));
    const noScope = signToken(key, claims(ISSUER, RESOURCE, { scope: 'write' }));
    const forged = `${valid.slice(0, -6)}AAAAAA`;
    const before = app.reached;
    const result = await autocannon({
      url: app.url,
      connections: 8,
      duration: 0.8,
      timeout: 5,
      requests: [
        { method: 'GET', path: '/mcp', headers: { authorization: `Bearer ${valid}` } },
        { method: 'GET', path: '/mcp', headers: { authorization: `Bearer ${expired}` } },
        { method: 'GET', path: '/mcp' },
        { method: 'GET', path: '/mcp', headers: { authorization: 'Bearer not a token' } },
        { method: 'GET', path: '/mcp', headers: { authorization: `Bearer ${noScope}` } },
        { method: 'GET', path: '/mcp', headers: { authorization: `Bearer ${forged}` } },
      ],
    });
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.resets).toBe(0);
    const stats = Object.fromEntries(Object.entries(result.statusCodeStats).map(([s, v]) => [s, v.count]));
    expect(Object.keys(stats).sort()).toEqual(['200', '400', '401', '403']);
    const total = Object.values(stats).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(60);
    // Each connection cycles through the six requests in order, so the shares are fixed
    // (up to one partial cycle per connection when the run stops).
    const near = (count: number, share: number) =>
      expect(Math.abs(count - total * share)).toBeLessThanOrEqual(8 * 1.5);
    near(stats['200']!, 1 / 6);
    near(stats['400']!, 1 / 6);
    near(stats['401']!, 3 / 6);
    near(stats['403']!, 1 / 6);
    // Only the valid requests reached the application: autocannon does not count the responses
    // still in flight when it stops (at most one per connection), the application does.
    const extra = app.reached - before - stats['200']!;
    expect(extra).toBeGreaterThanOrEqual(0);
    expect(extra).toBeLessThanOrEqual(8);
  });
});
