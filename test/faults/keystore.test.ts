/**
 * The JWKS KeyStore on its own, against a real JWKS server: single-flight, the unknown-kid
 * cooldown, backoff after failures, the stale window, and which keys are ever used. Only `Date`
 * is faked (sockets and timers stay real), so policies in milliseconds are crossed exactly,
 * without sleeping.
 */
import { sign } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { TokenError } from '../../src/errors.js';
import { isUsableVerificationKey, KeyStore, type KeyStorePolicy } from '../../src/verify/jwks.js';
import { makeKey, type SigningKey } from '../support/tokens.js';
import { closeAllServers, jsonHandler, sendJson, startServer, type TestServer } from '../support/servers.js';
import { rejection } from '../support/rejection.js';

const POLICY: KeyStorePolicy = { cooldownMs: 50, maxAgeMs: 100, staleMs: 200 };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
});
afterEach(async () => {
  vi.useRealTimers();
  await closeAllServers();
});

const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

/**
 * Waits, in real time, for a background refresh to land. Not `vi.waitFor`: with fake timers it
 * advances the faked clock at every check, which would make the keys stale again.
 */
async function settled(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await condition()); i++)
    await new Promise((resolve) => setTimeout(resolve, 5));
  expect(await condition()).toBe(true);
}

const keyError = (promise: Promise<unknown>) => rejection(promise, TokenError);

async function jwksServer(...keys: SigningKey[]): Promise<TestServer> {
  return startServer(jsonHandler({ keys: keys.map((k) => k.publicJwk) }));
}

