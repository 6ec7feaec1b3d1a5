/**
 * Two instances sharing one real Redis: an opaque token is introspected once for both; the
 * store holds a hash of the token, never the token; a hostile value is ignored; a paused Redis
 * costs at most the command deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { introspectionKey } from '../../src/store/cache-introspection.js';
import { redisAvailable, startRedis, type TestRedis } from '../support/redis.js';
import type { IntrospectionServer } from '../support/tokens.js';
import { answers, call, instance, jwt, opaque, rawClient, startAs } from './fleet.js';

describe.runIf(redisAvailable())('introspection results shared through Redis', () => {
  let redis: TestRedis;
  let as: IntrospectionServer;
  let a: McpAuth;
  let b: McpAuth;
  let raw: Awaited<ReturnType<typeof rawClient>>;
  // The verified-token cache is off, so every request goes to the shared store.
  const settings = () => ({
    store: { type: 'redis' as const, url: redis.url, commandTimeoutMs: 300 },
    cache: { maxEntries: 0 },
    fetch: { timeoutMs: 2000 },
  });

  beforeAll(async () => {
    redis = await startRedis();
    as = await startAs();
    a = await instance(as, settings());
    b = await instance(as, settings());
    raw = await rawClient(redis.url);
  });
  afterAll(async () => {
    raw.destroy();
    await a.close();
    await b.close();
    await as.close();
    await redis.stop();
  });

  it('introspects an opaque token once for both instances', async () => {
    const token = opaque();
    const before = as.calls.length;
    expect((await call(a, token)).status).toBe(200);
    // The entry is written in the background: wait until it is there.
    await expect.poll(() => raw.exists(`mcp-auth:${introspectionKey(token)}`)).toBe(1);
    expect((await call(b, token)).status).toBe(200);
    expect((await call(a, token)).status).toBe(200);
    expect(as.calls.length - before).toBe(1);
  });

  it('keys and values hold a hash of the token, never the token', async () => {
    const token = opaque();
    expect((await call(a, token)).status).toBe(200);
    await expect.poll(() => raw.exists(`mcp-auth:${introspectionKey(token)}`)).toBe(1);
    for (const k of await raw.keys('*')) {
      expect(k).not.toContain(token);
      if ((await raw.type(k)) === 'string') expect(await raw.get(k)).not.toContain(token);
    }
  });

  it('keeps an entry no longer than the token exp', async () => {
    const token = opaque({ exp: Math.floor(Date.now() / 1000) + 20 });
    expect((await call(a, token)).status).toBe(200);
    const k = `mcp-auth:${introspectionKey(token)}`;
    await expect.poll(() => raw.exists(k)).toBe(1);
    const ttl = await raw.pTTL(k);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(20_000);
  });

  it.each([
    ['not JSON', 'not json{'],
    [
      'another version',
      JSON.stringify({ v: 2, endpoint: '', storedAt: Date.now(), claims: { active: true } }),
    ],
    ['an inactive result', 'ENDPOINT_INACTIVE'],
    ['another endpoint', 'OTHER_ENDPOINT'],
    ['extra members', 'EXTRA'],
  ])('ignores a hostile value in Redis (%s) and asks the authorization server', async (_name, value) => {
    const token = opaque();
    const entry = (endpoint: string, claims: Record<string, unknown>, more: object = {}) =>
      JSON.stringify({ v: 1, endpoint, storedAt: Date.now(), claims, ...more });
    const forged = {
      active: true,
      iss: 'https://issuer.example.com',
      aud: 'https://mcp.example.com/mcp',
      sub: 'attacker',
      exp: 9999999999,
    };
    const written =
      value === 'ENDPOINT_INACTIVE'
        ? entry(as.endpoint, { ...forged, active: false })
        : value === 'OTHER_ENDPOINT'
          ? entry('https://elsewhere.example/introspect', forged)
          : value === 'EXTRA'
            ? entry(as.endpoint, forged, { trusted: true })
            : value;
    await raw.set(`mcp-auth:${introspectionKey(token)}`, written);
    const before = as.calls.length;
    const result = await a.authenticate({ method: 'POST', url: '/mcp', authorization: [`Bearer ${token}`] });
    expect(result.auth?.subject).toBe('user-opaque');
    expect(as.calls.length - before).toBe(1);
  });

  it('a paused Redis costs at most the command deadline: opaque tokens are introspected, JWTs verified', async () => {
    const token = opaque();
    redis.pause();
    try {
      const before = as.calls.length;
      // Bounded: a store read that waited for Redis would outlast this race.
      const outcome = await Promise.race([
        call(b, token),
        new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), 2500)),
      ]);
      expect(outcome).toMatchObject({ status: 200 });
      expect(as.calls.length - before).toBe(1);
      expect((await call(b, jwt())).status).toBe(200);
    } finally {
      redis.resume();
    }
  });
});

describe.runIf(redisAvailable())('a result read from the store ages from when it was answered', () => {
  let redis: TestRedis;
  let as: IntrospectionServer;
  const fleet: McpAuth[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    as = await startAs();
    // Both caches on, 2 s each: the local cache must not restart the clock of a stored result.
    const settings = {
      store: { type: 'redis' as const, url: redis.url, commandTimeoutMs: 500 },
      cache: { maxEntries: 100, maxAgeSeconds: 2 },
      fetch: { timeoutMs: 2000 },
    };
    fleet.push(await instance(as, settings), await instance(as, settings));
  });
  afterAll(async () => {
    await Promise.all(fleet.map((auth) => auth.close()));
    await as?.close();
    await redis?.stop();
  });

  it('a token revoked at the server is refused once maxAge has passed since its answer, on every instance', async () => {
    const [a, b] = fleet as [McpAuth, McpAuth];
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const token = opaque();
    const answeredAt = Date.now();
    expect((await call(a, token)).status).toBe(200);
    answers.set(token, { active: false }); // revoked at the authorization server
    await sleep(1200);
    expect((await call(b, token)).status).toBe(200); // the stored answer, 1.2 s old
    await sleep(Math.max(0, answeredAt + 2300 - Date.now()));
    // 2.3 s after the answer: neither cache may still hold it (b's local entry began at 1.2 s).
    expect((await call(b, token)).status).toBe(401);
    expect((await call(a, token)).status).toBe(401);
  });
});

describe.runIf(redisAvailable())('a slow shared store is not the endpoint failing', () => {
  let redis: TestRedis;
  let as: IntrospectionServer;
  let auth: McpAuth;

  beforeAll(async () => {
    redis = await startRedis();
    as = await startAs();
    // A paused Redis takes the whole 300 ms deadline: the calls it leaves short time out.
    auth = await instance(as, {
      store: { type: 'redis' as const, url: redis.url, commandTimeoutMs: 300 },
      cache: { maxEntries: 0 },
      fetch: { timeoutMs: 300 },
    });
  });
  afterAll(async () => {
    await auth.close();
    await as.close();
    await redis.stop();
  });

  it("calls the store's slowness left short of time open no breaker: once Redis answers, the next token is asked about", async () => {
    redis.pause();
    try {
      for (let i = 0; i < 6; i++) expect((await call(auth, opaque())).status).toBe(503);
    } finally {
      redis.resume();
    }
    // Calls that timed out here may still reach the server late: look for this token's own.
    const token = opaque();
    expect((await call(auth, token)).status).toBe(200);
    expect(as.calls.filter((c) => c.form.get('token') === token)).toHaveLength(1);
  });
});
