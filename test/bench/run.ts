/**
 * `npm run bench` (full, ~15 min) and `npm run bench -- --quick` (smoke, ~5 min).
 *
 * Each server under test runs as a separate child process on 127.0.0.1 (pinned to the last core
 * when `taskset` exists, the load generator in this process on core 0), and imports the package
 * by its published entry points: `dist/`, built at the start, the code users run. autocannon drives
 * `POST /mcp` with 50 connections: a warm-up, then a measured run; all cases run once per pass,
 * passes are interleaved (3 full / 1 quick), and the table shows medians. Server CPU and RSS are
 * read from the server itself (`GET /__stats`), and so is its event-loop busy time
 * (`performance.eventLoopUtilization()`). Peers run in the same pass, side by side: unprotected
 * Fastify, Express, node:http and fetch servers, a hand-written jose hook (Fastify), Logto's
 * `mcp-auth` 0.2 and `express-oauth2-jwt-bearer` (Express), and a signature-only floor on both
 * (the least any verifier costs per request at that rate: the ceilings). Then start-up and memory figures, and
 * the targets of issue 17.
 *
 * Options: `--quick`, `--only=<substring>[,<substring>…]` (cases whose id contains one), `--no-startup`,
 * `--no-memory`, `--profile` (also write a CPU profile of six cases, or of the `--only` ones, and print the hot
 * functions), `--json=<file>` (write every figure as JSON).
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureMemory, type MemoryFigures } from './memory.js';
import {
  buildPackage,
  drive,
  driveDistinct,
  killAll,
  median,
  pinSelf,
  startServer,
  type AutocannonResult,
  type TokenFeed,
} from './lib/harness.js';
import { summarizeProfile, type ProfileSummary } from './lib/profile.js';
import type { ServerMode } from './lib/protocol.js';
import { measureStartup, type StartupFigures } from './startup.js';
import {
  ALGS,
  ISSUER,
  RESOURCE,
  makeKeys,
  primitiveMicros,
  signTokens,
  type Alg,
  type BenchKeys,
} from './lib/tokens.js';
import { MANY_ISSUERS } from './startup.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = flag('quick');

// Distinct-token cases never reuse a token in one server's life: `warmupTokens` for the warm-up,
// then as many as the measured seconds take at the warm-up's rate (RS256 on Fastify: ~17k/s).
const settings = quick
  ? {
      passes: 1,
      warmup: 1,
      duration: 3,
      tokens: 30_000,
      warmupTokens: 3_000,
      cacheEntries: 1_000,
      memoryN: 10_000,
    }
  : {
      passes: 3,
      warmup: 1,
      duration: 4,
      tokens: 75_000,
      warmupTokens: 5_000,
      cacheEntries: 10_000,
      memoryN: 100_000,
    };

type Framework = 'fastify' | 'express' | 'node' | 'fetch';
type TokenMode = 'none' | 'reused' | 'distinct';

interface Case {
  readonly id: string;
  readonly framework: Framework;
  readonly mode: ServerMode;
  readonly alg?: Alg;
  readonly tokens: TokenMode;
  readonly offload?: 'auto' | 'sync' | 'pool';
  readonly resources?: number;
  readonly issuers?: number;
}

const MODE_LABEL: Record<ServerMode, string> = {
  plain: 'unprotected',
  noop: 'empty async preHandler',
  floor: 'signature-only floor',
  ours: 'ours',
  jose: 'raw-jose',
  logto: 'logto mcp-auth',
  auth0: 'auth0 jwt-bearer',
};

function makeCase(c: Omit<Case, 'id'>): Case {
  const label = c.mode === 'noop' && c.framework === 'express' ? 'two empty middlewares' : MODE_LABEL[c.mode];
  const parts = [c.framework, label + (c.offload ? `(${c.offload})` : '')];
  if (c.alg) parts.push(c.alg, c.tokens);
  if (c.resources) parts.push(`${c.resources} resources`);
  if (c.issuers) parts.push(`${c.issuers} issuers`);
  return { ...c, id: parts.join(' ') };
}

const TOKEN_MODES = ['reused', 'distinct'] as const;
const CASES: readonly Case[] = [
  makeCase({ framework: 'fastify', mode: 'plain', tokens: 'none' }),
  makeCase({ framework: 'fastify', mode: 'noop', tokens: 'none' }),
  ...ALGS.flatMap((alg) =>
    TOKEN_MODES.flatMap((tokens) => [
      makeCase({ framework: 'fastify', mode: 'jose', alg, tokens }),
      makeCase({ framework: 'fastify', mode: 'ours', alg, tokens }),
    ]),
  ),
  ...ALGS.map((alg) => makeCase({ framework: 'fastify', mode: 'floor', alg, tokens: 'distinct' })),
  makeCase({ framework: 'fastify', mode: 'ours', alg: 'ES256', tokens: 'distinct', offload: 'pool' }),
  makeCase({ framework: 'fastify', mode: 'ours', alg: 'RS256', tokens: 'distinct', offload: 'pool' }),
  makeCase({ framework: 'fastify', mode: 'ours', alg: 'ES256', tokens: 'reused', resources: 10 }),
  makeCase({ framework: 'fastify', mode: 'ours', alg: 'ES256', tokens: 'reused', resources: 100 }),
  makeCase({ framework: 'fastify', mode: 'ours', alg: 'ES256', tokens: 'distinct', issuers: 10 }),
  makeCase({ framework: 'fastify', mode: 'ours', alg: 'ES256', tokens: 'distinct', issuers: 50 }),
  makeCase({ framework: 'express', mode: 'plain', tokens: 'none' }),
  makeCase({ framework: 'express', mode: 'noop', tokens: 'none' }),
  ...ALGS.flatMap((alg) =>
    TOKEN_MODES.flatMap((tokens) =>
      (['logto', 'auth0', 'ours'] as const).map((mode) =>
        makeCase({ framework: 'express', mode, alg, tokens }),
      ),
    ),
  ),
  ...ALGS.map((alg) => makeCase({ framework: 'express', mode: 'floor', alg, tokens: 'distinct' })),
  makeCase({ framework: 'express', mode: 'ours', alg: 'ES256', tokens: 'distinct', offload: 'pool' }),
  makeCase({ framework: 'express', mode: 'ours', alg: 'RS256', tokens: 'distinct', offload: 'pool' }),
  ...(['node', 'fetch'] as const).flatMap((framework) => [
    makeCase({ framework, mode: 'plain', tokens: 'none' }),
    makeCase({ framework, mode: 'ours', alg: 'ES256', tokens: 'reused' }),
    makeCase({ framework, mode: 'ours', alg: 'ES256', tokens: 'distinct' }),
  ]),
];

interface Sample {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUs: number;
  readonly maxRss: number;
  readonly bad: number;
  /** Event-loop busy time per request, µs. */
  readonly loopUs: number;
}

