/**
 * Memory under token floods: a protected Fastify server (our plugin, default cache of 10 000
 * entries) is warmed with a reused token, then sent N distinct valid tokens, then N distinct
 * forged ones (valid shape and claims, random signature). RSS is read from the server before
 * and after each flood, also after a forced GC (the server runs with --expose-gc).
 */
import { drive, startServer, type RunningServer } from './lib/harness.js';
import type { ServerStats } from './lib/protocol.js';
import { ISSUER, RESOURCE, forgedTokens, signTokens, type BenchKeys } from './lib/tokens.js';

export interface MemoryFigures {
  readonly n: number;
  readonly cacheEntries: number;
  readonly steady: ServerStats;
  readonly afterValid: ServerStats;
  readonly afterValidGc: ServerStats;
  readonly afterInvalid: ServerStats;
  readonly afterInvalidGc: ServerStats;
  readonly validRate: number;
  readonly invalidRate: number;
  readonly unexpected: number;
}

export async function measureMemory(keys: BenchKeys, n: number, warmSeconds: number): Promise<MemoryFigures> {
  const cacheEntries = 10_000;
  const valid = signTokens(keys.ES256, n, 1_000_000);
  const forged = forgedTokens(keys.ES256, n);
  const server: RunningServer = await startServer(
    'fastify',
    {
      mode: 'ours',
      issuer: ISSUER,
      resource: RESOURCE,
      keys: [keys.ES256.publicJwk, keys.RS256.publicJwk],
      cacheEntries,
    },
    ['--expose-gc'],
  );
  try {
    await drive(server.port, { kind: 'reused', token: valid[0]! }, { duration: warmSeconds });
    const steady = await server.stats(true);
    const v = await drive(server.port, { kind: 'cycle', tokens: valid }, { amount: n });
    const afterValid = await server.stats(false);
    const afterValidGc = await server.stats(true);
    const f = await drive(server.port, { kind: 'cycle', tokens: forged }, { amount: n });
    const afterInvalid = await server.stats(false);
    const afterInvalidGc = await server.stats(true);
    return {
      n,
      cacheEntries,
      steady,
      afterValid,
      afterValidGc,
      afterInvalid,
      afterInvalidGc,
      validRate: v.requests.total / v.duration,
      invalidRate: f.requests.total / f.duration,
      // Valid tokens must all pass (200) and forged ones must all fail (401).
      unexpected: v.non2xx + v.errors + (f.requests.total - f.non2xx) + f.errors,
    };
  } finally {
    await server.stop();
  }
}
