/**
 * How much event-loop (main-thread) time each verification path costs, and its throughput, with
 * 32 verifications in flight: `performance.eventLoopUtilization()` counts only the time the
 * event loop was busy, so work moved to the thread pool does not count. Then the latency of a
 * lone check (one at a time, each in an event-loop turn of its own, as a lone request arrives)
 * for each `offload` mode. Complements the vitest micro benchmarks (which time one call at a
 * time, all in one turn). Run: `npx tsx test/bench/micro/event-loop.ts`.
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
  uncachedSync,
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

/** Microseconds per check, one at a time, each started in a turn of its own (median of 3 runs). */
async function loneLatency(run: (token: string) => unknown, token: string, total: number) {
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    let us = 0;
    for (let i = 0; i < total; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      const t0 = performance.now();
      await run(token);
      us += (performance.now() - t0) * 1000;
    }
    runs.push(us / total);
  }
  return runs.sort((a, b) => a - b)[1]!;
}

const verifier = uncached.tokenVerifier(RESOURCE);
const poolVerifier = uncachedPool.tokenVerifier(RESOURCE);
const syncVerifier = uncachedSync.tokenVerifier(RESOURCE);
console.log(`UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`);
console.log('| alg | path | verifications/s | event-loop µs per verification |');
console.log('|---|---|--:|--:|');
for (const alg of ['ES256', 'RS256'] as const) {
  const floor = primitive(alg);
  const paths: Path[] = [
    {
      name: 'ours: verifyAccessToken (cache off, offload auto)',
      run: (t) => verifier.verifyAccessToken(t),
    },
    {
      name: 'ours: verifyAccessToken (cache off, offload sync)',
      run: (t) => syncVerifier.verifyAccessToken(t),
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
console.log('\n| alg | offload | lone check, µs from call to answer |');
console.log('|---|---|--:|');
for (const alg of ['ES256', 'RS256'] as const) {
  for (const [mode, v] of [
    ['auto', verifier],
    ['sync', syncVerifier],
    ['pool', poolVerifier],
  ] as const) {
    await loneLatency((t) => v.verifyAccessToken(t), tokens[alg], 500); // warm-up
    const us = await loneLatency((t) => v.verifyAccessToken(t), tokens[alg], 3000);
    console.log(`| ${alg} | ${mode} | ${us.toFixed(1)} |`);
  }
}
await uncached.close();
await uncachedPool.close();
await uncachedSync.close();