describe('KeyStore', () => {
  it('readyKeys answers synchronously only when getKeys would have nothing to do first', async () => {
    const a = makeKey();
    const server = await jwksServer(a);
    const store = new KeyStore({ uri: server.origin }, POLICY);
    const query = { alg: 'ES256', kid: a.kid };
    expect(store.readyKeys(query)).toBeUndefined(); // never loaded
    const [loaded] = await store.getKeys(query);
    expect(store.readyKeys(query)).toEqual([loaded]); // fresh, fitting, prepared: the same key
    expect(store.readyKeys({ alg: 'ES256', kid: 'other' })).toBeUndefined(); // no key fits: getKeys refetches
    expect(store.readyKeys({ alg: 'ES384', kid: a.kid })).toBeUndefined(); // wrong curve for the key
    expect(store.readyKeys({ alg: 'ES256' })).toEqual([loaded]); // no kid: every fitting key
    advance(POLICY.maxAgeMs);
    expect(store.readyKeys(query)).toBeUndefined(); // due for a refresh: getKeys starts it
    await store.getKeys(query); // stale keys serve while the refresh runs in the background
    // Once the refreshed set has landed and its key is prepared (by a getKeys), ready again.
    await vi.waitFor(async () => {
      await store.getKeys(query);
      expect(store.readyKeys(query)).toHaveLength(1);
    });
    expect(server.count()).toBe(2);
  });

  it('readyKeys leaves a key that is not prepared yet to getKeys', async () => {
    const a = makeKey();
    const b = makeKey();
    const store = new KeyStore({ keys: [a.publicJwk, b.publicJwk] }, POLICY);
    const [first] = await store.getKeys({ alg: 'ES256', kid: a.kid });
    expect(store.readyKeys({ alg: 'ES256', kid: a.kid })).toEqual([first]);
    expect(store.readyKeys({ alg: 'ES256', kid: b.kid })).toBeUndefined(); // b never prepared
    expect(store.readyKeys({ alg: 'ES256' })).toBeUndefined(); // one of the two fitting keys is not
    await store.getKeys({ alg: 'ES256' });
    expect(store.readyKeys({ alg: 'ES256' })).toHaveLength(2);
  });

  it('loads once for many concurrent lookups (single flight)', async () => {
    const key = makeKey();
    const server = await jwksServer(key);
    const store = new KeyStore({ uri: server.origin }, POLICY);
    await Promise.all(Array.from({ length: 50 }, () => store.getKey({ alg: 'ES256', kid: key.kid })));
    expect(server.count()).toBe(1);
    expect(store.fetchCount).toBe(1);
  });

  it('refetches for an unknown kid at most once per cooldown, and picks up a new kid after it', async () => {
    const a = makeKey();
    const b = makeKey();
    const server = await jwksServer(a);
    const store = new KeyStore({ uri: server.origin }, POLICY);
    await store.getKey({ alg: 'ES256', kid: a.kid });
    server.setHandler(jsonHandler({ keys: [a.publicJwk, b.publicJwk] }));

    // Within the cooldown: refused without a fetch.
    expect((await keyError(store.getKey({ alg: 'ES256', kid: b.kid }))).reason).toBe('unknown_key');
    expect(server.count()).toBe(1);

    advance(POLICY.cooldownMs);
    await expect(store.getKey({ alg: 'ES256', kid: b.kid })).resolves.toBeDefined();
    expect(server.count()).toBe(2);
  });

  it('a flood of unknown kids within the cooldown causes no fetch beyond the first load', async () => {
    const a = makeKey();
    const server = await jwksServer(a);
    const store = new KeyStore({ uri: server.origin }, { ...POLICY, cooldownMs: 30_000 });
    const errors = await Promise.all(
      Array.from({ length: 200 }, (_v, i) => keyError(store.getKey({ alg: 'ES256', kid: `unknown-${i}` }))),
    );
    expect(errors.every((e) => e.code === 'invalid_token' && e.reason === 'unknown_key')).toBe(true);
    expect(server.count()).toBe(1);
  });

  it('refuses a removed kid once a refresh has dropped it', async () => {
    const a = makeKey();
    const b = makeKey();
    const server = await jwksServer(a);
    const store = new KeyStore({ uri: server.origin }, POLICY);
    await store.getKey({ alg: 'ES256', kid: a.kid });
    server.setHandler(jsonHandler({ keys: [b.publicJwk] }));
    advance(POLICY.cooldownMs);
    await store.getKey({ alg: 'ES256', kid: b.kid }); // the refetch that drops a
    expect((await keyError(store.getKey({ alg: 'ES256', kid: a.kid }))).reason).toBe('unknown_key');
  });

  it('refreshes keys older than maxAge on use', async () => {
    const a = makeKey();
    const server = await jwksServer(a);
    const store = new KeyStore({ uri: server.origin }, POLICY);
    await store.getKey({ alg: 'ES256', kid: a.kid });
    advance(POLICY.maxAgeMs);
    await store.getKey({ alg: 'ES256', kid: a.kid });
    await vi.waitFor(() => expect(server.count()).toBe(2));
  });

  it('a refresh that publishes a key unchanged keeps it prepared: ready at once, nothing imported again', async () => {
    const a = makeKey();
    const server = await jwksServer(a);
    const store = new KeyStore({ uri: server.origin }, POLICY);
    const query = { alg: 'ES256', kid: a.kid };
    const [loaded] = await store.getKeys(query);
    // The same key, its members in another order: still the same key.
    const reordered = Object.fromEntries(Object.entries(a.publicJwk).reverse());
    server.setHandler(jsonHandler({ keys: [reordered] }));
    advance(POLICY.maxAgeMs);
    await store.getKeys(query); // starts the refresh; the held key serves meanwhile
    await vi.waitFor(() => expect(server.count()).toBe(2));
    await settled(() => store.readyKeys(query) !== undefined);
    expect(store.readyKeys(query)![0]).toBe(loaded);
  });

  it('a key republished under the same kid with other material is prepared afresh, and the old one no longer verifies', async () => {
    const a = makeKey();
    const rotated = makeKey('ES256', { kid: a.kid });
    const server = await jwksServer(a);
    const store = new KeyStore({ uri: server.origin }, POLICY);
    const query = { alg: 'ES256', kid: a.kid };
    const [before] = await store.getKeys(query);
    server.setHandler(jsonHandler({ keys: [rotated.publicJwk] }));
    advance(POLICY.maxAgeMs);
    await store.getKeys(query);
    await vi.waitFor(() => expect(server.count()).toBe(2));
    await settled(async () => (await store.getKeys(query))[0] !== before); // the refreshed set landed
    const [after] = await store.getKeys(query);
    const data = Buffer.from('header.payload');
    const signedBy = (key: typeof a) =>
      sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    expect(await after!.verify(data, signedBy(rotated), 'sync')).toBe(true);
    expect(await after!.verify(data, signedBy(a), 'sync')).toBe(false);
  });

  it('serves known kids from stale keys within the stale window while the JWKS is down, then 503 beyond it', async () => {
    const a = makeKey();
    const server = await jwksServer(a);
    const store = new KeyStore({ uri: server.origin }, POLICY);
    await store.getKey({ alg: 'ES256', kid: a.kid });
    server.setHandler((_req, res) => sendJson(res, 500, {}));

    advance(POLICY.maxAgeMs + 10); // stale, within the window
    await expect(store.getKey({ alg: 'ES256', kid: a.kid })).resolves.toBeDefined();
    await vi.waitFor(() => expect(server.count()).toBe(2)); // a background refresh was tried

    advance(POLICY.staleMs); // beyond maxAge + stale
    const err = await keyError(store.getKey({ alg: 'ES256', kid: a.kid }));
    expect(err.code).toBe('unavailable');
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Still refused while the failed refresh backs off: the stale keys are not used again.
    expect((await keyError(store.getKey({ alg: 'ES256', kid: a.kid }))).code).toBe('unavailable');
  });

  it('a JWKS that never loaded is unavailable, and retries back off instead of hammering', async () => {
    const server = await startServer((_req, res) => sendJson(res, 503, {}));
    const store = new KeyStore({ uri: server.origin }, { ...POLICY, cooldownMs: 30_000 });
    for (let i = 0; i < 20; i++) {
      const err = await keyError(store.getKey({ alg: 'ES256', kid: 'k' }));
      expect(err.code).toBe('unavailable');
      expect(err.reason).toBe('issuer_unavailable');
    }
    expect(server.count()).toBe(1);
    advance(1000); // the first backoff step
    await keyError(store.getKey({ alg: 'ES256', kid: 'k' }));
    expect(server.count()).toBe(2);
  });

  it('a failed refetch still counts for the cooldown', async () => {
    const a = makeKey();
    const server = await jwksServer(a);
    const store = new KeyStore({ uri: server.origin }, POLICY);
    await store.getKey({ alg: 'ES256', kid: a.kid });
    server.setHandler((_req, res) => sendJson(res, 500, {}));
    advance(POLICY.cooldownMs);
    expect((await keyError(store.getKey({ alg: 'ES256', kid: 'new-1' }))).code).toBe('unavailable');
    const flood = await Promise.all(
      Array.from({ length: 50 }, (_v, i) => keyError(store.getKey({ alg: 'ES256', kid: `new-${i + 2}` }))),
    );
    expect(flood.every((e) => e.reason === 'unknown_key')).toBe(true);
    expect(server.count()).toBe(2);
    // The known kid is still served from the fresh keys.
    await expect(store.getKey({ alg: 'ES256', kid: a.kid })).resolves.toBeDefined();
  });

  it('inline keys are never fetched and an unknown kid is refused at once', async () => {
    const a = makeKey();
    const store = new KeyStore({ keys: [a.publicJwk] }, POLICY);
    await expect(store.getKey({ alg: 'ES256', kid: a.kid })).resolves.toBeDefined();
    expect((await keyError(store.getKey({ alg: 'ES256', kid: 'other' }))).reason).toBe('unknown_key');
    expect(store.fetchCount).toBe(0);
  });

  it('matches the algorithm family: an ES256 header never selects an RSA key with the same kid', async () => {
    const rsa = makeKey('RS256', { kid: 'shared' });
    const store = new KeyStore({ keys: [rsa.publicJwk] }, POLICY);
    expect((await keyError(store.getKey({ alg: 'ES256', kid: 'shared' }))).reason).toBe('unknown_key');
    expect((await keyError(store.getKey({ alg: 'PS256', kid: 'shared' }))).reason).toBe('unknown_key');
    await expect(store.getKey({ alg: 'RS256', kid: 'shared' })).resolves.toBeDefined();
  });
});

