/**
 * JWKS and issuer faults seen through the runtime (compile + authenticate), with tokens signed by
 * the test: a key set that cannot be had is 503 with Retry-After (never 401 invalid_token), an
 * empty one is 401 unknown_key, rotation and outages follow the cooldown and stale window, and
 * unusable keys are never used. Only `Date` is faked where policies in seconds must be crossed;
 * sockets and timers stay real.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import type { AuthResult } from '../../src/runtime/types.js';
import { generateKeyPairSync } from 'node:crypto';

import { OAUTH_METADATA_PATH, RESOURCE } from '../support/constants.js';
import {
  asMetadata,
  bearerRequest,
  manifestFor,
  startFakeIssuer,
  type FakeIssuer,
} from '../support/issuer.js';
import { claims, makeKey, signToken, type Jwk, type SigningKey } from '../support/tokens.js';
import {
  closeAllServers,
  dripHandler,
  hugeJsonHandler,
  jsonHandler,
  neverAnswer,
  rawHandler,
  redirectHandler,
  routes,
  startServer,
  type Handler,
} from '../support/servers.js';

const runtimes: McpAuth[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(runtimes.splice(0).map((a) => a.close()));
  await closeAllServers();
});

async function setup(
  keys: SigningKey[],
  settings: Parameters<typeof manifestFor>[1] = {},
): Promise<{ as: FakeIssuer; auth: McpAuth }> {
  const as = await startFakeIssuer(keys);
  const auth = await compile(manifestFor(as.issuer, settings));
  runtimes.push(auth);
  return { as, auth };
}

async function call(auth: McpAuth, token: string): Promise<AuthResult> {
  return auth.authenticate(bearerRequest(token), { showErrorDetails: true });
}

/** The failed check of a refused request (from `showErrorDetails`). */
function check(result: AuthResult): string | undefined {
  return result.response?.body ? (JSON.parse(result.response.body) as { check?: string }).check : undefined;
}

function expectUnavailable(result: AuthResult): void {
  expect(result.response?.status).toBe(503);
  expect(result.response?.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(result.response?.headers['www-authenticate']).toBeUndefined();
  expect(result.response?.body).not.toContain('invalid_token');
  expect(check(result)).toBe('issuer_unavailable');
}

function expectUnknownKey(result: AuthResult): void {
  expect(result.response?.status).toBe(401);
  expect(result.response?.headers['www-authenticate']).toContain('error="invalid_token"');
  expect(check(result)).toBe('unknown_key');
}

const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

describe('a JWKS that cannot be had, before any key was loaded → 503', () => {
  const cases: [string, () => Promise<Handler> | Handler][] = [
    ['answers 500', () => jsonHandler({ error: 'boom' }, 500)],
    ['answers 404', () => jsonHandler({ error: 'missing' }, 404)],
    ['sends HTML', () => rawHandler('<html><body>Login</body></html>', 'text/html')],
    ['never answers', () => neverAnswer],
    ['drips one byte at a time', () => dripHandler(20)],
    ['streams 5 MiB', () => hugeJsonHandler(5 * 1024 * 1024)],
    ['declares a 5 MiB content-length', () => hugeJsonHandler(5 * 1024 * 1024, { declare: true })],
    ['returns null', () => rawHandler('null')],
    ['returns []', () => rawHandler('[]')],
    ['returns truncated JSON', () => rawHandler('{"keys":[{"kty":"EC"')],
    ['returns an object without keys', () => jsonHandler({ not_keys: [] })],
    ['returns keys that is not an array', () => jsonHandler({ keys: { kty: 'EC' } })],
    ['returns {"keys":[null]}', () => jsonHandler({ keys: [null] })],
    ['returns entries of the wrong shape', () => jsonHandler({ keys: [1, 'k', [], { kty: 'EC' }] })],
    [
      'returns only keys of unsupported types',
      () =>
        jsonHandler({
          keys: [
            { kty: 'XYZ', kid: 'a' },
            { kty: 'OKP', crv: 'X25519', x: 'AAAA' },
          ],
        }),
    ],
  ];

  it.each(cases)('JWKS server %s', async (_name, make) => {
    const key = makeKey();
    const { as, auth } = await setup([key], { fetch: { timeoutMs: 300 } });
    as.setJwks(await make());
    const token = signToken(key, claims(as.issuer, RESOURCE));
    expectUnavailable(await call(auth, token));
    expect(as.jwksCount()).toBe(1);
    // Retries back off: an immediate second request does not refetch.
    expectUnavailable(await call(auth, token));
    expect(as.jwksCount()).toBe(1);
  });

  it('JWKS server redirects: 503, and the redirect target receives nothing', async () => {
    const key = makeKey();
    const target = await startServer(jsonHandler({ keys: [key.publicJwk] }));
    const { as, auth } = await setup([key]);
    as.setJwks(redirectHandler(`${target.origin}/jwks`));
    expectUnavailable(await call(auth, signToken(key, claims(as.issuer, RESOURCE))));
    expect(target.count()).toBe(0);
  });

  it('the whole AS goes away after compile: 503, not 401', async () => {
    const key = makeKey();
    const { as, auth } = await setup([key]);
    await as.server.close();
    expectUnavailable(await call(auth, signToken(key, claims(as.issuer, RESOURCE))));
  });

  it('a refresh answered with {"keys":[null]} keeps the last good keys serving', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const key = makeKey();
    const { as, auth } = await setup([key], { jwks: { maxAgeSeconds: 10, staleSeconds: 3600 } });
    expect((await call(auth, signToken(key, claims(as.issuer, RESOURCE)))).auth).toBeDefined();
    as.setJwks(jsonHandler({ keys: [null] }));
    advance(10_000);
    const due = signToken(key, claims(as.issuer, RESOURCE, { sub: 'due' }));
    expect((await call(auth, due)).auth?.subject).toBe('due');
    await vi.waitFor(() => expect(as.jwksCount()).toBe(2)); // the refresh was made, and failed
    const after = signToken(key, claims(as.issuer, RESOURCE, { sub: 'after' }));
    expect((await call(auth, after)).auth?.subject).toBe('after');
  });

  it('an empty key set {"keys":[]} is 401 unknown_key, not 503', async () => {
    const key = makeKey();
    const { as, auth } = await setup([]);
    expectUnknownKey(await call(auth, signToken(key, claims(as.issuer, RESOURCE))));
  });

  it('recovers when the JWKS comes back, after the backoff', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const key = makeKey();
    const { as, auth } = await setup([key]);
    as.setJwks(jsonHandler({}, 502));
    const token = signToken(key, claims(as.issuer, RESOURCE));
    expectUnavailable(await call(auth, token));
    as.publish(key);
    advance(1000);
    expect((await call(auth, token)).auth?.issuer).toBe(as.issuer);
    expect(as.jwksCount()).toBe(2);
  });
});

