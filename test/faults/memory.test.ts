/**
 * Bounded state under a stream of distinct invalid tokens: failures are never cached, so the
 * verified-token cache does not grow, and the key store does not refetch per token; and under a
 * stream of distinct valid tokens the cache stays at its bound and the live heap grows by less
 * than a stated ceiling. No timing assertions.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { RESOURCE } from '../support/constants.js';
import { bearerRequest, manifestFor, startFakeIssuer } from '../support/issuer.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import { closeAllServers } from '../support/servers.js';

let auth: McpAuth | undefined;
afterEach(async () => {
  await auth?.close();
  auth = undefined;
  await closeAllServers();
});

describe('memory stays bounded', () => {
  it('20k distinct invalid tokens leave the verified-token cache empty and cause no per-token fetch', async () => {
    const key = makeKey();
    const as = await startFakeIssuer([key]);
    auth = await compile(manifestFor(as.issuer));
    const verifier = auth.resources[0]!.verifier;

    const valid = signToken(key, claims(as.issuer, RESOURCE));
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const statuses = new Map<number, number>();
    const record = (status: number | undefined) =>
      statuses.set(status ?? 0, (statuses.get(status ?? 0) ?? 0) + 1);

    const invalid = (i: number): string => {
      switch (i % 4) {
        case 0: // a forged signature on a genuine header and payload
          return `${header}.${payload}.${Buffer.from(`forged-${i}`).toString('base64url')}${signature.slice(20)}`;
        case 1: // an unknown kid
          return `${b64({ alg: 'ES256', kid: `kid-${i}` })}.${payload}.${signature}`;
        case 2: // another issuer
          return `${header}.${b64({ iss: `https://evil.example/${i}`, aud: RESOURCE, exp: 4e9 })}.${signature}`;
        default: // not a JWT at all
          return `opaque-${i}-${'x'.repeat(i % 50)}`;
      }
    };

    const batch = 500;
    for (let start = 0; start < 20_000; start += batch) {
      const results = await Promise.all(
        Array.from({ length: batch }, (_v, j) => auth!.authenticate(bearerRequest(invalid(start + j)))),
      );
      for (const r of results) record(r.response?.status);
      expect(verifier.cacheSize).toBe(0);
    }
    expect(statuses.get(401)).toBe(20_000);
    expect(as.jwksCount()).toBeLessThanOrEqual(2);

    // The cache does work for a valid token: one entry, reused.
    expect((await auth.authenticate(bearerRequest(valid))).auth).toBeDefined();
    expect((await auth.authenticate(bearerRequest(valid))).auth).toBeDefined();
    expect(verifier.cacheSize).toBe(1);
  });

  it('20k distinct valid tokens keep the cache at its bound and the live heap within 16 MB', async () => {
    // Live heap after a forced collection, not RSS: RSS follows the allocator's moods (it differed
    // by tens of MB between Node 20 and 22 for the same run), the live heap follows what we keep.
    // 1,000 cached entries hold ~2 MB; 20,000 unbounded ones would hold ~40 MB.
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'run with node --expose-gc (vitest.config.ts sets it)').toBeTypeOf('function');
    const liveHeap = () => {
      gc!();
      return process.memoryUsage().heapUsed;
    };
    const key = makeKey();
    const as = await startFakeIssuer([key]);
    auth = await compile(manifestFor(as.issuer, { cache: { maxEntries: 1000 } }));
    const verifier = auth.resources[0]!.verifier;
    const sign = (i: number) => signToken(key, claims(as.issuer, RESOURCE, { sub: `user-${i}` }));

    // Warm up (key import, code paths), then measure the steady state.
    for (const token of await Promise.all(Array.from({ length: 200 }, (_v, i) => sign(i)))) {
      expect((await auth.authenticate(bearerRequest(token))).auth).toBeDefined();
    }
    const before = liveHeap();
    const batch = 500;
    for (let start = 0; start < 20_000; start += batch) {
      const tokens = await Promise.all(Array.from({ length: batch }, (_v, j) => sign(start + j)));
      const results = await Promise.all(tokens.map((t) => auth!.authenticate(bearerRequest(t))));
      expect(results.every((r) => r.auth !== undefined)).toBe(true);
      expect(verifier.cacheSize).toBeLessThanOrEqual(1000);
    }
    const grownMb = (liveHeap() - before) / 1024 / 1024;
    expect(verifier.cacheSize).toBe(1000);
    expect(grownMb).toBeLessThan(16);
  });
});
