/**
 * The verified-token cache, the `verify` hook, AuthInfo and `auth.tokenVerifier()`.
 */
import nodeCrypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenError } from '../../src/errors.js';
import type { AuthInfo } from '../../src/verify/auth-info.js';
import { now } from '../support/tokens.js';
import { expectAccepted, expectRefused, harness } from './harness.js';
import { ISSUER, RESOURCE } from '../support/constants.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('verified-token cache', () => {
  it('verifies a reused token once (one signature check), and a new token again', async () => {
    const h = await harness();
    const verify = vi.spyOn(nodeCrypto, 'verify');
    try {
      const token = h.token();
      for (let i = 0; i < 4; i++) expectAccepted(await h.call(token));
      expect(verify).toHaveBeenCalledTimes(1);
      expect(h.auth.resources[0]!.verifier.cacheSize).toBe(1);
      expectAccepted(await h.call(h.token()));
      expect(verify).toHaveBeenCalledTimes(2);
    } finally {
      await h.close();
    }
  });

  it('with maxEntries 0, verifies every time', async () => {
    const h = await harness({ settings: { cache: { maxEntries: 0 } } });
    const verify = vi.spyOn(nodeCrypto, 'verify');
    try {
      const token = h.token();
      expectAccepted(await h.call(token));
      expectAccepted(await h.call(token));
      expect(verify).toHaveBeenCalledTimes(2);
      expect(h.auth.resources[0]!.verifier.cacheSize).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('is bounded (LRU)', async () => {
    const h = await harness({ settings: { cache: { maxEntries: 2 } } });
    try {
      for (let i = 0; i < 5; i++) expectAccepted(await h.call(h.token()));
      expect(h.auth.resources[0]!.verifier.cacheSize).toBe(2);
    } finally {
      await h.close();
    }
  });

  it('once full, keeps the tokens in use through a flood of one-shot tokens', async () => {
    const h = await harness({ settings: { cache: { maxEntries: 2 } } });
    const verify = vi.spyOn(nodeCrypto, 'verify');
    try {
      const [hot, warm] = [h.token(), h.token()];
      expectAccepted(await h.call(hot));
      expectAccepted(await h.call(warm));
      for (let i = 0; i < 20; i++) expectAccepted(await h.call(h.token()));
      expect(verify).toHaveBeenCalledTimes(22);
      expectAccepted(await h.call(hot));
      expectAccepted(await h.call(warm));
      expect(verify).toHaveBeenCalledTimes(22); // both still cached
      // A new token verified twice takes a place; the third call is a hit.
      const fresh = h.token();
      for (let i = 0; i < 3; i++) expectAccepted(await h.call(fresh));
      expect(verify).toHaveBeenCalledTimes(24);
      expect(h.auth.resources[0]!.verifier.cacheSize).toBe(2);
    } finally {
      await h.close();
    }
  });

  it('rechecks exp: a cached token is refused once expired', async () => {
    const h = await harness();
    try {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now());
      const token = h.token({ exp: now() + 5 });
      expectAccepted(await h.call(token));
      vi.setSystemTime(Date.now() + 36_000); // beyond exp + 30 s tolerance
      expectRefused(await h.call(token), { status: 401, error: 'invalid_token', reason: 'expired' });
    } finally {
      await h.close();
    }
  });

  it('forgets entries after settings.cache.maxAgeSeconds (signature checked again)', async () => {
    const h = await harness({ settings: { cache: { maxAgeSeconds: 10 } } });
    const verify = vi.spyOn(nodeCrypto, 'verify');
    try {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now());
      const token = h.token({ exp: now() + 3600 });
      expectAccepted(await h.call(token));
      expectAccepted(await h.call(token));
      expect(verify).toHaveBeenCalledTimes(1);
      vi.setSystemTime(Date.now() + 11_000);
      expectAccepted(await h.call(token));
      expect(verify).toHaveBeenCalledTimes(2);
    } finally {
      await h.close();
    }
  });

  it('never caches failures: a token refused as not-yet-valid is accepted once valid', async () => {
    const h = await harness();
    try {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now());
      const token = h.token({ nbf: now() + 120 });
      expectRefused(await h.call(token), { status: 401, error: 'invalid_token', reason: 'not_yet_valid' });
      expect(h.auth.resources[0]!.verifier.cacheSize).toBe(0);
      vi.setSystemTime(Date.now() + 100_000);
      expectAccepted(await h.call(token));
    } finally {
      await h.close();
    }
  });
});