describe('unusable keys in a JWKS are dropped', () => {
  it('private, symmetric, weak RSA, encryption-only and verify-less keys are never usable', async () => {
    const ec = makeKey('ES256');
    const rsa = makeKey('RS256');
    const weak = makeKey('RS256', { rsaBits: 1024, kid: 'weak' }).publicJwk;
    expect(isUsableVerificationKey(ec.publicJwk as Record<string, unknown>)).toBe(true);
    expect(isUsableVerificationKey(rsa.publicJwk as Record<string, unknown>)).toBe(true);
    for (const jwk of [
      ec.privateJwk,
      rsa.privateJwk,
      { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' },
      weak,
      { ...ec.publicJwk, use: 'enc' },
      { ...ec.publicJwk, key_ops: ['encrypt'] },
      { ...ec.publicJwk, kty: undefined },
      { kty: 'RSA', e: 'AQAB', kid: 'no-modulus' },
    ]) {
      expect(isUsableVerificationKey(jwk as Record<string, unknown>)).toBe(false);
    }
  });

  it('a store fed unusable keys beside a good one holds only the good one and refuses their kids', async () => {
    const ec = makeKey('ES256');
    const good = makeKey('ES256');
    const weak = makeKey('RS256', { rsaBits: 1024, kid: 'weak' }).publicJwk;
    const server = await startServer(
      jsonHandler({
        keys: [ec.privateJwk, weak, { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac', alg: 'HS256' }, good.publicJwk],
      }),
    );
    const store = new KeyStore({ uri: server.origin }, POLICY);
    expect((await keyError(store.getKey({ alg: 'ES256', kid: ec.kid }))).reason).toBe('unknown_key');
    expect(store.size).toBe(1);
    for (const [alg, kid] of [
      ['RS256', 'weak'],
      ['HS256', 'hmac'],
    ] as const) {
      expect((await keyError(store.getKey({ alg, kid }))).reason).toBe('unknown_key');
    }
  });
});

/** Key sets that parse as a JWK Set but hold not one usable key. */
async function brokenKeySets(): Promise<[string, unknown][]> {
  const ec = makeKey('ES256');
  return [
    ['{"keys":[null]}', { keys: [null] }],
    ['entries that are not objects', { keys: [1, 'key', [], true] }],
    ['an EC key without its coordinates', { keys: [{ kty: 'EC', crv: 'P-256', kid: ec.kid }] }],
    ['an EC key whose point is not on the curve', { keys: [{ ...ec.publicJwk, x: 'AAAA', y: 'AAAA' }] }],
    ['an EC key on an unknown curve', { keys: [{ ...ec.publicJwk, crv: 'P-192' }] }],
    [
      'only keys of unsupported types',
      {
        keys: [
          { kty: 'XYZ', kid: 'x' },
          { kty: 'OKP', crv: 'X25519', x: ec.publicJwk.x },
        ],
      },
    ],
  ];
}

describe('a key set that parses but holds no usable key is a failed fetch', () => {
  it('with no keys loaded before, every broken set is unavailable, never unknown_key', async () => {
    for (const [name, body] of await brokenKeySets()) {
      const server = await startServer(jsonHandler(body));
      const store = new KeyStore({ uri: server.origin }, POLICY);
      const err = await keyError(store.getKey({ alg: 'ES256', kid: 'k' }));
      expect(err.code, name).toBe('unavailable');
      expect(err.retryAfterSeconds, name).toBeGreaterThanOrEqual(1);
      expect(store.size, name).toBe(0);
    }
  });

  it('a refresh answered with a broken set keeps the last good keys serving', async () => {
    for (const [name, body] of await brokenKeySets()) {
      const a = makeKey();
      const server = await jwksServer(a);
      const store = new KeyStore({ uri: server.origin }, POLICY);
      await store.getKey({ alg: 'ES256', kid: a.kid });
      server.setHandler(jsonHandler(body));
      advance(POLICY.maxAgeMs); // due for refresh, within the stale window
      await expect(store.getKey({ alg: 'ES256', kid: a.kid }), name).resolves.toBeDefined();
      await vi.waitFor(() => expect(server.count(), name).toBe(2)); // the refresh was made
      await expect(store.getKey({ alg: 'ES256', kid: a.kid }), name).resolves.toBeDefined();
      expect(store.size, name).toBe(1);
    }
  });

  it('an empty key set is taken as published (no key, not a failure)', async () => {
    const server = await startServer(jsonHandler({ keys: [] }));
    const store = new KeyStore({ uri: server.origin }, POLICY);
    expect((await keyError(store.getKey({ alg: 'ES256', kid: 'k' }))).reason).toBe('unknown_key');
  });
});