describe("the key set server's Retry-After", () => {
  /** A key set that answers `status` with this `Retry-After`. */
  const busy =
    (status: number, retryAfter: string): Handler =>
    (_req, res) =>
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': retryAfter }).end('{}');

  it.each([
    ['429 with Retry-After: 20 (seconds)', 429, () => '20', 20],
    [
      '503 with Retry-After as an HTTP date 40 s ahead',
      503,
      () => new Date(Date.now() + 40_500).toUTCString(),
      40,
    ],
  ])('%s: no fetch until then, and the 503 says so', async (_name, status, retryAfter, seconds) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const key = makeKey();
    const { as, auth } = await setup([key]);
    as.setJwks(busy(status, retryAfter()));
    const token = signToken(key, claims(as.issuer, RESOURCE));
    const first = await call(auth, token);
    expectUnavailable(first);
    // The first failure alone would back off 1 s.
    expect(Number(first.response?.headers['retry-after'])).toBeGreaterThanOrEqual(seconds - 1);
    expect(Number(first.response?.headers['retry-after'])).toBeLessThanOrEqual(seconds + 1);
    as.publish(key);
    advance(5000);
    expectUnavailable(await call(auth, token));
    expect(as.jwksCount()).toBe(1);
    advance(seconds * 1000);
    expect((await call(auth, token)).auth?.issuer).toBe(as.issuer);
    expect(as.jwksCount()).toBe(2);
  });

  it('a Retry-After past the backoff cap (60 s) waits the cap, not a day', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const key = makeKey();
    const { as, auth } = await setup([key]);
    as.setJwks(busy(429, '86400'));
    const token = signToken(key, claims(as.issuer, RESOURCE));
    const first = await call(auth, token);
    expectUnavailable(first);
    expect(first.response?.headers['retry-after']).toBe('60');
    as.publish(key);
    advance(60_000);
    expect((await call(auth, token)).auth?.issuer).toBe(as.issuer);
  });
});