interface Row {
  readonly case: Case;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUs: number;
  readonly maxRss: number;
  readonly bad: number;
  readonly loopUs: number;
  vsUnprotected?: number;
  /** Express: × the faster of the two Express peers, same algorithm and token mode. */
  vsBestPeer?: number;
  /** Unprotected CPU µs/req ÷ this case's: the req/s ratio of a CPU-bound single-core server, less sensitive to a noisy host. */
  vsUnprotectedCpu?: number;
  vsJose?: number;
  addedCpuUs?: number;
  addedWallUs?: number;
}

/**
 * What a case sends. An unprotected server gets the same request as a protected one, with an
 * ES256 token in its `Authorization` header that it does not look at, so a ratio compares the
 * guard's work and not the bytes on the wire.
 */
function feedFor(c: Case, tokens: Record<Alg, readonly string[]>): TokenFeed {
  if (c.tokens === 'none' || !c.alg) return { kind: 'reused', token: tokens.ES256[0]! };
  const list = tokens[c.alg];
  return c.tokens === 'reused' ? { kind: 'reused', token: list[0]! } : { kind: 'cycle', tokens: list };
}

async function runCase(
  c: Case,
  keys: BenchKeys,
  tokens: Record<Alg, readonly string[]>,
  nodeFlags: readonly string[] = [],
): Promise<Sample> {
  const server = await startServer(
    c.framework,
    {
      mode: c.mode,
      issuer: ISSUER,
      resource: RESOURCE,
      keys: ALGS.map((alg) => keys[alg].publicJwk),
      cacheEntries: settings.cacheEntries,
      ...(c.offload ? { offload: c.offload } : {}),
      ...(c.resources ? { resources: c.resources } : {}),
      ...(c.issuers ? { issuers: c.issuers } : {}),
    },
    nodeFlags,
  );
  try {
    const feed = feedFor(c, tokens);
    let before = await server.stats();
    let r: AutocannonResult;
    if (feed.kind === 'cycle') {
      r = await driveDistinct(
        server.port,
        feed.tokens,
        { warmupTokens: settings.warmupTokens, duration: settings.duration },
        50,
        async () => (before = await server.stats()),
      );
    } else {
      await drive(server.port, feed, { duration: settings.warmup });
      before = await server.stats();
      r = await drive(server.port, feed, { duration: settings.duration });
    }
    const after = await server.stats();
    return {
      rps: r.requests.total / r.duration,
      p50: r.latency.p50,
      p99: r.latency.p99,
      cpuUs: (after.cpuUs - before.cpuUs) / Math.max(1, r.requests.total),
      maxRss: after.maxRss,
      bad: r.non2xx + r.errors + r.timeouts,
      loopUs: ((after.eluActiveMs - before.eluActiveMs) * 1000) / Math.max(1, r.requests.total),
    };
  } finally {
    await server.stop();
  }
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n)
    ? '–'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (n: number | undefined) => (n === undefined ? '–' : `${n.toFixed(2)}×`);
