/**
 * Revocation across instances sharing one real Redis: `revoke` on one makes the other refuse
 * the token (401 invalid_token) within maxStalenessSeconds, even a token it verified (and
 * cached) before; a revoked `sub` refuses tokens minted later, until `until`; invalid entries in
 * Redis are ignored. Without Redis: the in-memory list, on one instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { redisAvailable, startRedis, type TestRedis } from '../support/redis.js';
import type { IntrospectionServer } from '../support/tokens.js';
import { call, eventually, instance, jwt, opaque, rawClient, startAs } from './fleet.js';

const BOUND_SECONDS = 2;

describe('revocation on one instance (in-memory store)', () => {
  let as: IntrospectionServer;
  let auth: McpAuth;
  beforeAll(async () => {
    as = await startAs();
    auth = await instance(as, {});
  });
  afterAll(async () => {
    await auth.close();
    await as.close();
  });

  it('refuses a cached token at once after revoke({ jti })', async () => {
    const token = jwt({ jti: 'mem-1' });
    expect((await call(auth, token)).status).toBe(200);
    // The synchronous cache-hit path is checked too.
    expect(auth.resources[0]!.verifier.cachedAccessToken(token)).toBeDefined();
    await auth.revoke({ jti: 'mem-1' });
    expect(auth.resources[0]!.verifier.cachedAccessToken(token)).toBeUndefined();
    const cached = auth.resources[0]!.verifier.cacheSize;
    expect(await call(auth, token)).toMatchObject({ status: 401, error: 'invalid_token' });
    expect(auth.resources[0]!.verifier.cacheSize).toBe(cached - 1); // the refused entry is dropped
    expect((await call(auth, jwt())).status).toBe(200);
  });

  it('refuses introspected tokens of a revoked client', async () => {
    const token = opaque({ client_id: 'client-bad' });
    expect((await call(auth, token)).status).toBe(200);
    await auth.revoke({ clientId: 'client-bad' });
    expect(await call(auth, token)).toMatchObject({ status: 401, error: 'invalid_token' });
  });

  it.each([
    [{}, {}],
    [{ jti: 'a', sub: 'b' }, {}],
    [{ jti: '' }, {}],
    [{ sub: 'x' }, { until: '2001-01-01T00:00:00Z' }],
    [{ sub: 'x' }, { until: 'soon' }],
    [{ sub: 'x' }, { until: Date.now() + 400 * 86400_000 }],
  ])('refuses bad arguments with an OptionError (%j, %j)', async (selector, options) => {
    await expect(auth.revoke(selector as never, options)).rejects.toBeInstanceOf(OptionError);
  });
});

describe.runIf(redisAvailable())('revocation across instances sharing Redis', () => {
  let redis: TestRedis;
  let as: IntrospectionServer;
  let a: McpAuth;
  let b: McpAuth;
  const settings = () => ({
    store: { type: 'redis' as const, url: redis.url },
    revocation: { maxStalenessSeconds: BOUND_SECONDS },
  });
  const refusedBy = (auth: McpAuth, token: string) =>
    eventually(async () => (await call(auth, token)).status === 401, BOUND_SECONDS * 1000 + 1000);

  beforeAll(async () => {
    redis = await startRedis();
    as = await startAs();
    a = await instance(as, settings());
    b = await instance(as, settings());
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await as.close();
    await redis.stop();
  });

  it('revoke({ jti }) on one instance makes the other refuse a token it had verified', async () => {
    const token = jwt({ jti: 'shared-1' });
    expect((await call(b, token)).status).toBe(200);
    await a.revoke({ jti: 'shared-1' });
    expect(await refusedBy(b, token)).toBe(true);
    expect(await call(b, token)).toMatchObject({ status: 401, error: 'invalid_token' });
    expect((await call(b, jwt())).status).toBe(200);
  });

  it('reaches an instance through the store alone (no message): the periodic refresh', async () => {
    const raw = await rawClient(redis.url);
    try {
      const entry = { v: 1, kind: 'jti', value: 'quiet-1', until: Date.now() + 60_000, at: Date.now() };
      await raw.hSet('mcp-auth:v1:revocations', 'jti:quiet-1', JSON.stringify(entry));
      expect(await refusedBy(b, jwt({ jti: 'quiet-1' }))).toBe(true);
    } finally {
      raw.destroy();
    }
  });

  it('a revoked sub stays refused for tokens minted later, until `until`', async () => {
    const until = Date.now() + 2500;
    expect((await call(b, jwt({ sub: 'user-stolen' }))).status).toBe(200);
    await a.revoke({ sub: 'user-stolen' }, { until: new Date(until) });
    expect(await refusedBy(b, jwt({ sub: 'user-stolen' }))).toBe(true);
    const later = jwt({ sub: 'user-stolen', iat: Math.floor(Date.now() / 1000) });
    expect(await call(b, later)).toMatchObject({ status: 401, error: 'invalid_token' });
    expect((await call(b, jwt({ sub: 'user-other' }))).status).toBe(200);
    // After `until`, new tokens of that subject are accepted again.
    expect(
      await eventually(async () => (await call(b, jwt({ sub: 'user-stolen' }))).status === 200, 5000),
    ).toBe(true);
    expect(Date.now()).toBeGreaterThanOrEqual(until);
  });

  it('ignores invalid entries in Redis and keeps applying the valid ones', async () => {
    const raw = await rawClient(redis.url);
    try {
      const key = 'mcp-auth:v1:revocations';
      const good = (value: string) =>
        JSON.stringify({ v: 1, kind: 'jti', value, until: Date.now() + 60_000, at: Date.now() });
      await raw.hSet(key, 'jti:junk', 'not json{');
      await raw.hSet(key, 'jti:v2', JSON.stringify({ v: 2, kind: 'jti', value: 'v2', until: 9e12, at: 1 }));
      // A valid entry under another field name: it would revoke sub "victim" if trusted.
      await raw.hSet(
        key,
        'jti:x',
        JSON.stringify({ v: 1, kind: 'sub', value: 'victim', until: Date.now() + 60_000, at: 1 }),
      );
      await raw.hSet(key, 'jti:after-junk', good('after-junk'));
      await raw.publish('mcp-auth:v1:revocations', '{"v":1,"kind":"sub","value":"victim"}');
      expect(await refusedBy(b, jwt({ jti: 'after-junk' }))).toBe(true);
      expect((await call(b, jwt({ jti: 'v2' }))).status).toBe(200);
      expect((await call(b, jwt({ sub: 'victim' }))).status).toBe(200);
    } finally {
      raw.destroy();
    }
  });
});