describe('key rotation', () => {
  it('a new kid is picked up after the cooldown and a removed kid is refused after the refresh', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const a = makeKey();
    const b = makeKey();
    const { as, auth } = await setup([a], { jwks: { cooldownSeconds: 30 } });
    expect((await call(auth, signToken(a, claims(as.issuer, RESOURCE)))).auth).toBeDefined();
    expect(as.jwksCount()).toBe(1);

    as.publish(b); // the AS rotates: a is gone, b signs
    // Within the cooldown the new kid is not yet known, and no refetch is made.
    expectUnknownKey(await call(auth, signToken(b, claims(as.issuer, RESOURCE))));
    expect(as.jwksCount()).toBe(1);

    advance(30_000);
    expect((await call(auth, signToken(b, claims(as.issuer, RESOURCE)))).auth).toBeDefined();
    expect(as.jwksCount()).toBe(2);
    expectUnknownKey(await call(auth, signToken(a, claims(as.issuer, RESOURCE))));
    expect(as.jwksCount()).toBe(2);
  });

  it('with cooldownSeconds 0 a new kid is picked up at once', async () => {
    const a = makeKey();
    const b = makeKey();
    const { as, auth } = await setup([a], { jwks: { cooldownSeconds: 0 } });
    await call(auth, signToken(a, claims(as.issuer, RESOURCE)));
    as.publish(a, b);
    expect((await call(auth, signToken(b, claims(as.issuer, RESOURCE)))).auth).toBeDefined();
    expect(as.jwksCount()).toBe(2);
  });
});

describe('the AS down mid-run', () => {
  it('within the stale window known kids still verify; beyond it 503, also during the retry backoff', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const key = makeKey();
    const { as, auth } = await setup([key], {
      jwks: { cooldownSeconds: 1, maxAgeSeconds: 10, staleSeconds: 20 },
    });
    const first = signToken(key, claims(as.issuer, RESOURCE));
    expect((await call(auth, first)).auth).toBeDefined();
    as.setAll(jsonHandler({ error: 'down' }, 500));

    advance(15_000); // keys 15 s old: stale, within maxAge + stale = 30 s
    const stale = signToken(key, claims(as.issuer, RESOURCE, { sub: 'stale' }));
    expect((await call(auth, stale)).auth?.subject).toBe('stale');
    await vi.waitFor(() => expect(as.jwksCount()).toBe(2)); // a background refresh was tried

    advance(20_000); // 35 s: beyond the window
    const late = signToken(key, claims(as.issuer, RESOURCE, { sub: 'late' }));
    expectUnavailable(await call(auth, late));
    expectUnavailable(await call(auth, late));

    as.setAll(undefined); // back up
    advance(2_000);
    expect((await call(auth, late)).auth?.subject).toBe('late');
  });
});

describe('a flood of unknown kids', () => {
  it('200 tokens with unknown kids cause at most 2 JWKS fetches within the cooldown', async () => {
    const known = makeKey();
    const stranger = makeKey();
    const { as, auth } = await setup([known]);
    const tokens = await Promise.all(
      Array.from({ length: 200 }, (_v, i) =>
        signToken(stranger, claims(as.issuer, RESOURCE), { kid: `attacker-${i}` }),
      ),
    );
    const concurrent = await Promise.all(tokens.slice(0, 100).map((t) => call(auth, t)));
    const sequential: AuthResult[] = [];
    for (const t of tokens.slice(100)) sequential.push(await call(auth, t));
    for (const result of [...concurrent, ...sequential]) expectUnknownKey(result);
    expect(as.jwksCount()).toBeLessThanOrEqual(2);
    // The known key still works, without another fetch.
    expect((await call(auth, signToken(known, claims(as.issuer, RESOURCE)))).auth).toBeDefined();
    expect(as.jwksCount()).toBeLessThanOrEqual(2);
  });

  it('a failed refetch does not defeat the cooldown', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const known = makeKey();
    const stranger = makeKey();
    const { as, auth } = await setup([known], { jwks: { cooldownSeconds: 30 } });
    await call(auth, signToken(known, claims(as.issuer, RESOURCE)));
    as.setJwks(jsonHandler({}, 500));
    advance(30_000);
    expectUnavailable(await call(auth, signToken(stranger, claims(as.issuer, RESOURCE), { kid: 'x0' })));
    expect(as.jwksCount()).toBe(2);
    for (let i = 1; i <= 50; i++) {
      const result = await call(auth, signToken(stranger, claims(as.issuer, RESOURCE), { kid: `x${i}` }));
      expect(result.response?.status).toBe(401);
    }
    expect(as.jwksCount()).toBe(2);
    expect((await call(auth, signToken(known, claims(as.issuer, RESOURCE)))).auth).toBeDefined();
  });
});