const mb = (bytes: number) => bytes / 1024 / 1024;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The faster of Logto's and Auth0's Express middleware for a case's algorithm and token mode. */
function bestExpressPeer(rows: readonly Row[], c: Case): Row | undefined {
  const peers = rows.filter(
    (r) =>
      r.case.framework === 'express' &&
      (r.case.mode === 'logto' || r.case.mode === 'auth0') &&
      r.case.alg === c.alg &&
      r.case.tokens === c.tokens,
  );
  return peers.reduce<Row | undefined>((best, p) => (!best || p.rps > best.rps ? p : best), undefined);
}

/** The row a case is compared with: same framework unprotected, no scale-up. */
function computeRatios(rows: Row[]): void {
  const find = (pred: (c: Case) => boolean) => rows.find((r) => pred(r.case));
  for (const row of rows) {
    const c = row.case;
    const plain = find((x) => x.framework === c.framework && x.mode === 'plain');
    if (plain && c.mode !== 'plain') {
      row.vsUnprotected = row.rps / plain.rps;
      row.vsUnprotectedCpu = plain.cpuUs / row.cpuUs;
      row.addedCpuUs = row.cpuUs - plain.cpuUs;
      row.addedWallUs = 1e6 / row.rps - 1e6 / plain.rps;
    }
    if (c.mode !== 'ours' && c.mode !== 'floor') continue;
    const same = (x: Case) => x.alg === c.alg && x.tokens === c.tokens && !x.resources && !x.issuers;
    const jose = find((x) => x.framework === 'fastify' && x.mode === 'jose' && same(x));
    if (jose && c.framework === 'fastify') row.vsJose = row.rps / jose.rps;
    const peer = bestExpressPeer(rows, c);
    if (peer && c.framework === 'express') row.vsBestPeer = row.rps / peer.rps;
  }
}