describe('verify hook', () => {
  it('can reject with a typed TokenError (its reason is reported), and runs on cached hits too', async () => {
    const revoked = new Set<string>();
    const seen: AuthInfo[] = [];
    const h = await harness({
      token: {
        verify: (info: unknown) => {
          const auth = info as AuthInfo;
          seen.push(auth);
          if (revoked.has(String(auth.claims.jti))) throw new TokenError('invalid_token', 'inactive');
        },
      },
    });
    try {
      const token = h.token({ jti: 'revoke-me' });
      expectAccepted(await h.call(token));
      revoked.add('revoke-me');
      expectRefused(await h.call(token), { status: 401, error: 'invalid_token', reason: 'inactive' });
      expect(seen).toHaveLength(2);
      expect(seen[0]!.issuer).toBe(ISSUER);
    } finally {
      await h.close();
    }
  });

  it('maps any other thrown value to 401 rejected, reflecting nothing of it', async () => {
    const h = await harness({
      token: {
        verify: async () => {
          throw new Error('SECRET-INTERNAL-DETAIL');
        },
      },
    });
    try {
      const res = await h.call(h.token());
      expectRefused(res, { status: 401, error: 'invalid_token', reason: 'rejected' });
      expect(res.body + res.rawHeaderText).not.toContain('SECRET-INTERNAL-DETAIL');
      expect(h.auth.resources[0]!.verifier.cacheSize).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('can answer 403 insufficient_scope', async () => {
    const h = await harness({
      token: {
        requiredScopes: ['read'],
        verify: () => {
          throw new TokenError('insufficient_scope', 'scope', { requiredScopes: ['read'] });
        },
      },
    });
    try {
      expectRefused(await h.call(h.token({ scope: 'read' })), {
        status: 403,
        error: 'insufficient_scope',
        scope: ['read'],
      });
    } finally {
      await h.close();
    }
  });
});

describe('AuthInfo and tokenVerifier()', () => {
  it('carries token, clientId, scopes, expiresAt, resource URL, issuer, subject, audience and claims', async () => {
    const h = await harness({ resource: { scopeHierarchy: { admin: ['read'] } } });
    try {
      const exp = now() + 600;
      const token = h.token({ exp, scope: 'admin', sub: 'alice', client_id: 'cli', aud: [RESOURCE, 'x'] });
      const info = await h.auth.tokenVerifier(RESOURCE).verifyAccessToken(token);
      expect(info).toMatchObject({
        token,
        clientId: 'cli',
        scopes: ['admin', 'read'],
        expiresAt: exp,
        issuer: ISSUER,
        subject: 'alice',
        audience: [RESOURCE, 'x'],
      });
      expect(info.resource).toBeInstanceOf(URL);
      expect(info.resource?.href).toBe(RESOURCE);
      expect(info.claims.sub).toBe('alice');
      expect(Object.isFrozen(info)).toBe(true);
      expect(Object.getPrototypeOf(info.claims)).toBeNull();
      // The default verifier is the only resource's.
      expect((await h.auth.tokenVerifier().verifyAccessToken(token)).subject).toBe('alice');
    } finally {
      await h.close();
    }
  });

  it('a cache hit answers the identity of the first check: equal, frozen, in the same key order', async () => {
    const h = await harness({
      token: {
        verify: (info: unknown) => {
          (info as AuthInfo).extra!.checks =
            (((info as AuthInfo).extra!.checks as number | undefined) ?? 0) + 1;
        },
      },
    });
    try {
      const v = h.auth.tokenVerifier();
      const token = h.token({ sub: 'alice' });
      const first = await v.verifyAccessToken(token);
      const hit = await v.verifyAccessToken(token);
      expect(h.auth.resources[0]!.verifier.cacheSize).toBe(1);
      // The cache keeps its own copy (src/verify/verifier.ts `cacheCopy`), `extra` included.
      expect(hit).not.toBe(first);
      expect(hit.extra).not.toBe(first.extra);
      expect(Object.keys(hit)).toEqual(Object.keys(first));
      expect({ ...hit, extra: undefined }).toEqual({ ...first, extra: undefined });
      expect(Object.isFrozen(hit)).toBe(true);
      // What the hook wrote on the first check is kept, and the hook runs on the hit as well.
      expect(first.extra).toEqual({ checks: 1 });
      expect(hit.extra).toEqual({ checks: 2 });
    } finally {
      await h.close();
    }
  });

  it('falls back to azp, then cid, then appid, for clientId; empty when none', async () => {
    const h = await harness();
    try {
      const v = h.auth.tokenVerifier();
      expect((await v.verifyAccessToken(h.token({ client_id: undefined, azp: 'azp-1' }))).clientId).toBe(
        'azp-1',
      );
      expect((await v.verifyAccessToken(h.token({ client_id: undefined, cid: 'cid-1' }))).clientId).toBe(
        'cid-1',
      );
      // Entra v1.0 access tokens name their client in appid (revoke({ clientId }) must see it).
      expect((await v.verifyAccessToken(h.token({ client_id: undefined, appid: 'app-1' }))).clientId).toBe(
        'app-1',
      );
      expect((await v.verifyAccessToken(h.token({ client_id: undefined }))).clientId).toBe('');
    } finally {
      await h.close();
    }
  });

  it('tokenVerifier().verifyAccessToken rejects with TokenErrors carrying the reason', async () => {
    const h = await harness();
    try {
      const v = h.auth.tokenVerifier();
      await expect(v.verifyAccessToken(h.token({ aud: 'https://x.example' }))).rejects.toMatchObject({
        code: 'invalid_token',
        reason: 'audience',
      });
      await expect(v.verifyAccessToken('not-a-jwt')).rejects.toBeInstanceOf(TokenError);
      expect(() => h.auth.tokenVerifier('https://unknown.example/mcp')).toThrow(/not in the manifest/);
    } finally {
      await h.close();
    }
  });
});
