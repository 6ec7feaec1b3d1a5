/**
 * Process and load-generator plumbing: spawn a bench server as a child process (pinned to one core
 * when `taskset` exists), read its port from stdout, query `/__stats`, drive it with autocannon.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MCP_BODY, STATS_PATH, type ServerConfig, type ServerStats } from './protocol.js';

const require = createRequire(import.meta.url);

/** The part of autocannon's result this harness reads. */
export interface AutocannonResult {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly requests: { readonly total: number; readonly average: number };
  readonly latency: { readonly p50: number; readonly p99: number; readonly average: number };
}

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  pipelining?: number;
  duration?: number;
  amount?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: AutocannonRequest[];
  timeout?: number;
}

type Autocannon = (
  options: AutocannonOptions,
  callback: (err: Error | null, result: AutocannonResult) => void,
) => { on(event: 'response', listener: () => void): void };

const autocannon = require('autocannon') as Autocannon;

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let built = false;
/**
 * Builds `dist/` (once per process). The bench servers import the package by its published
 * entry points, so they run the code users run (tsc output), not `src/` through tsx.
 */
export function buildPackage(): void {
  if (built) return;
  const build = spawnSync('npm', ['run', 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 300_000,
  });
  if (build.status !== 0) throw new Error('npm run build failed');
  built = true;
}
const CORES = availableParallelism();
const HAS_TASKSET = process.platform === 'linux' && spawnSync('taskset', ['-V']).status === 0;

/** Pins the load generator (this process) to core 0 so that the server has core 1 to itself. */
export function pinSelf(): string {
  if (!HAS_TASKSET || CORES < 2) return 'not pinned (no taskset or a single core)';
  spawnSync('taskset', ['-cp', '0', String(process.pid)]);
  return `load generator on core 0, server on core ${CORES - 1}`;
}

export interface RunningServer {
  readonly port: number;
  readonly child: ChildProcess;
  stats(gc?: boolean): Promise<ServerStats>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

/** Kills every server still running (used in `finally` and on signals). */
export function killAll(): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

/**
 * Starts `test/bench/servers/<name>.ts` as a child process and waits for its port; `root` is the
 * checkout whose server (and build) runs, this one by default.
 */
export async function startServer(
  name: 'fastify' | 'express' | 'node' | 'fetch',
  config: ServerConfig,
  nodeFlags: readonly string[] = [],
  root = ROOT,
): Promise<RunningServer> {
  const script = join(root, 'test/bench/servers', `${name}.ts`);
  const node = [process.execPath, ...nodeFlags, '--import', 'tsx', script];
  const [command, ...args] = HAS_TASKSET && CORES >= 2 ? ['taskset', '-c', String(CORES - 1), ...node] : node;
  const child = spawn(command!, args, {
    cwd: root,
    env: { ...process.env, BENCH_CONFIG: JSON.stringify(config), NODE_ENV: 'production' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.add(child);
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${name} server did not start in 30 s`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{"port"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} server exited with ${code} before listening`));
    });
  });
  return {
    port,
    child,
    async stats(gc = false) {
      const res = await fetch(`http://127.0.0.1:${port}${STATS_PATH}${gc ? '?gc=1' : ''}`);
      return (await res.json()) as ServerStats;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      children.delete(child);
    },
  };
}

/** How a load run presents credentials. */
export type TokenFeed =
  { kind: 'none' } | { kind: 'reused'; token: string } | { kind: 'cycle'; tokens: readonly string[] };

/**
 * Drives `POST /mcp` for `duration` seconds or `amount` requests. A `cycle` feed walks its list in
 * order from the start, across all connections (each token once per `tokens.length` requests).
 */
export function drive(
  port: number,
  feed: TokenFeed,
  limit: { duration: number } | { amount: number },
  connections = 50,
): Promise<AutocannonResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (feed.kind === 'reused') headers.authorization = `Bearer ${feed.token}`;
  const options: AutocannonOptions = {
    url: `http://127.0.0.1:${port}/mcp`,
    connections,
    pipelining: 1,
    method: 'POST',
    headers,
    body: MCP_BODY,
    timeout: 30,
    ...limit,
  };
  if (feed.kind === 'cycle') {
    const tokens = feed.tokens;
    const cursor = { next: 0 };
    options.requests = [
      {
        setupRequest: (req) => {
          const token = tokens[cursor.next++ % tokens.length]!;
          return { ...req, headers: { ...headers, authorization: `Bearer ${token}` } };
        },
      },
    ];
  }
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let last = started;
    const run = autocannon(options, (err, result) =>
      err
        ? reject(err)
        : // A run bounded by `amount` ends at the next whole second: time it to its last response.
          resolve('amount' in limit ? { ...result, duration: (last - started) / 1000 } : result),
    );
    if ('amount' in limit) run.on('response', () => (last = performance.now()));
  });
}

/**
 * A distinct-token load: every request carries a token this server has never seen, so the
 * verified-token cache can help no request (it admits a token on its second sighting, so cycling
 * through a list would turn misses into hits). The first `warmupTokens` warm the server up and
 * give the rate; the measured run then takes as many of the rest as that rate spends in
 * `duration` seconds. `afterWarmup` runs in between (to read the server's stats). Throws when fewer
 * than 1,000 tokens are left for the measured run.
 */
export async function driveDistinct(
  port: number,
  tokens: readonly string[],
  limit: { readonly warmupTokens: number; readonly duration: number },
  connections = 50,
  afterWarmup?: () => Promise<unknown>,
): Promise<AutocannonResult> {
  const warm = tokens.slice(0, limit.warmupTokens);
  const rest = tokens.slice(limit.warmupTokens);
  const warmup = await drive(port, { kind: 'cycle', tokens: warm }, { amount: warm.length }, connections);
  const rate = warm.length / warmup.duration;
  const amount = Math.min(rest.length, Math.round(rate * limit.duration));
  if (amount < 1000) throw new Error(`only ${rest.length} distinct tokens left for the measured run`);
  await afterWarmup?.();
  return drive(port, { kind: 'cycle', tokens: rest.slice(0, amount) }, { amount }, connections);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