interface Target {
  readonly name: string;
  readonly goal: string;
  readonly value: string;
  readonly met: boolean | undefined;
}

function targets(
  rows: readonly Row[],
  primitive: Readonly<Record<Alg, number>>,
  startup?: StartupFigures,
  memory?: MemoryFigures,
): Target[] {
  const out: Target[] = [];
  const get = (id: string) => rows.find((r) => r.case.id === id);
  for (const [framework, goal] of [
    ['fastify', 0.92],
    ['express', 0.95],
  ] as const) {
    for (const alg of ALGS) {
      const row = get(`${framework} ours ${alg} reused`);
      const v = row?.vsUnprotected;
      out.push({
        name: `reused ${alg}: ${framework} ours / ${framework} unprotected`,
        goal: `≥ ${goal.toFixed(2)}×`,
        value: `${ratio(v)} req/s (CPU-bound ${ratio(row?.vsUnprotectedCpu)})`,
        met: v === undefined ? undefined : v >= goal,
      });
    }
  }
  // The best any verifier could do against a peer: the peer's measured CPU per request against
  // the signature-only floor server's, over HTTP at the same kind of rate (`floorCheck`).
  // Without a floor case in the run, the unprotected server plus the primitive timed alone
  // (optimistic: it leaves out what a slower server pays per request).
  const ceiling = (peer: Row | undefined, framework: Framework, alg: Alg) => {
    if (!peer) return undefined;
    const floor = get(`${framework} signature-only floor ${alg} distinct`);
    if (floor) return peer.cpuUs / floor.cpuUs;
    const plain = get(`${framework} unprotected`);
    return plain ? peer.cpuUs / (plain.cpuUs + primitive[alg]) : undefined;
  };
  for (const alg of ALGS) {
    const goal = alg === 'ES256' ? 1.5 : 1.2;
    const distinct = (
      framework: Framework,
      row: Row | undefined,
      ratioOf: number | undefined,
      peer: Row | undefined,
    ) => {
      const best = ceiling(peer, framework, alg);
      return {
        goal: `≥ ${goal.toFixed(2)}×`,
        value:
          `${ratio(ratioOf)} req/s (CPU ${ratio(peer && row ? peer.cpuUs / row.cpuUs : undefined)}); ` +
          `ceiling ${ratio(best)}`,
        met: ratioOf === undefined ? undefined : ratioOf >= goal,
      };
    };
    const f = get(`fastify ours ${alg} distinct`);
    out.push({
      name: `distinct ${alg}: fastify ours / raw-jose hook`,
      ...distinct('fastify', f, f?.vsJose, get(`fastify raw-jose ${alg} distinct`)),
    });
    const e = get(`express ours ${alg} distinct`);
    out.push({
      name: `distinct ${alg}: express ours / best Express peer`,
      ...distinct('express', e, e?.vsBestPeer, e && bestExpressPeer(rows, e.case)),
    });
  }
  for (const framework of ['fastify', 'express'] as const) {
    const ours = get(`${framework} ours ES256 distinct`);
    const plain = get(`${framework} unprotected`);
    if (ours && plain) {
      const d = mb(ours.maxRss - plain.maxRss);
      out.push({
        name: `peak RSS, ${framework} ES256 distinct flood − unprotected`,
        goal: '≤ +40 MB',
        value: `${d >= 0 ? '+' : ''}${fmt(d, 1)} MB`,
        met: d <= 40,
      });
    }
  }
  const pool = get('fastify ours(pool) ES256 distinct');
  if (pool) {
    out.push({
      name: 'event loop per ES256 request, offload pool (whole request, HTTP included)',
      goal: '≤ 30 µs verification',
      value: `${fmt(pool.loopUs, 1)} µs/req (unprotected: ${fmt(get('fastify unprotected')?.loopUs, 1)})`,
      met: undefined,
    });
  }
  const one = get('fastify ours ES256 reused');
  const hundred = get('fastify ours ES256 reused 100 resources');
  if (one && hundred) {
    const v = hundred.cpuUs / one.cpuUs;
    out.push({
      name: 'reused ES256, CPU µs/req: 100 resources / 1',
      goal: '≤ 1.10×',
      value: `${ratio(v)} (${fmt(hundred.cpuUs, 1)} vs ${fmt(one.cpuUs, 1)}; req/s ${ratio(one.rps / hundred.rps)})`,
      met: v <= 1.1,
    });
  }
  const fifty = get('fastify ours ES256 distinct 50 issuers');
  const oneIssuer = get('fastify ours ES256 distinct');
  if (fifty && oneIssuer) {
    const v = fifty.cpuUs / oneIssuer.cpuUs;
    out.push({
      name: 'distinct ES256, CPU µs/req: 50 issuers / 1',
      goal: '(reported)',
      value: `${ratio(v)} (${fmt(fifty.cpuUs, 1)} vs ${fmt(oneIssuer.cpuUs, 1)})`,
      met: undefined,
    });
  }
  if (startup) {
    const v = startup.validateMs / startup.nodeMs;
    out.push({
      name: '`mcp-auth validate` / `node -e 0`',
      goal: '≤ 3.00×',
      value: `${ratio(v)} (${fmt(startup.validateMs)} vs ${fmt(startup.nodeMs)} ms)`,
      met: v <= 3,
    });
    const c = startup.compileManyMs / startup.compile1Ms;
    out.push({
      name: `compile(): ${MANY_ISSUERS} / 1 issuers (${startup.delayMs} ms delay each)`,
      goal: '≤ 1.50×',
      value: `${ratio(c)} (${fmt(startup.compileManyMs)} vs ${fmt(startup.compile1Ms)} ms)`,
      met: c <= 1.5,
    });
  }
  if (memory) {
    for (const [label, stats] of [
      ['valid', memory.afterValid],
      ['invalid', memory.afterInvalid],
    ] as const) {
      const d = mb(stats.rss - memory.steady.rss);
      out.push({
        name: `RSS after ${fmt(memory.n)} distinct ${label} tokens − steady state`,
        goal: '≤ 40 MB',
        value: `${d >= 0 ? '+' : ''}${fmt(d, 1)} MB`,
        met: d <= 40,
      });
    }
  }
  return out;
}

