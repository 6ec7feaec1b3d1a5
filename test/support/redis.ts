/**
 * Test support: a real `redis-server` (the Debian package, installed by `.ci/run`) on
 * 127.0.0.1, a free port and a temporary directory, without persistence (`--save ''
 * --appendonly no`). It can be killed, restarted on the same port, paused (SIGSTOP) and resumed.
 *
 * Where `redis-server` cannot be found the tests that need it are skipped with a message saying
 * why, except in CI (`CI` set), where they fail instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The `redis-server` binary, or `undefined` when it is not installed. */
export function findRedisServer(): string | undefined {
  for (const candidate of [
    '/usr/bin/redis-server',
    '/usr/sbin/redis-server',
    '/usr/local/bin/redis-server',
  ]) {
    if (spawnSync(candidate, ['--version']).status === 0) return candidate;
  }
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : undefined;
}

/**
 * Whether Redis tests can run here. Missing outside CI: `false`, with the reason printed once.
 * Missing in CI: throws, so CI never skips them.
 */
export function redisAvailable(): boolean {
  if (findRedisServer()) return true;
  if (process.env.CI)
    throw new Error(
      'redis-server is not installed, and CI must not skip the Redis tests (.ci/run installs it)',
    );
  console.warn(
    'SKIPPED: the Redis store tests need redis-server (Debian package redis-server; .ci/run installs it)',
  );
  return false;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A running Redis. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: the server is gone (its data too). */
  kill(): Promise<void>;
  /** A fresh server on the same port (empty: there is no persistence). */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing answers. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Kills the server and removes its directory. */
  stop(): Promise<void>;
}

/** Starts `redis-server` on a free loopback port; resolves once it accepts connections. */
export async function startRedis(): Promise<TestRedis> {
  const binary = findRedisServer();
  if (!binary) throw new Error('redis-server is not installed');
  const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const launch = async () => {
    child = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    while (!(await acceptsConnections(port))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGCONT');
    running.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
