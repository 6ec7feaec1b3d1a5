/**
 * How much event-loop (main-thread) time each verification path costs, and its throughput, with
 * 32 verifications in flight: `performance.eventLoopUtilization()` counts only the time the
 * event loop was busy, so work moved to the thread pool does not count. Complements the vitest
 * micro benchmarks (which time one call at a time). Run: `npx tsx test/bench/micro/event-loop.ts`.
 */
import { performance } from 'node:perf_hooks';
import { RESOURCE } from '../lib/tokens.js';
import {
  joseOptions,
  jwtVerify,
  localJwks,
  primitive,
  prototype,
  tokens,
  uncached,
  uncachedPool,
} from './setup.js';

type Path = { name: string; run: (token: string) => unknown };

async function measure(path: Path, token: string, total: number, inFlight = 32) {
  let started = 0;
  const worker = async () => {
    while (started < total) {
      started++;
      await path.run(token);
    }
  };
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const wall = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0);
  return { perSec: (total / wall) * 1000, loopUsPerOp: (elu.active * 1000) / total };
}

const verifier = uncached.tokenVerifier(RESOURCE);
const poolVerifier = uncachedPool.tokenVerifier(RESOURCE);
console.log(`UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`);
console.log('| alg | path | verifications/s | event-loop µs per verification |');
console.log('|---|---|--:|--:|');
for (const alg of ['ES256', 'RS256'] as const) {
  const floor = primitive(alg);
  const paths: Path[] = [
    {
      name: 'ours: verifyAccessToken (cache off, offload auto = sync)',
      run: (t) => verifier.verifyAccessToken(t),
    },
    {
      name: 'ours: verifyAccessToken (cache off, offload pool)',
      run: (t) => poolVerifier.verifyAccessToken(t),
    },
    { name: 'jose.jwtVerify + createLocalJWKSet', run: (t) => jwtVerify(t, localJwks, joseOptions) },
    { name: 'prototype: crypto.verify on the thread pool', run: (t) => prototype.verifyAsync(t) },
    { name: 'prototype: crypto.verify, synchronous', run: (t) => prototype.verifySync(t) },
    { name: 'floor: node:crypto verify alone (sync)', run: () => floor() },
  ];
  for (const path of paths) {
    await measure(path, tokens[alg], 2000); // warm-up
    const runs = [];
    for (let i = 0; i < 3; i++)
      runs.push(await measure(path, tokens[alg], alg === 'ES256' ? 10_000 : 20_000));
    runs.sort((a, b) => a.perSec - b.perSec);
    const m = runs[1]!;
    console.log(`| ${alg} | ${path.name} | ${m.perSec.toFixed(0)} | ${m.loopUsPerOp.toFixed(1)} |`);
  }
}
await uncached.close();
await uncachedPool.close();
