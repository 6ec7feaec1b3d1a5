/**
 * Token intake (RFC 6750 §2.1): the Authorization header only, scheme case-insensitive, one or
 * more spaces, strict b64token grammar, a length cap checked before any crypto or network work,
 * one credential only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccepted, expectRefused, harness, type Harness } from './harness.js';

describe('token intake', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('accepts the scheme spelled %s', async (scheme) => {
    const res = await h.call(undefined, { headers: { authorization: `${scheme} ${h.token()}` } });
    expectAccepted(res);
  });

  it('accepts one or more spaces between scheme and token', async () => {
    const res = await h.call(undefined, { headers: { authorization: `Bearer    ${h.token()}` } });
    expectAccepted(res);
  });

  it('treats no Authorization header, an empty one or another scheme as no credentials (401, no error)', async () => {
    expectRefused(await h.call(), { status: 401 });
    expectRefused(await h.call(undefined, { headers: { authorization: '' } }), { status: 401 });
    expectRefused(await h.call(undefined, { headers: { authorization: 'Basic dXNlcjpwYXNz' } }), {
      status: 401,
    });
    expectRefused(await h.call(undefined, { headers: { authorization: `DPoP ${h.token()}` } }), {
      status: 401,
    });
  });

  it.each([
    ['no token', 'Bearer'],
    ['a space inside the token', 'Bearer abc def'],
    ['a tab separator', 'Bearer\tabc'],
    ['a comma', 'Bearer abc,def'],
    ['padding in the middle', 'Bearer ab=cd'],
    ['a quote', 'Bearer "abc"'],
    ['non-ASCII', 'Bearer abc\u00e9'],
    ['a malformed scheme', 'Bea(rer abc'],
  ])('refuses %s with 400 invalid_request', async (_name, authorization) => {
    const before = h.app.reached;
    const res = await h.call(undefined, { headers: { authorization } });
    expectRefused(res, { status: 400, error: 'invalid_request', reason: 'malformed_header' });
    expect(h.app.reached).toBe(before);
  });

  it('accepts b64token characters and trailing padding at intake (then verifies the token)', async () => {
    // Passes the grammar, fails as a token: 401 invalid_token, not 400.
    const res = await h.call('abc-._~+/def==');
    expectRefused(res, { status: 401, error: 'invalid_token', reason: 'malformed_token' });
  });

  it('refuses two Authorization headers with 400, even two valid ones', async () => {
    const token = h.token();
    const res = await h.call(undefined, {
      headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] },
    });
    expectRefused(res, { status: 400, error: 'invalid_request', reason: 'multiple_credentials' });
  });

  it('refuses a header token plus a query token with 400', async () => {
    const res = await h.call(h.token(), { path: `/mcp?access_token=${h.token()}` });
    expectRefused(res, { status: 400, error: 'invalid_request', reason: 'multiple_credentials' });
  });

  it('refuses a header token plus a form-body token with 400', async () => {
    const res = await h.call(h.token(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${h.token()}`,
    });
    expectRefused(res, { status: 400, error: 'invalid_request', reason: 'multiple_credentials' });
  });

  it('treats a token in the query alone as no credentials (401 without error)', async () => {
    const before = h.app.reached;
    const res = await h.call(undefined, { path: `/mcp?access_token=${h.token()}` });
    expectRefused(res, { status: 401 });
    expect(h.app.reached).toBe(before);
  });

  it('treats a token in a form body alone as no credentials (401 without error)', async () => {
    const res = await h.call(undefined, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${h.token()}`,
    });
    expectRefused(res, { status: 401 });
  });
});

describe('length cap', () => {
  it('defaults to 8192: a longer token is an invalid token (401 invalid_token) refused before any key fetch; one within the cap is verified', async () => {
    const h = await harness();
    try {
      const long = h.token({ pad: 'x'.repeat(5900) });
      expect(long.length).toBeGreaterThan(8192);
      expect(long.length).toBeLessThan(9000);
      expectRefused(await h.call(long), { status: 401, error: 'invalid_token', reason: 'token_too_long' });
      expect(h.jwks.hits()).toBe(0); // no network work for an oversized token

      const within = h.token({ pad: 'x'.repeat(5000) });
      expect(within.length).toBeLessThanOrEqual(8192);
      expectAccepted(await h.call(within));
      expect(h.jwks.hits()).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('is configurable (token.maxLength) and counts the token, not the header', async () => {
    const h = await harness({ token: { maxLength: 64 } });
    try {
      expectRefused(await h.call('a'.repeat(65)), {
        status: 401,
        error: 'invalid_token',
        reason: 'token_too_long',
      });
      // Exactly the cap passes intake (then fails as a malformed token).
      expectRefused(await h.call('a'.repeat(64)), {
        status: 401,
        error: 'invalid_token',
        reason: 'malformed_token',
      });
      // The verifier API applies the same cap.
      await expect(h.auth.tokenVerifier().verifyAccessToken('a'.repeat(65))).rejects.toMatchObject({
        code: 'invalid_token',
        reason: 'token_too_long',
      });
    } finally {
      await h.close();
    }
  });
});
