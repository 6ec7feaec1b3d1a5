/**
 * Exchanged downstream tokens through a real Redis: two runtimes ("instances") sharing one store
 * exchange a caller's token once between them; the store key and value never hold the inbound
 * token; a hostile or expired entry is ignored and the instance exchanges for itself.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, type AuthInfo, type McpAuth } from '../../src/index.js';
import { RESOURCE } from '../support/constants.js';
import { exchangeManifest, startStaticExchangeIssuer } from '../support/exchange-issuer.js';
import { bearerRequest, startFakeIssuer, type FakeIssuer } from '../support/issuer.js';
import { redisAvailable, startRedis, type TestRedis } from '../support/redis.js';
import { closeAllServers, sendJson, type TestServer } from '../support/servers.js';
import { claims, makeKey, signToken, type SigningKey } from '../support/tokens.js';

const SECRET = 'share-downstream-secret';
const runs = redisAvailable() || process.env.CI ? describe : describe.skip;
if (!redisAvailable() && !process.env.CI) console.warn('share-downstream: redis-server not found, skipped');

runs('exchanged tokens shared through Redis', () => {
  let redis: TestRedis;
  let key: SigningKey;
  let inbound: FakeIssuer;
  let as: TestServer;
  let exchanges = 0;
  let a: McpAuth;
  let b: McpAuth;

  const instance = () =>
    compile(exchangeManifest(inbound.issuer, as.origin, { store: { type: 'redis', url: redis.url } }), {
      env: { SECRET },
    });

  beforeAll(async () => {
    redis = await startRedis();
    key = makeKey('ES256');
    inbound = await startFakeIssuer([key]);
    as = await startStaticExchangeIssuer((_req, res) => {
      exchanges++;
      sendJson(res, 200, {
        access_token: `exchanged-${exchanges}`,
        token_type: 'Bearer',
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        expires_in: 300,
      });
    });
    a = await instance();
    b = await instance();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await closeAllServers();
    await redis?.stop();
  });

  async function caller(auth: McpAuth, token: string): Promise<AuthInfo> {
    return (await auth.authenticate(bearerRequest(token))).auth!;
  }

  it('one exchange serves the same caller on both instances; the store never holds the inbound token', async () => {
    const token = signToken(key, claims(inbound.issuer, RESOURCE, { sub: 'u-shared' }));
    const before = exchanges;
    const first = await a.downstreamToken(await caller(a, token), 'api');
    // The write to the store is not awaited by the caller: give it a moment to land.
    await new Promise((r) => setTimeout(r, 100));
    const second = await b.downstreamToken(await caller(b, token), 'api');
    expect(exchanges - before).toBe(1);
    expect(second.accessToken).toBe(first.accessToken);

    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const keys = await client.keys('*downstream*');
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) {
        expect(k).not.toContain(token);
        expect(await client.get(k)).not.toContain(token);
      }
    } finally {
      await client.quit();
    }
  });

  it('a hostile value in the store is ignored: the instance exchanges for itself', async () => {
    const token = signToken(key, claims(inbound.issuer, RESOURCE, { sub: 'u-hostile' }));
    const info = await caller(a, token);
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      // Poison every downstream key a first exchange writes, then ask the other instance.
      await a.downstreamToken(info, 'api');
      await new Promise((r) => setTimeout(r, 100));
      for (const k of await client.keys('*downstream*')) {
        await client.set(
          k,
          JSON.stringify({ v: 1, usableUntilMs: Date.now() + 60_000, token: { accessToken: 'evil\r\nx' } }),
        );
      }
    } finally {
      await client.quit();
    }
    const before = exchanges;
    const got = await b.downstreamToken(await caller(b, token), 'api');
    expect(got.accessToken).toMatch(/^exchanged-\d+$/);
    expect(exchanges - before).toBe(1);
  });
});