async function profileCases(
  keys: BenchKeys,
  tokens: Record<Alg, readonly string[]>,
  only: readonly Case[] | undefined,
): Promise<Record<string, ProfileSummary>> {
  const ids = only?.map((c) => c.id) ?? [
    'fastify ours ES256 distinct',
    'fastify raw-jose ES256 distinct',
    'fastify ours ES256 reused',
    'fastify unprotected',
    'express ours ES256 reused',
    'express unprotected',
  ];
  const out: Record<string, ProfileSummary> = {};
  for (const id of ids) {
    const c = CASES.find((x) => x.id === id)!;
    const dir = mkdtempSync(join(tmpdir(), 'mcp-auth-bench-prof-'));
    await runCase(c, keys, tokens, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) continue;
    out[id] = summarizeProfile(join(dir, file));
    console.log(`\n### CPU profile: ${id} (${join(dir, file)})\n`);
    const s = out[id];
    console.log(
      table(
        ['self time by origin', 'ms', '%'],
        s.byOrigin.slice(0, 14).map((o) => [o.origin, fmt(o.ms), fmt(o.pct, 1)]),
      ),
    );
    console.log();
    console.log(
      table(
        ['function', 'where', 'ms', '%'],
        s.top.slice(0, 20).map((t) => [t.name, t.where, fmt(t.ms), fmt(t.pct, 1)]),
      ),
    );
  }
  return out;
}