describe('unusable keys published in the JWKS are never used', () => {
  it('a private key in the JWKS: a token signed with it is refused', async () => {
    const key = makeKey('ES256');
    const good = makeKey('ES256');
    const { as, auth } = await setup([]);
    as.setJwks(jsonHandler({ keys: [key.privateJwk, good.publicJwk] }));
    expectUnknownKey(await call(auth, signToken(key, claims(as.issuer, RESOURCE))));
  });

  it('a private RSA key in the JWKS: a token signed with it is refused', async () => {
    const key = makeKey('RS256');
    const good = makeKey('RS256');
    const { as, auth } = await setup([]);
    as.setJwks(jsonHandler({ keys: [key.privateJwk, good.publicJwk] }));
    expectUnknownKey(await call(auth, signToken(key, claims(as.issuer, RESOURCE))));
  });

  it('a weak 1024-bit RSA key: a token signed with it is refused, a good key beside it works', async () => {
    const good = makeKey('RS256');
    const { as, auth } = await setup([]);
    const weak = makeKey('RS256', { rsaBits: 1024, kid: 'weak' });
    as.setJwks(jsonHandler({ keys: [weak.publicJwk, good.publicJwk] }));
    expectUnknownKey(await call(auth, signToken(weak, claims(as.issuer, RESOURCE))));
    expect((await call(auth, signToken(good, claims(as.issuer, RESOURCE)))).auth).toBeDefined();
  });

  it('an RSA key with a public exponent over 32 bits (each check would cost milliseconds) is never used', async () => {
    const good = makeKey('RS256', { kid: 'big-e' });
    const { as, auth } = await setup([]);
    // 2^40 + 1, odd: OpenSSL takes it, and the check of every forged token would be slow.
    const e = Buffer.from([0x01, 0x00, 0x00, 0x00, 0x00, 0x01]).toString('base64url');
    const other = makeKey('RS256');
    as.setJwks(jsonHandler({ keys: [{ ...good.publicJwk, e }, other.publicJwk] }));
    // A usable key would give `signature` (the token was signed for e = 65537); an unusable one none at all.
    expectUnknownKey(await call(auth, signToken(good, claims(as.issuer, RESOURCE))));
    expect((await call(auth, signToken(other, claims(as.issuer, RESOURCE)))).auth).toBeDefined();
  });

  it('a symmetric key: an HS256 token signed with its secret is refused before any key lookup', async () => {
    const { SignJWT } = await import('jose');
    const secret = Buffer.from('a-shared-secret-that-is-long-enough-for-hs256');
    const { as, auth } = await setup([]);
    as.setJwks(
      jsonHandler({ keys: [{ kty: 'oct', kid: 'hmac', alg: 'HS256', k: secret.toString('base64url') }] }),
    );
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ scope: 'read' })
      .setProtectedHeader({ alg: 'HS256', kid: 'hmac' })
      .setIssuer(as.issuer)
      .setAudience(RESOURCE)
      .setExpirationTime(now + 300)
      .sign(secret);
    const result = await call(auth, token);
    expect(result.response?.status).toBe(401);
    expect(check(result)).toBe('unsupported_algorithm');
    expect(as.jwksCount()).toBe(0);
  });
});

describe('settings.jwks.cooldownSeconds: 0', () => {
  it('a dead JWKS endpoint is still backed off: not fetched on every request', async () => {
    const key = makeKey();
    const { as, auth } = await setup([key], { jwks: { cooldownSeconds: 0 } });
    as.setJwks(jsonHandler({ error: 'down' }, 503));
    for (let i = 0; i < 20; i++) {
      expectUnavailable(await call(auth, signToken(key, claims(as.issuer, RESOURCE, { sub: `u${i}` }))));
    }
    expect(as.jwksCount()).toBe(1);
  });

  it('unknown kids against a JWKS that went down are refetched once, then backed off', async () => {
    const known = makeKey();
    const stranger = makeKey();
    const { as, auth } = await setup([known], { jwks: { cooldownSeconds: 0 } });
    await call(auth, signToken(known, claims(as.issuer, RESOURCE)));
    as.setJwks(jsonHandler({ error: 'down' }, 503));
    for (let i = 0; i < 20; i++) {
      await call(auth, signToken(stranger, claims(as.issuer, RESOURCE), { kid: `new-${i}` }));
    }
    expect(as.jwksCount()).toBe(2);
  });
});

