/**
 * `npm run bench:paired`: the ratios of issue 17 measured in pairs, so that the drift of a shared
 * machine cancels. Both servers of a pair run at once (pinned to the same core, only one loaded
 * at a time); after a warm-up of each, short runs alternate A, B, B, A, A, B… and every adjacent
 * A/B couple gives one ratio. The table shows the median ratio and the spread of the middle half
 * (quartiles), for req/s and for server CPU per request. A distinct-token pair never sends a
 * token twice to one server (each server walks the same list with its own cursor).
 *
 * Options: `--only=<substring>[,…]` (pairs whose name contains one), `--rounds=N` (couples,
 * default 8), `--seconds=S` (per run, default 1.5), `--base=<checkout>`: every pair whose B side
 * is ours becomes ours at that checkout (A, built with `npm run build` there) against ours here
 * (B), so a change is measured against the commit before it (`git worktree add <dir> <rev>`).
 */
import {
  buildPackage,
  drive,
  killAll,
  median,
  pinSelf,
  startServer,
  type RunningServer,
} from './lib/harness.js';
import type { ServerConfig, ServerMode } from './lib/protocol.js';
import { ALGS, ISSUER, RESOURCE, makeKeys, signTokens, type Alg, type BenchKeys } from './lib/tokens.js';

const argv = process.argv.slice(2);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const rounds = Number(option('rounds') ?? 8);
const seconds = Number(option('seconds') ?? 1.5);
const base = option('base');
const WARMUP_TOKENS = 5_000;

interface Side {
  readonly framework: 'fastify' | 'express' | 'node' | 'fetch';
  readonly mode: ServerMode;
  readonly offload?: 'auto' | 'sync' | 'pool';
  /** The checkout whose server runs (`--base`); this one when absent. */
  readonly root?: string;
}
interface Pair {
  readonly name: string;
  readonly a: Side;
  readonly b: Side;
  readonly alg?: Alg;
  readonly tokens: 'none' | 'reused' | 'distinct';
  /** The issue's goal for B ÷ A. */
  readonly goal: number;
}

const PAIRS: readonly Pair[] = [
  {
    name: 'fastify empty async preHandler / unprotected (what any hook costs)',
    a: { framework: 'fastify', mode: 'plain' },
    b: { framework: 'fastify', mode: 'noop' },
    tokens: 'none',
    goal: 0.92,
  },
  {
    name: 'express two empty middlewares / unprotected (what any guard mounted like ours costs)',
    a: { framework: 'express', mode: 'plain' },
    b: { framework: 'express', mode: 'noop' },
    tokens: 'none',
    goal: 0.95,
  },
  ...(['fastify', 'express'] as const).map((framework) => ({
    name: `${framework} reused ES256: ours / unprotected`,
    a: { framework, mode: 'plain' as const },
    b: { framework, mode: 'ours' as const },
    alg: 'ES256' as const,
    tokens: 'reused' as const,
    goal: framework === 'fastify' ? 0.92 : 0.95,
  })),
  ...(['ES256', 'RS256', 'EdDSA'] as const).flatMap((alg) =>
    (alg === 'EdDSA' ? [undefined] : ([undefined, 'pool'] as const)).map((offload) => ({
      name: `fastify distinct ${alg}: ours${offload ? '(pool)' : ''} / raw-jose hook`,
      a: { framework: 'fastify' as const, mode: 'jose' as const },
      b: { framework: 'fastify' as const, mode: 'ours' as const, ...(offload ? { offload } : {}) },
      alg,
      tokens: 'distinct' as const,
      goal: alg === 'ES256' ? 1.5 : 1.2,
    })),
  ),
  // Express: ours against each peer (the issue's goal is against the better of the two).
  ...(['ES256', 'RS256', 'EdDSA'] as const).flatMap((alg) =>
    (['logto', 'auth0'] as const).map((peer) => ({
      name: `express distinct ${alg}: ours / ${peer}`,
      a: { framework: 'express' as const, mode: peer },
      b: { framework: 'express' as const, mode: 'ours' as const },
      alg,
      tokens: 'distinct' as const,
      goal: alg === 'ES256' ? 1.5 : 1.2,
    })),
  ),
  // The default `auto` against the two fixed modes: under a flood it should match `pool`, and
  // beat `sync` (a lone check's latency is the micro bench's `event-loop.ts`).
  ...(['ES256', 'RS256'] as const).flatMap((alg) =>
    (['sync', 'pool'] as const).map((offload) => ({
      name: `fastify distinct ${alg}: ours(auto) / ours(${offload})`,
      a: { framework: 'fastify' as const, mode: 'ours' as const, offload },
      b: { framework: 'fastify' as const, mode: 'ours' as const, offload: 'auto' as const },
      alg,
      tokens: 'distinct' as const,
      goal: 1,
    })),
  ),
];

/** One server of a pair, with its own walk through the distinct-token list. */
interface Running {
  readonly server: RunningServer;
  next: number;
}