async function main(): Promise<void> {
  const started = Date.now();
  buildPackage();
  const pinning = pinSelf();
  const only = option('only');
  const cases = only ? CASES.filter((c) => only.split(',').some((o) => c.id.includes(o))) : CASES;
  console.log(
    `mcp-auth-config bench (${quick ? 'quick' : 'full'}): ${cases.length} cases × ${settings.passes} pass(es), ` +
      `${settings.warmup} s warm-up + ${settings.duration} s each, 50 connections; ${pinning}`,
  );
  console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`);

  const keys = makeKeys();
  let t = performance.now();
  const tokens = Object.fromEntries(
    ALGS.map((alg) => [alg, signTokens(keys[alg], settings.tokens)]),
  ) as unknown as Record<Alg, readonly string[]>;
  console.log(
    `pre-signed ${fmt(settings.tokens)} tokens per algorithm (${ALGS.join(', ')}) in ${fmt((performance.now() - t) / 1000, 1)} s; ` +
      `verified-token cache ${fmt(settings.cacheEntries)} entries; a distinct-token case never sends a token twice to one server`,
  );

  const primitive = Object.fromEntries(
    ALGS.map((alg) => [alg, primitiveMicros(keys[alg], tokens[alg])]),
  ) as Record<Alg, number>;
  console.log(
    `signature primitive alone (node:crypto verify, prepared key, sync, this process's core): ` +
      ALGS.map((alg) => `${alg} ${fmt(primitive[alg], 1)} µs`).join(', '),
  );

  const samples = new Map<Case, Sample[]>(cases.map((c) => [c, []]));
  for (let pass = 0; pass < settings.passes; pass++) {
    // Rotate the order in every pass so that no case always runs first or last.
    const order = cases.map(
      (_, i) => cases[(i + pass * Math.ceil(cases.length / settings.passes)) % cases.length]!,
    );
    for (const c of order) {
      t = performance.now();
      const s = await runCase(c, keys, tokens);
      samples.get(c)!.push(s);
      console.log(
        `  pass ${pass + 1}/${settings.passes} ${c.id.padEnd(32)} ${fmt(s.rps).padStart(7)} req/s  ` +
          `p99 ${fmt(s.p99, 1).padStart(5)} ms  ${fmt(s.cpuUs, 1).padStart(6)} CPU µs/req` +
          `${s.bad ? `  !! ${s.bad} non-2xx/errors` : ''}  (${fmt((performance.now() - t) / 1000, 1)} s)`,
      );
    }
  }

  const rows: Row[] = cases.map((c) => {
    const list = samples.get(c)!;
    return {
      case: c,
      rps: median(list.map((s) => s.rps)),
      p50: median(list.map((s) => s.p50)),
      p99: median(list.map((s) => s.p99)),
      cpuUs: median(list.map((s) => s.cpuUs)),
      maxRss: Math.max(...list.map((s) => s.maxRss)),
      bad: list.reduce((a, s) => a + s.bad, 0),
      loopUs: median(list.map((s) => s.loopUs)),
    };
  });
  computeRatios(rows);

  let startup: StartupFigures | undefined;
  if (!flag('no-startup') && !only) {
    console.log('start-up figures...');
    startup = await measureStartup(quick);
  }
  let memory: MemoryFigures | undefined;
  if (!flag('no-memory') && !only) {
    console.log(
      `memory floods (${fmt(settings.memoryN)} valid, then ${fmt(settings.memoryN)} forged tokens)...`,
    );
    memory = await measureMemory(keys, settings.memoryN, settings.warmup + 2);
  }

  console.log(
    `\n## Throughput (medians of ${settings.passes} pass(es); ${settings.duration} s per case per pass)\n`,
  );
  console.log(
    table(
      [
        'case',
        'req/s',
        'p50 ms',
        'p99 ms',
        'server CPU µs/req',
        'peak RSS MB',
        'loop µs/req',
        '× unprotected',
        '× unprot. (CPU)',
        '× raw-jose',
        '× best peer',
        '+µs/req CPU',
        '+µs/req wall',
      ],
      rows.map((r) => [
        r.case.id + (r.bad ? ` (!! ${r.bad} non-2xx)` : ''),
        fmt(r.rps),
        fmt(r.p50, 1),
        fmt(r.p99, 1),
        fmt(r.cpuUs, 1),
        fmt(mb(r.maxRss), 1),
        fmt(r.loopUs, 1),
        ratio(r.vsUnprotected),
        ratio(r.vsUnprotectedCpu),
        ratio(r.vsJose),
        ratio(r.vsBestPeer),
        fmt(r.addedCpuUs, 1),
        fmt(r.addedWallUs, 1),
      ]),
    ),
  );
  if (startup) {
    console.log('\n## Start-up\n');
    console.log(
      table(
        ['measurement', 'median ms'],
        [
          [`node -e 0 (${startup.runs} runs)`, fmt(startup.nodeMs, 1)],
          [
            `node dist/cli/bin.js validate mcp-auth.config.example.json (${startup.runs} runs)`,
            fmt(startup.validateMs, 1),
          ],
          [
            `compile(), 1 issuer discovered, ${startup.delayMs} ms delay (${startup.compileRuns} runs)`,
            fmt(startup.compile1Ms, 1),
          ],
          [
            `compile(), ${MANY_ISSUERS} issuers discovered, ${startup.delayMs} ms delay each (${startup.compileRuns} runs)`,
            fmt(startup.compileManyMs, 1),
          ],
          [`compile(), offline manifest (inline metadata + keys)`, fmt(startup.compileOfflineMs, 2)],
        ],
      ),
    );
  }
  if (memory) {
    const m = memory;
    console.log(
      `\n## Memory (Fastify + our plugin, ES256, cache bound settings.cache.maxEntries = ${fmt(m.cacheEntries)})\n`,
    );
    const mrow = (label: string, s: typeof m.steady): string[] => [
      label,
      fmt(mb(s.rss), 1),
      `${s === m.steady ? '' : `${s.rss >= m.steady.rss ? '+' : ''}${fmt(mb(s.rss - m.steady.rss), 1)}`}`,
      fmt(mb(s.heapUsed), 1),
      fmt(mb(s.maxRss), 1),
      fmt(s.cacheSize ?? 0),
    ];
    console.log(
      table(
        ['point', 'RSS MB', 'Δ RSS MB', 'heap used MB', 'peak RSS MB', 'cache entries'],
        [
          mrow('steady state (after warm-up, after GC)', m.steady),
          mrow(`after ${fmt(m.n)} distinct valid tokens (${fmt(m.validRate)} req/s)`, m.afterValid),
          mrow('  … then after a forced GC', m.afterValidGc),
          mrow(`after ${fmt(m.n)} distinct forged tokens (${fmt(m.invalidRate)} req/s)`, m.afterInvalid),
          mrow('  … then after a forced GC', m.afterInvalidGc),
        ],
      ),
    );
    if (m.unexpected) console.log(`!! ${m.unexpected} responses had an unexpected status`);
  }
  const goals = targets(rows, primitive, startup, memory);
  console.log('\n## Targets\n');
  console.log(
    table(
      ['target', 'goal', 'measured', 'met'],
      goals.map((g) => [g.name, g.goal, g.value, g.met === undefined ? '–' : g.met ? 'yes' : 'NO']),
    ),
  );

  let profiles: Record<string, ProfileSummary> | undefined;
  if (flag('profile')) profiles = await profileCases(keys, tokens, only ? cases : undefined);

  const json = option('json');
  if (json) {
    writeFileSync(
      json,
      JSON.stringify(
        { quick, settings, primitive, rows, startup, memory, targets: goals, profiles },
        null,
        2,
      ),
    );
    console.log(`\nwrote ${json}`);
  }
  console.log(`\ndone in ${fmt((Date.now() - started) / 1000)} s`);
}

const onSignal = () => {
  killAll();
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
try {
  await main();
} finally {
  killAll();
}
