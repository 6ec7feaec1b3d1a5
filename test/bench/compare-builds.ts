/**
 * The distinct-token path of two builds, in one process, without HTTP: the same tokens go through
 * `authenticate()` of the build at `--base=<checkout>` (A, its `dist/`, built there with
 * `npm run build`) and of this checkout's `dist/` (B), in alternating chunks (A B, B A, …), with
 * the verified-token cache off and `offload: "sync"`, so every token is decoded, checked and
 * verified on this thread. Each couple of chunks gives one CPU ratio A / B; the median and the
 * quartiles are printed, with the CPU per token of each build and of the signature check alone
 * (`floorCheck` of `servers/common.ts`, `sync`: the bench's signature-only floor). Drift of a shared machine cancels in the
 * ratio; a change of a few percent shows where a full bench run cannot see it.
 * Run: `taskset -c 1 npx tsx test/bench/compare-builds.ts --base=<checkout> [--alg=RS256] [--tokens=40000]`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { floorCheck, manifestFor } from './servers/common.js';
import { ISSUER, RESOURCE, makeKeys, signTokens, type Alg } from './lib/tokens.js';
import { median } from './lib/harness.js';

const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const base = option('base');
if (!base) throw new Error('give --base=<checkout> (a worktree whose dist/ is built)');
const alg = (option('alg') ?? 'RS256') as Alg;
const total = Number(option('tokens') ?? 40_000);
const CHUNK = 500;
const WARM = 2_000;

const keys = makeKeys();
const manifest = manifestFor({
  mode: 'ours',
  issuer: ISSUER,
  resource: RESOURCE,
  keys: [keys.ES256.publicJwk, keys.RS256.publicJwk, keys.EdDSA.publicJwk],
  offload: 'sync',
  cacheEntries: 0,
});
const load = async (root: string): Promise<McpAuth> => {
  const entry = pathToFileURL(resolve(root, 'dist/runtime/compile.js')).href;
  const { compile } = (await import(entry)) as { compile: (m: unknown) => Promise<McpAuth> };
  return compile(manifest);
};
const builds = [await load(base), await load('.')] as const;
const tokens = signTokens(keys[alg], WARM + total);
/** The bench's signature-only floor, answered at once. */
const check = floorCheck([keys[alg].publicJwk], 'sync');

async function ours(auth: McpAuth, list: readonly string[]): Promise<number> {
  const start = process.cpuUsage();
  for (const token of list) {
    const result = await auth.authenticate({
      method: 'POST',
      url: '/mcp',
      host: '127.0.0.1',
      authorization: [`Bearer ${token}`],
      contentType: 'application/json',
    });
    if (!result.auth) throw new Error(`a build refused a valid token: ${result.response?.status}`);
  }
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

async function floor(list: readonly string[]): Promise<number> {
  const start = process.cpuUsage();
  for (const token of list) if (!(await check(token))) throw new Error('the floor refused a valid token');
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

for (const auth of builds) await ours(auth, tokens.slice(0, WARM));
await floor(tokens.slice(0, WARM));
const spent = [0, 0];
let floorSpent = 0;
const ratios: number[] = [];
for (let at = WARM, round = 0; at + 2 * CHUNK <= tokens.length; at += 2 * CHUNK, round++) {
  const first = tokens.slice(at, at + CHUNK);
  const second = tokens.slice(at + CHUNK, at + 2 * CHUNK);
  const [x, y] = round % 2 === 0 ? [0, 1] : [1, 0];
  const cx = await ours(builds[x]!, first);
  const cy = await ours(builds[y]!, second);
  spent[x]! += cx;
  spent[y]! += cy;
  ratios.push(x === 0 ? cx / cy : cy / cx);
  floorSpent += await floor(first);
}
const perBuild = total / 2;
const us = (cpu: number, n: number) => (cpu / n).toFixed(2);
ratios.sort((a, b) => a - b);
const q = (f: number) => ratios[Math.floor(f * (ratios.length - 1))]!.toFixed(3);
console.log(
  `${alg}: CPU µs per token, A (${base}) ${us(spent[0]!, perBuild)}, B (here) ${us(spent[1]!, perBuild)}, ` +
    `signature alone ${us(floorSpent, perBuild)}; A / B median ${median(ratios).toFixed(3)} (quartiles ${q(0.25)}–${q(0.75)}, ${ratios.length} couples)`,
);
for (const auth of builds) await auth.close();
