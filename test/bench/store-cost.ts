/**
 * Cost per request of the shared-store path for an introspected (opaque) token, measured
 * in-process through `auth.authenticate()` one request at a time:
 *  - memory hit: the instance's verified-token cache answers (no store, no network);
 *  - Redis hit: the local cache is off (`cache.maxEntries: 0`), the result comes from Redis;
 *  - AS call: no shared store and no local cache, every request introspects at a loopback server.
 * Also the revocation check's cost on a JWT cache hit (with 1,000 entries in the list).
 *
 * Run: `npx tsx test/bench/store-cost.ts [iterations]` (needs redis-server). Prints a Markdown table.
 */
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import type { ManifestInput } from '../../src/manifest/schema.js';
import { startRedis } from '../support/redis.js';
import { startIntrospectionServer, now } from '../support/tokens.js';

const ITERATIONS = Number(process.argv[2] ?? 3000);
const RESOURCE = 'https://mcp.example.com/mcp';
const ISSUER = 'https://issuer.example.com';

const redis = await startRedis();
const as = await startIntrospectionServer(() => ({
  active: true,
  iss: ISSUER,
  aud: RESOURCE,
  sub: 'bench',
  scope: 'read',
  exp: now() + 3600,
}));

function manifest(settings: NonNullable<ManifestInput['settings']>): ManifestInput {
  return {
    issuers: {
      main: {
        metadata: {
          issuer: ISSUER,
          authorizationEndpoint: `${ISSUER}/authorize`,
          tokenEndpoint: `${ISSUER}/token`,
          responseTypesSupported: ['code'],
        },
        introspection: {
          endpoint: as.endpoint,
          clientId: 'rs',
          clientSecretEnv: 'RS_SECRET',
          authMethod: 'client_secret_basic',
        },
      },
    },
    resources: [{ resource: RESOURCE, authorizationServers: ['main'], token: { format: 'introspection' } }],
    settings,
  };
}

async function measure(auth: McpAuth, token: string): Promise<{ p50: number; p99: number; mean: number }> {
  const request = { method: 'POST', url: '/mcp', authorization: [`Bearer ${token}`] };
  for (let i = 0; i < 200; i++) await auth.authenticate(request); // warm-up (and the first store write)
  await new Promise((r) => setTimeout(r, 50));
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    const result = await auth.authenticate(request);
    times.push(Number(process.hrtime.bigint() - start) / 1e3);
    if (result.response) throw new Error(`refused: ${result.response.status}`);
  }
  times.sort((a, b) => a - b);
  return {
    p50: times[Math.floor(times.length / 2)]!,
    p99: times[Math.floor(times.length * 0.99)]!,
    mean: times.reduce((a, b) => a + b, 0) / times.length,
  };
}

const env = { env: { RS_SECRET: 'secret' } };
const redisStore = { type: 'redis' as const, url: redis.url };
const cases: [string, McpAuth][] = [
  ['memory hit (verified-token cache)', await compile(manifest({ store: redisStore }), env)],
  [
    'Redis hit (local cache off)',
    await compile(manifest({ store: redisStore, cache: { maxEntries: 0 } }), env),
  ],
  ['AS call (no store, no cache)', await compile(manifest({ cache: { maxEntries: 0 } }), env)],
];
const rows: string[] = [];
let asCalls = 0;
for (const [name, auth] of cases) {
  const before = as.calls.length;
  const r = await measure(auth, `opaque-bench-${name.length}-${Math.random()}`);
  asCalls = as.calls.length - before;
  rows.push(
    `| ${name.padEnd(34)} | ${r.p50.toFixed(1).padStart(6)} | ${r.p99.toFixed(1).padStart(6)} | ${r.mean.toFixed(1).padStart(7)} | ${String(asCalls).padStart(8)} |`,
  );
}
// The revocation check on the hot path: a reused token, 1,000 revocations known.
const withList = cases[0]![1];
for (let i = 0; i < 1000; i++) await withList.revoke({ jti: `bench-${i}` });
const r = await measure(withList, `opaque-bench-revocations-${Math.random()}`);
rows.push(
  `| ${'memory hit, 1,000 revocations'.padEnd(34)} | ${r.p50.toFixed(1).padStart(6)} | ${r.p99.toFixed(1).padStart(6)} | ${r.mean.toFixed(1).padStart(7)} | ${'1'.padStart(8)} |`,
);

console.log(
  `Store bench (Node ${process.version}, ${ITERATIONS} sequential requests per case, in-process authenticate())\n`,
);
console.log('| introspected token, per request    | p50 µs | p99 µs | mean µs | AS calls |');
console.log('| ---------------------------------- | -----: | -----: | ------: | -------: |');
for (const row of rows) console.log(row);

for (const [, auth] of cases) await auth.close();
await as.close();
await redis.stop();
