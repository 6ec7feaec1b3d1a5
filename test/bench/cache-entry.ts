/**
 * Bytes per verified-token cache entry: N distinct ES256 tokens are verified through a compiled
 * runtime (cache large enough to keep them all), and the live heap after a forced GC is compared
 * with the heap before. The tokens are signed first and passed as fresh strings (as a request's
 * header would be), so the figure includes the token string the entry keeps as its key.
 * Run: `node --expose-gc --import tsx test/bench/cache-entry.ts [N]`.
 */
import { compile } from '../../src/runtime/compile.js';
import { manifestFor } from './servers/common.js';
import { ISSUER, RESOURCE, makeKeys, signTokens } from './lib/tokens.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const n = Number(process.argv[2] ?? 20_000);
const keys = makeKeys();
const config = { mode: 'ours' as const, issuer: ISSUER, resource: RESOURCE, keys: [keys.ES256.publicJwk] };
const auth = await compile(manifestFor({ ...config, cacheEntries: 100_000 }));
const verifier = auth.tokenVerifier(RESOURCE);
// Kept as Buffers so that no token string is live before the measurement starts.
const raw = signTokens(keys.ES256, n).map((t) => Buffer.from(`Bearer ${t}`, 'latin1'));
const chars = raw.reduce((a, b) => a + b.length - 7, 0) / n;
await verifier.verifyAccessToken(signTokens(keys.ES256, 1, 10_000_000)[0]!); // warm every path
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const before = heap();
for (const b of raw) {
  // As an adapter sees it: the header string, the token sliced from it.
  await verifier.verifyAccessToken(b.toString('latin1').slice(7));
}
const after = heap();
const perEntry = (after - before) / n;
console.log(
  JSON.stringify({
    n,
    cacheSize: auth.resources[0]!.verifier.cacheSize,
    tokenChars: Math.round(chars),
    bytesPerEntry: Math.round(perEntry),
    bytesPerEntryBesidesToken: Math.round(perEntry - chars),
  }),
);
await auth.close();
