/**
 * JWT policy, over real HTTP against a loopback JWKS server: algorithms, issuer selection,
 * time claims, audience, typ, cnf, crit, scope claims and the scope hierarchy. Each refusal is
 * checked with its exact status, error code and WWW-Authenticate value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertHeader, decodeJws } from '../../src/verify/jwt.js';
import { ALGORITHMS, claims, makeKey, now, signText, signToken } from '../support/tokens.js';
import { issuerEntry, startJwksServer } from '../support/issuer.js';
import { expectAccepted, expectRefused, harness, type Harness } from './harness.js';
import { ISSUER, RESOURCE } from '../support/constants.js';

describe('JWT policy (defaults)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it.each(ALGORITHMS)('accepts a %s token signed by a key from the JWKS', async (alg) => {
    const echo = expectAccepted(await h.call(h.token({}, { alg })));
    expect(echo.auth).toMatchObject({ issuer: ISSUER, audience: [RESOURCE], subject: 'user-1' });
  });

  it('refuses a token whose signature does not verify', async () => {
    const [header, , sig] = h.token().split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify(claims(ISSUER, RESOURCE, { scope: 'admin' }))).toString('base64url')}.${sig}`;
    expectRefused(await h.call(forged), { status: 401, error: 'invalid_token', reason: 'signature' });
  });

  it('refuses a token signed by a key that is not in the JWKS', async () => {
    const stranger = makeKey('ES256');
    const res = await h.call(signToken(stranger, claims(ISSUER, RESOURCE)));
    expectRefused(res, { status: 401, error: 'invalid_token', reason: 'unknown_key' });
  });

  it("refuses a token signed with a listed key's kid but another key", async () => {
    const stranger = makeKey('ES256', { kid: h.keys.ES256.kid });
    const res = await h.call(signToken(stranger, claims(ISSUER, RESOURCE)));
    expectRefused(res, { status: 401, error: 'invalid_token', reason: 'signature' });
  });

  it.each([
    ['a trailing slash', `${ISSUER}/`],
    ['another case', ISSUER.toUpperCase()],
    ['http instead of https', ISSUER.replace('https', 'http')],
    ['an explicit default port', `${ISSUER}:443`],
    ['a prefix', 'https://issuer.example'],
    ['no iss at all', undefined],
    ['a non-string iss', 42],
  ])('selects the issuer by exact iss: %s is refused', async (_name, iss) => {
    const res = await h.call(h.token({ iss }));
    expectRefused(res, { status: 401, error: 'invalid_token', reason: 'unknown_issuer' });
  });

  it('requires exp', async () => {
    const res = await h.call(h.token({ exp: undefined }));
    expectRefused(res, { status: 401, error: 'invalid_token', reason: 'missing_exp' });
  });

  it.each([
    ['a string', String(now() + 300)],
    ['null', null],
    ['an object', { $date: 1 }],
  ])('refuses exp given as %s', async (_name, exp) => {
    const res = await h.call(h.token({ exp }));
    expectRefused(res, { status: 401, error: 'invalid_token', reason: 'invalid_claims' });
  });

  it('refuses a non-finite exp (1e400 parses as Infinity)', async () => {
    const k = h.keys.RS256;
    const payload = JSON.stringify(claims(ISSUER, RESOURCE)).replace(/"exp":\d+/, '"exp":1e400');
    const token = signText(k, JSON.stringify({ alg: 'RS256', kid: k.kid }), payload);
    expectRefused(await h.call(token), { status: 401, error: 'invalid_token', reason: 'invalid_claims' });
  });

  it('refuses an expired token beyond the 30 s tolerance and accepts one within it', async () => {
    expectRefused(await h.call(h.token({ exp: now() - 31 })), {
      status: 401,
      error: 'invalid_token',
      reason: 'expired',
    });
    expectAccepted(await h.call(h.token({ exp: now() - 20 })));
  });

  it('refuses nbf in the future beyond the tolerance; accepts it within', async () => {
    expectRefused(await h.call(h.token({ nbf: now() + 60 })), {
      status: 401,
      error: 'invalid_token',
      reason: 'not_yet_valid',
    });
    expectAccepted(await h.call(h.token({ nbf: now() + 20 })));
  });

  it('refuses iat in the future beyond the tolerance; accepts it within', async () => {
    expectRefused(await h.call(h.token({ iat: now() + 60 })), {
      status: 401,
      error: 'invalid_token',
      reason: 'issued_in_future',
    });
    expectAccepted(await h.call(h.token({ iat: now() + 20 })));
  });

  it.each(['nbf', 'iat'])('refuses a non-numeric %s', async (name) => {
    const res = await h.call(h.token({ [name]: String(now()) }));
    expectRefused(res, { status: 401, error: 'invalid_token', reason: 'invalid_claims' });
  });

  it.each([
    ['upper-case scheme and host', 'HTTPS://MCP.EXAMPLE.COM/mcp'],
    ['the explicit default port', 'https://mcp.example.com:443/mcp'],
    ['an array containing it', ['https://other.example/x', RESOURCE]],
  ])('accepts the audience with %s (URL-canonical comparison)', async (_name, aud) => {
    expectAccepted(await h.call(h.token({ aud })));
  });

  it.each([
    ['a trailing slash', `${RESOURCE}/`],
    ['another path case', 'https://mcp.example.com/MCP'],
    ['http instead of https', 'http://mcp.example.com/mcp'],
    ['another port', 'https://mcp.example.com:8443/mcp'],
    ['a dot segment', 'https://mcp.example.com/x/../mcp'],
    ['an encoded dot segment', 'https://mcp.example.com/x/%2e%2e/mcp'],
    ['a backslash', 'https://mcp.example.com\\mcp'],
    ['surrounding whitespace', ` ${RESOURCE} `],
    ['an embedded tab', 'https://mcp.example.com/m\tcp'],
    ['userinfo', 'https://user@mcp.example.com/mcp'],
    ['a query', `${RESOURCE}?x=1`],
    ['the origin only', 'https://mcp.example.com'],
    ['another resource', 'https://other.example.com/mcp'],
    ['no aud', undefined],
    ['an empty array', []],
    ['a non-string', 42],
  ])('refuses the audience with %s', async (_name, aud) => {
    const res = await h.call(h.token({ aud }));
    expectRefused(res, { status: 401, error: 'invalid_token', reason: 'audience' });
  });

  it.each([undefined, 'JWT', 'jwt', 'at+jwt', 'application/at+jwt', 'AT+JWT'])(
    'accepts typ %s in lenient mode',
    async (typ) => {
      expectAccepted(await h.call(h.token({}, { header: { typ } })));
    },
  );

  it.each(['dpop+jwt', 'JOSE', 'id_token+jwt', 'secevent+jwt', '', 7])(
    'refuses typ %s in lenient mode',
    async (typ) => {
      const res = await h.call(h.token({}, { header: { typ } }));
      expectRefused(res, { status: 401, error: 'invalid_token', reason: 'typ' });
    },
  );

  it.each([
    ['cnf.jkt (DPoP)', { jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' }],
    ['cnf.x5t#S256 (mTLS)', { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' }],
  ])('refuses a token bound by %s when presented as Bearer', async (_name, cnf) => {
    const res = await h.call(h.token({ cnf }));
    expectRefused(res, { status: 401, error: 'invalid_token', reason: 'bound_token' });
  });

  it.each([
    ['an unknown extension', { crit: ['exp_ext'], exp_ext: 1 }],
    ['b64 (unencoded payload)', { crit: ['b64'], b64: true }],
  ])('refuses crit with %s', async (_name, header) => {
    const res = await h.call(h.token({}, { header }));
    expectRefused(res, { status: 401, error: 'invalid_token', reason: 'crit' });
  });

  it('decodes a header once but judges every token: a refused header stays refused, a forged payload under a known header is refused', async () => {
    const crit = { crit: ['exp_ext'], exp_ext: 1 };
    for (let i = 0; i < 2; i++) {
      expectRefused(await h.call(h.token({}, { header: crit })), {
        status: 401,
        error: 'invalid_token',
        reason: 'crit',
      });
    }
    const [header, , sig] = h.token().split('.');
    expectAccepted(await h.call(h.token()));
    const forged = `${header}.${Buffer.from(JSON.stringify(claims(ISSUER, RESOURCE, { scope: 'admin' }))).toString('base64url')}.${sig}`;
    expectRefused(await h.call(forged), { status: 401, error: 'invalid_token', reason: 'signature' });
    // More distinct headers than the decoded ones kept: each token still verified on its own.
    for (let i = 0; i < 40; i++) {
      expectAccepted(await h.call(h.token({}, { header: { [`x${i}`]: i } })));
    }
    expectAccepted(await h.call(h.token()));
  });

  it('shares a decoded header between tokens, never a verdict: the same header is judged by each policy', () => {
    const [a, b] = [h.token({}, { alg: 'ES256' }), h.token({ sub: 'other' }, { alg: 'ES256' })];
    expect(a.split('.')[0]).toBe(b.split('.')[0]);
    const header = decodeJws(a).header;
    expect(decodeJws(b).header).toBe(header); // decoded once
    expect(Object.isFrozen(header)).toBe(true);
    const policy = { algorithms: ['ES256'], typ: 'lenient' as const };
    expect(() => assertHeader(header, policy)).not.toThrow();
    expect(() => assertHeader(header, { ...policy, algorithms: ['RS256'] })).toThrow(/unsupported_algorithm/);
  });

  it('reads scopes from the space-separated scope claim, case-sensitively, each once in token order', async () => {
    const echo = expectAccepted(await h.call(h.token({ scope: 'read  write Admin read write' })));
    expect(echo.auth?.scopes).toEqual(['read', 'write', 'Admin']);
  });

  it('does not read scp or permissions unless configured', async () => {
    const echo = expectAccepted(await h.call(h.token({ scp: ['read'], permissions: ['write'] })));
    expect(echo.auth?.scopes).toEqual([]);
  });
});

describe('JWT policy (configured)', () => {
  it('allows only the configured algorithms', async () => {
    const h = await harness({ token: { algorithms: ['ES256'] } });
    try {
      expectAccepted(await h.call(h.token({}, { alg: 'ES256' })));
      for (const alg of ['RS256', 'PS256', 'EdDSA'] as const) {
        const res = await h.call(h.token({}, { alg }));
        expectRefused(res, { status: 401, error: 'invalid_token', reason: 'unsupported_algorithm' });
      }
    } finally {
      await h.close();
    }
  });

  it('rejects symmetric and none algorithms in the manifest', async () => {
    await expect(harness({ token: { algorithms: ['HS256' as 'RS256'] } })).rejects.toMatchObject({
      code: 'manifest_invalid',
    });
    await expect(harness({ token: { algorithms: ['none' as 'RS256'] } })).rejects.toMatchObject({
      code: 'manifest_invalid',
    });
  });

  it('applies a configured clock tolerance', async () => {
    const h = await harness({ token: { clockTolerance: 0 } });
    try {
      expectRefused(await h.call(h.token({ exp: now() - 2 })), {
        status: 401,
        error: 'invalid_token',
        reason: 'expired',
      });
      expectRefused(await h.call(h.token({ iat: now() + 5 })), {
        status: 401,
        error: 'invalid_token',
        reason: 'issued_in_future',
      });
    } finally {
      await h.close();
    }
  });

  it('requires at+jwt in strict typ mode', async () => {
    const h = await harness({ token: { typ: 'strict' } });
    try {
      expectAccepted(await h.call(h.token({}, { header: { typ: 'at+jwt' } })));
      expectAccepted(await h.call(h.token({}, { header: { typ: 'application/at+jwt' } })));
      for (const typ of [undefined, 'JWT', 'application/jwt']) {
        const res = await h.call(h.token({}, { header: { typ } }));
        expectRefused(res, { status: 401, error: 'invalid_token', reason: 'typ' });
      }
    } finally {
      await h.close();
    }
  });

  it('checks configured audiences instead of the resource URL', async () => {
    const h = await harness({ token: { audience: ['api://notes', 'https://api.example.com'] } });
    try {
      expectAccepted(await h.call(h.token({ aud: 'api://notes' })));
      // Empty path written as "/": canonical comparison applies to configured values too.
      expectAccepted(await h.call(h.token({ aud: 'https://API.example.com/' })));
      for (const aud of [RESOURCE, 'api://notes2', 'api://notes/', 'https://api.example.com/x']) {
        expectRefused(await h.call(h.token({ aud })), {
          status: 401,
          error: 'invalid_token',
          reason: 'audience',
        });
      }
    } finally {
      await h.close();
    }
  });

  it('reads scopes from array claims configured in token.scopeClaims', async () => {
    const h = await harness({
      token: { scopeClaims: ['scope', 'scp', 'permissions'], requiredScopes: ['write'] },
    });
    try {
      const echo = expectAccepted(
        await h.call(h.token({ scope: 'read', scp: ['write'], permissions: ['admin', 7] })),
      );
      expect(echo.auth?.scopes).toEqual(['read', 'write', 'admin']);
      // A scope only in an unconfigured claim does not count.
      const res = await h.call(h.token({ scope: 'read', roles: ['write'] }));
      expectRefused(res, { status: 403, error: 'insufficient_scope', scope: ['read', 'write'] });
    } finally {
      await h.close();
    }
  });

  it('a scope claim that is not a string (array, number) grants no scope; arrays count only from other scopeClaims', async () => {
    const h = await harness({ token: { scopeClaims: ['scope', 'scp'], requiredScopes: ['read'] } });
    try {
      for (const scope of [['read'], ['read write'], 7, { read: true }]) {
        const res = await h.call(h.token({ scope }));
        expectRefused(res, { status: 403, error: 'insufficient_scope', scope: ['read'] });
      }
      const echo = expectAccepted(await h.call(h.token({ scope: ['admin'], scp: ['read'] })));
      expect(echo.auth?.scopes).toEqual(['read']);
      // `scp` as a space-separated string (Entra ID) counts too.
      expect(expectAccepted(await h.call(h.token({ scp: 'read write' }))).auth?.scopes).toEqual([
        'read',
        'write',
      ]);
    } finally {
      await h.close();
    }
  });

  it('applies the scope hierarchy (transitively) to every scope check', async () => {
    const h = await harness({
      resource: { scopeHierarchy: { admin: ['write'], write: ['read'] } },
      token: { requiredScopes: ['read'] },
    });
    try {
      const echo = expectAccepted(await h.call(h.token({ scope: 'admin' })));
      expect(echo.auth?.scopes).toEqual(['admin', 'write', 'read']);
      const res = await h.call(h.token({ scope: 'other' }));
      expectRefused(res, { status: 403, error: 'insufficient_scope', scope: ['read'] });
    } finally {
      await h.close();
    }
  });

  it('never takes keys from an issuer the resource does not list, even one in the manifest', async () => {
    const otherKey = makeKey('ES256');
    const otherJwks = await startJwksServer([otherKey.publicJwk]);
    const h = await harness({
      issuers: { other: issuerEntry('https://other-issuer.example.com', { uri: otherJwks.uri }) },
    });
    try {
      const res = await h.call(signToken(otherKey, claims('https://other-issuer.example.com', RESOURCE)));
      expectRefused(res, { status: 401, error: 'invalid_token', reason: 'unknown_issuer' });
      expect(otherJwks.hits()).toBe(0);
    } finally {
      await h.close();
      await otherJwks.close();
    }
  });

  it("with two issuers, a token claiming one issuer but signed with the other's key is refused", async () => {
    const otherKey = makeKey('ES256');
    const otherIssuer = 'https://second.example.com';
    const h = await harness({
      issuers: { second: issuerEntry(otherIssuer, { keys: [otherKey.publicJwk] }) },
      resource: { authorizationServers: ['main', 'second'] },
    });
    try {
      expectAccepted(await h.call(signToken(otherKey, claims(otherIssuer, RESOURCE))));
      const res = await h.call(signToken(otherKey, claims(ISSUER, RESOURCE)));
      expectRefused(res, { status: 401, error: 'invalid_token', reason: 'unknown_key' });
    } finally {
      await h.close();
    }
  });
});
