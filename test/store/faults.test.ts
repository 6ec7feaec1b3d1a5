/**
 * Redis faults, with a real redis-server: killed mid-run (JWT requests keep answering 200 until
 * maxStalenessSeconds, then fail-closed answers 503 with Retry-After and fail-open accepts with a
 * warning; a known revocation stays refused), restarted (subscriptions resume, without
 * restarting the app), paused with SIGSTOP (revoke() and requests keep their deadlines).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { redisAvailable, startRedis, type TestRedis } from '../support/redis.js';
import type { IntrospectionServer } from '../support/tokens.js';
import { call, eventually, instance, jwt, rawClient, recordingLogger, startAs } from './fleet.js';

const BOUND_SECONDS = 2;

describe.runIf(redisAvailable())('Redis faults', () => {
  let redis: TestRedis;
  let as: IntrospectionServer;
  const open: McpAuth[] = [];
  const start = async (
    onStoreUnavailable: 'fail-closed' | 'fail-open',
    maxStalenessSeconds = BOUND_SECONDS,
    logger = recordingLogger(),
  ) => {
    const auth = await instance(
      as,
      {
        store: { type: 'redis', url: redis.url, commandTimeoutMs: 200 },
        revocation: { maxStalenessSeconds, onStoreUnavailable },
      },
      logger,
    );
    open.push(auth);
    return { auth, logger };
  };

  beforeAll(async () => {
    redis = await startRedis();
    as = await startAs();
  });
  afterEach(async () => {
    redis.resume();
    await Promise.all(open.splice(0).map((a) => a.close()));
    await redis.restart();
  });
  afterAll(async () => {
    await as.close();
    await redis.stop();
  });

  it('killed: JWTs still pass within the bound; then fail-closed answers 503 with Retry-After', async () => {
    const { auth } = await start('fail-closed');
    const token = jwt();
    await auth.revoke({ jti: 'known-revoked' });
    await redis.kill();
    // Verification is local, and the copy of the list is fresh: 200, no waiting on Redis.
    expect((await call(auth, token)).status).toBe(200);
    expect(
      await eventually(async () => (await call(auth, token)).status === 503, BOUND_SECONDS * 1000 + 2000),
    ).toBe(true);
    const refused = await call(auth, token);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.headers['www-authenticate']).toBeUndefined();
    // A revocation this instance knows is still a 401, not a 503.
    expect(await call(auth, jwt({ jti: 'known-revoked' }))).toMatchObject({
      status: 401,
      error: 'invalid_token',
    });
    // Back: the next refresh makes the list fresh again, without a new runtime.
    await redis.restart();
    expect(
      await eventually(async () => (await call(auth, token)).status === 200, BOUND_SECONDS * 1000 + 3000),
    ).toBe(true);
  });

  it('killed: fail-open keeps accepting and logs a warning (no token in it)', async () => {
    const { auth, logger } = await start('fail-open');
    const token = jwt();
    await redis.kill();
    // Every request is accepted; past the bound the acceptance is logged.
    const statuses = new Set<number>();
    const warned = await eventually(
      async () => {
        statuses.add((await call(auth, token)).status);
        return logger.lines.some((l) => l.includes('fail-open'));
      },
      BOUND_SECONDS * 1000 + 2000,
    );
    expect(warned).toBe(true);
    expect([...statuses]).toEqual([200]);
    expect(logger.lines.join('\n')).not.toContain(token);
    expect(logger.lines.join('\n')).not.toContain(redis.url);
  });

  it('restarted: the subscription resumes without restarting the app', async () => {
    // A long bound: only the published message (not a refresh) can reach the instance in time.
    const { auth } = await start('fail-closed', 60);
    await redis.restart();
    const raw = await rawClient(redis.url);
    try {
      const message = JSON.stringify({
        v: 1,
        kind: 'jti',
        value: 'after-restart',
        until: Date.now() + 60_000,
        at: Date.now(),
      });
      const token = jwt({ jti: 'after-restart' });
      const refused = await eventually(async () => {
        await raw.publish('mcp-auth:v1:revocations', message);
        return (await call(auth, token)).status === 401;
      }, 8000);
      expect(refused).toBe(true);
    } finally {
      raw.destroy();
    }
  });

  it('paused (SIGSTOP): revoke() rejects within the deadline, requests keep answering', async () => {
    const { auth } = await start('fail-closed', 30);
    const token = jwt();
    redis.pause();
    const outcome = await Promise.race([
      auth.revoke({ jti: 'while-paused' }).then(
        () => 'recorded',
        (err: unknown) => err,
      ),
      new Promise((r) => setTimeout(() => r('stalled'), 2000)),
    ]);
    expect(outcome).toBeInstanceOf(StoreError);
    expect((outcome as StoreError).code).toBe('store_unavailable');
    // This instance applies it anyway; other requests are not held by the paused Redis.
    expect((await call(auth, jwt({ jti: 'while-paused' }))).status).toBe(401);
    expect((await call(auth, token)).status).toBe(200);
  });

  it('unreachable at start-up: compile() succeeds; fail-closed answers 503 until the list can be read', async () => {
    await redis.kill();
    const { auth } = await start('fail-closed');
    expect((await call(auth, jwt())).status).toBe(503);
    await redis.restart();
    expect(
      await eventually(async () => (await call(auth, jwt())).status === 200, BOUND_SECONDS * 1000 + 3000),
    ).toBe(true);
  });
});
