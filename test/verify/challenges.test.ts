/**
 * Challenges and status codes exactly as DESIGN §5 says: 401 without error, 400, 401
 * invalid_token, 403 insufficient_scope with the full scope set, 503 with Retry-After.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/runtime/compile.js';
import { send, startAdapter } from '../support/adapters.js';
import { claims, signToken } from '../support/tokens.js';
import { startServer } from '../support/servers.js';
import { issuerEntry, manifestFor } from '../support/issuer.js';
import { expectAccepted, expectRefused, harness, testKeys } from './harness.js';
import { PRM, RESOURCE } from '../support/constants.js';

async function deadUrl(path: string): Promise<string> {
  const s = await startServer((_req, res) => res.end());
  await s.close();
  return `${s.origin}${path}`;
}

describe('challenges', () => {
  it('401 without error lists the scopes every request needs; invalid_token lists them too; 400 does not', async () => {
    const h = await harness({ token: { requiredScopes: ['read', 'write'] } });
    try {
      expectRefused(await h.call(), { status: 401, scope: ['read', 'write'] });
      expectRefused(await h.call(h.token({ aud: 'https://x.example/mcp' })), {
        status: 401,
        error: 'invalid_token',
        reason: 'audience',
        scope: ['read', 'write'],
      });
      expectRefused(await h.call('a b'), {
        status: 400,
        error: 'invalid_request',
        reason: 'malformed_header',
      });
    } finally {
      await h.close();
    }
  });

  it('401 without required scopes has no scope parameter at all (never scope="")', async () => {
    const h = await harness();
    try {
      const res = await h.call();
      expect(res.header('www-authenticate')).toBe(`Bearer resource_metadata="${PRM}"`);
    } finally {
      await h.close();
    }
  });

  it('403 lists every needed scope plus the granted scopes the resource knows (challengeGrantedScopes default)', async () => {
    const h = await harness({ token: { requiredScopes: ['read', 'admin'] } });
    try {
      const res = await h.call(h.token({ scope: 'write unknown-scope read' }));
      expectRefused(res, { status: 403, error: 'insufficient_scope', scope: ['write', 'read', 'admin'] });
    } finally {
      await h.close();
    }
  });

  it('403 lists only the needed scopes when challengeGrantedScopes is false', async () => {
    const h = await harness({ token: { requiredScopes: ['read', 'admin'], challengeGrantedScopes: false } });
    try {
      const res = await h.call(h.token({ scope: 'write read' }));
      expectRefused(res, { status: 403, error: 'insufficient_scope', scope: ['read', 'admin'] });
    } finally {
      await h.close();
    }
  });

  it('scopes required by a route (requireAuth options) join the challenge', async () => {
    const h = await harness({ token: { requiredScopes: ['read'] } });
    try {
      const result = await h.auth.authenticate(
        { method: 'GET', url: '/mcp', authorization: [`Bearer ${h.token({ scope: 'read' })}`] },
        { scopes: ['admin'] },
      );
      expect(result.response?.status).toBe(403);
      expect(result.response?.headers['www-authenticate']).toContain('scope="read admin"');
    } finally {
      await h.close();
    }
  });

  it('JWKS unreachable: 503 with Retry-After, no WWW-Authenticate, never invalid_token', async () => {
    const keys = testKeys();
    const auth = await compile({
      issuers: { main: issuerEntry('https://issuer.example.com', { uri: await deadUrl('/jwks') }) },
      resources: [{ resource: RESOURCE, authorizationServers: ['main'] }],
    });
    const app = await startAdapter('node', auth);
    try {
      const token = signToken(keys.RS256, claims('https://issuer.example.com', RESOURCE));
      for (let i = 0; i < 3; i++) {
        const res = await send(`${app.url}/mcp`, { headers: { authorization: `Bearer ${token}` } });
        expectRefused(res, { status: 503 });
        expect(res.body).not.toContain('invalid_token');
      }
      expect(app.reached).toBe(0);
    } finally {
      await app.close();
      await auth.close();
    }
  });

  it('issuer metadata unreachable (lazy start-up): 503 with Retry-After', async () => {
    const issuer = (await deadUrl('')).replace(/\/$/, '');
    const auth = await compile(manifestFor(issuer, { startup: 'lazy' }));
    const app = await startAdapter('node', auth);
    try {
      const token = signToken(testKeys().RS256, claims(issuer, RESOURCE));
      expectRefused(await send(`${app.url}/mcp`, { headers: { authorization: `Bearer ${token}` } }), {
        status: 503,
      });
      // No credentials is still a plain 401 challenge.
      expectRefused(await send(`${app.url}/mcp`), { status: 401 });
    } finally {
      await app.close();
      await auth.close();
    }
  });

  it('resource_metadata comes from configuration, not from Host or X-Forwarded-*', async () => {
    const h = await harness();
    try {
      const res = await h.call(undefined, {
        headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
      });
      expectRefused(res, { status: 401 });
      expect(res.rawHeaderText).not.toContain('evil');
    } finally {
      await h.close();
    }
  });

  it('challenges carry Access-Control-Allow-Origin only for resources public to browsers', async () => {
    const closed = await harness();
    const open = await harness({ resource: { browser: { public: true } } });
    try {
      expect((await closed.call()).header('access-control-allow-origin')).toBeUndefined();
      const res = await open.call();
      expect(res.header('access-control-allow-origin')).toBe('*');
      expect(res.header('access-control-expose-headers')).toMatch(/WWW-Authenticate/i);
      expectAccepted(await open.call(open.token()));
    } finally {
      await closed.close();
      await open.close();
    }
  });
});