describe('tokens without kid', () => {
  const kidless = (key: ReturnType<typeof makeKey>, iss: string, sub = 'user-1') =>
    signToken(key, claims(iss, RESOURCE, { sub }), { kid: undefined });
  const noKid = (jwk: Jwk): Jwk => ({ ...jwk, kid: undefined });
  /** A public EC JWK on another curve (P-384), without alg. */
  const p384 = (): Jwk => ({
    ...(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }) as Jwk),
    use: 'sig',
  });

  it('verify with the second of several keys of their type (rotation by a provider that omits kid)', async () => {
    const old = makeKey('ES256');
    const current = makeKey('ES256');
    const { as, auth } = await setup([]);
    as.setJwks(jsonHandler({ keys: [noKid(old.publicJwk), noKid(current.publicJwk)] }));
    expect((await call(auth, kidless(current, as.issuer, 'current'))).auth?.subject).toBe('current');
    expect((await call(auth, kidless(old, as.issuer, 'old'))).auth?.subject).toBe('old');
  });

  it('only keys of the right kty, crv and alg are candidates, so decoys never use up the bound', async () => {
    const signer = makeKey('ES256');
    const decoys: Jwk[] = [
      ...Array.from({ length: 5 }, p384),
      { ...noKid(makeKey('ES256').publicJwk), alg: 'ES384' },
      noKid(makeKey('RS256').publicJwk),
      noKid(makeKey('EdDSA').publicJwk),
      { ...noKid(makeKey('ES256').publicJwk), alg: 'ES512' },
    ];
    const { as, auth } = await setup([]);
    as.setJwks(jsonHandler({ keys: [...decoys, noKid(signer.publicJwk)] }));
    expect((await call(auth, kidless(signer, as.issuer))).auth).toBeDefined();
  });

  it('at most 5 candidates are tried: a token verifiable only by a sixth key of its type is refused', async () => {
    const others = Array.from({ length: 5 }, () => noKid(makeKey('ES256').publicJwk));
    const sixth = makeKey('ES256');
    const { as, auth } = await setup([]);
    as.setJwks(jsonHandler({ keys: [...others, noKid(sixth.publicJwk)] }));
    const result = await call(auth, kidless(sixth, as.issuer));
    expect(result.response?.status).toBe(401);
    expect(check(result)).toBe('signature');
  });

  it('a new kid-less key is picked up by a refetch after the cooldown', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const a = makeKey('ES256');
    const b = makeKey('ES256');
    const { as, auth } = await setup([], { jwks: { cooldownSeconds: 30 } });
    as.setJwks(jsonHandler({ keys: [noKid(a.publicJwk)] }));
    expect((await call(auth, kidless(a, as.issuer))).auth).toBeDefined();
    as.setJwks(jsonHandler({ keys: [noKid(a.publicJwk), noKid(b.publicJwk)] }));
    // Within the cooldown no refetch: the signature does not verify with the known key.
    expect(check(await call(auth, kidless(b, as.issuer, 'early')))).toBe('signature');
    expect(as.jwksCount()).toBe(1);
    advance(30_000);
    expect((await call(auth, kidless(b, as.issuer, 'later'))).auth?.subject).toBe('later');
    expect(as.jwksCount()).toBe(2);
  });
});

describe('a metadata refresh that moves jwks_uri', () => {
  it('moves later key fetches to the new URI', { timeout: 10_000 }, async () => {
    const a = makeKey();
    const b = makeKey();
    const moved = await startServer(jsonHandler({ keys: [a.publicJwk, b.publicJwk] }));
    const { as, auth } = await setup([a], { metadataRefreshSeconds: 1 });
    expect((await call(auth, signToken(a, claims(as.issuer, RESOURCE)))).auth).toBeDefined();
    expect(as.jwksCount()).toBe(1);

    const metadata = asMetadata(as.issuer, { jwks_uri: `${moved.origin}/jwks` });
    const before = as.metadataCount();
    as.setAll(routes({ [OAUTH_METADATA_PATH]: metadata }));
    await vi.waitFor(() => expect(as.server.count(OAUTH_METADATA_PATH)).toBeGreaterThan(before), {
      timeout: 5000,
      interval: 50,
    });
    // b is published only at the new URI: it verifies as soon as the refreshed metadata is in
    // (well within the old URI's 30 s cooldown, so not by a refetch there).
    await vi.waitFor(
      async () => {
        const token = signToken(b, claims(as.issuer, RESOURCE));
        expect((await call(auth, token)).auth).toBeDefined();
      },
      { timeout: 5000, interval: 50 },
    );
    expect(moved.count('/jwks')).toBeGreaterThanOrEqual(1);
    expect(as.jwksCount()).toBe(1);
  });
});