async function run(
  side: Running,
  pair: Pair,
  tokens: readonly string[],
  limit: { duration: number } | { amount: number },
) {
  const before = await side.server.stats();
  let result;
  if (pair.tokens === 'distinct') {
    const amount = 'amount' in limit ? limit.amount : 0;
    if (side.next + amount > tokens.length) throw new Error(`${pair.name}: out of distinct tokens`);
    const slice = tokens.slice(side.next, side.next + amount);
    side.next += amount;
    result = await drive(side.server.port, { kind: 'cycle', tokens: slice }, { amount });
  } else {
    const feed =
      pair.tokens === 'reused' ? { kind: 'reused' as const, token: tokens[0]! } : { kind: 'none' as const };
    result = await drive(side.server.port, feed, limit);
  }
  const after = await side.server.stats();
  const total = Math.max(1, result.requests.total);
  return {
    rps: total / result.duration,
    cpuUs: (after.cpuUs - before.cpuUs) / total,
    bad: result.non2xx + result.errors,
  };
}

function quartiles(values: readonly number[]): [number, number, number] {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))]!;
  return [at(0.25), median(sorted), at(0.75)];
}

async function measure(pair: Pair, keys: BenchKeys, tokens: readonly string[]): Promise<string[]> {
  const config = (side: Side): ServerConfig => ({
    mode: side.mode,
    issuer: ISSUER,
    resource: RESOURCE,
    keys: ALGS.map((alg) => keys[alg].publicJwk),
    ...(side.offload ? { offload: side.offload } : {}),
  });
  const start = async (side: Side): Promise<Running> => ({
    server: await startServer(side.framework, config(side), [], side.root),
    next: 0,
  });
  const [a, b] = await Promise.all([start(pair.a), start(pair.b)]);
  try {
    // Warm-up, one server at a time, and the request count that a run of `seconds` takes (from
    // the slower side).
    const warmup = pair.tokens === 'distinct' ? { amount: WARMUP_TOKENS } : { duration: 1 };
    const warm = [await run(a, pair, tokens, warmup), await run(b, pair, tokens, warmup)];
    const rate = Math.min(...warm.map((w) => w.rps));
    const amount = Math.round(Math.min(rate * seconds, (tokens.length - WARMUP_TOKENS) / rounds));
    const limit = pair.tokens === 'distinct' ? { amount } : { duration: seconds };
    const rps: number[] = [];
    const cpu: number[] = [];
    let bad = 0;
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 ? [b, a] : [a, b];
      const [first, second] = [
        await run(order[0]!, pair, tokens, limit),
        await run(order[1]!, pair, tokens, limit),
      ];
      const [ra, rb] = i % 2 ? [second, first] : [first, second];
      rps.push(rb.rps / ra.rps);
      cpu.push(ra.cpuUs / rb.cpuUs);
      bad += ra.bad + rb.bad;
    }
    const [r1, r2, r3] = quartiles(rps);
    const [c1, c2, c3] = quartiles(cpu);
    const x = (n: number) => `${n.toFixed(2)}×`;
    return [
      pair.name + (bad ? ` (!! ${bad} non-2xx)` : ''),
      `≥ ${x(pair.goal)}`,
      `${x(r2)} (${x(r1)}–${x(r3)})`,
      `${x(c2)} (${x(c1)}–${x(c3)})`,
      r2 >= pair.goal ? 'yes' : 'no',
    ];
  } finally {
    await Promise.all([a.server.stop(), b.server.stop()]);
  }
}

async function main(): Promise<void> {
  buildPackage();
  console.log(`paired bench: ${rounds} couples of ${seconds} s runs per pair; ${pinSelf()}`);
  const only = option('only');
  const chosen = only ? PAIRS.filter((p) => only.split(',').some((o) => p.name.includes(o))) : PAIRS;
  const pairs = base
    ? chosen
        .filter((p) => p.b.mode === 'ours')
        .map((p) => ({
          ...p,
          name: `${p.name.split(':')[0]}: ours here / ours at ${base}`,
          a: { ...p.b, root: base },
          goal: 1,
        }))
    : chosen;
  const keys = makeKeys();
  const lists = new Map<Alg, string[]>();
  const rows: string[][] = [];
  for (const pair of pairs) {
    const alg = pair.alg ?? 'ES256';
    // Distinct runs are cut to what the list holds: ~12,000 requests per run at most.
    const needed = pair.tokens === 'distinct' ? WARMUP_TOKENS + rounds * 12_000 : 1;
    if ((lists.get(alg)?.length ?? 0) < needed) lists.set(alg, signTokens(keys[alg], needed));
    const row = await measure(pair, keys, lists.get(alg)!);
    console.log(`  ${row.join('  ')}`);
    rows.push(row);
  }
  console.log('\n| pair | goal | req/s ratio, median (quartiles) | CPU ratio, median (quartiles) | met |');
  console.log('|---|--:|--:|--:|--:|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

try {
  await main();
} finally {
  killAll();
}
