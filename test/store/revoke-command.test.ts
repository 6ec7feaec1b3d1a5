/**
 * `mcp-auth revoke`: records the entry in the manifest's Redis and publishes it, so a running
 * instance refuses matching tokens; usage errors exit 2, an in-memory store exits 1.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { redisAvailable, startRedis, type TestRedis } from '../support/redis.js';
import type { IntrospectionServer } from '../support/tokens.js';
import { call, eventually, instance, jwt, manifest, startAs } from './fleet.js';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => void out.push(t), err: (t) => void err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('mcp-auth revoke: usage', () => {
  let dir: string;
  let as: IntrospectionServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-auth-revoke-'));
    as = await startAs();
    await writeFile(join(dir, 'memory.json'), JSON.stringify(manifest(as, {})));
  });
  afterAll(async () => {
    await as.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('needs exactly one of --jti, --sub, --client-id (exit 2)', async () => {
    expect((await run(['revoke', join(dir, 'memory.json')])).code).toBe(2);
    expect((await run(['revoke', join(dir, 'memory.json'), '--jti', 'a', '--sub', 'b'])).code).toBe(2);
  });

  it('refuses an in-memory store: nothing would reach the running instances (exit 1)', async () => {
    const result = await run(['revoke', join(dir, 'memory.json'), '--sub', 'x']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('settings.store');
  });
});

describe.runIf(redisAvailable())('mcp-auth revoke with Redis', () => {
  let redis: TestRedis;
  let as: IntrospectionServer;
  let auth: McpAuth;
  let dir: string;
  let path: string;
  beforeAll(async () => {
    redis = await startRedis();
    as = await startAs();
    const settings = {
      store: { type: 'redis' as const, url: redis.url },
      revocation: { maxStalenessSeconds: 2 },
    };
    auth = await instance(as, settings);
    dir = await mkdtemp(join(tmpdir(), 'mcp-auth-revoke-'));
    path = join(dir, 'mcp-auth.config.json');
    await writeFile(path, JSON.stringify(manifest(as, settings)));
  });
  afterAll(async () => {
    await auth.close();
    await as.close();
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('revokes a subject on the running instance until --until', async () => {
    const token = jwt({ sub: 'cli-user' });
    expect((await call(auth, token)).status).toBe(200);
    const until = new Date(Date.now() + 3600_000).toISOString();
    const result = await run(['revoke', path, '--sub', 'cli-user', '--until', until, '--format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({ revoked: { sub: 'cli-user' }, until });
    expect(result.out + result.err).not.toContain(redis.url);
    expect(await eventually(async () => (await call(auth, token)).status === 401, 3000)).toBe(true);
    expect((await call(auth, jwt({ sub: 'cli-user' }))).status).toBe(401);
  });

  it('revokes a client id; a bad --until exits 2', async () => {
    expect((await run(['revoke', path, '--client-id', 'client-cli'])).code).toBe(0);
    expect(
      await eventually(async () => (await call(auth, jwt({ client_id: 'client-cli' }))).status === 401, 3000),
    ).toBe(true);
    expect((await run(['revoke', path, '--jti', 'x', '--until', 'yesterday'])).code).toBe(2);
  });

  it('exits 1 when Redis does not answer', async () => {
    await redis.kill();
    try {
      expect((await run(['revoke', path, '--jti', 'down'])).code).toBe(1);
    } finally {
      await redis.restart();
    }
  });
});
