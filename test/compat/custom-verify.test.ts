/**
 * The seed facade's `bearerAuth(fn)`: a custom verify function replaces verification, not
 * intake. A token outside the `b64token` grammar is refused (400) before the function is called;
 * with a custom verifier the runtime's own check is the only one that token meets. What the
 * function returns is checked as the seed's handler checked it (issuer, audience, expiry).
 */
import { createServer } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MCPAuth,
  type BearerAuthOptions,
  type VerifyAccessTokenFunction,
} from '../../src/compat/seed-mcp-auth.js';
import type { AuthInfo } from '../../src/verify/auth-info.js';
import { seedConfig } from './seed-config.js';
import { ISSUER } from '../support/constants.js';
import { startJwksServer } from '../support/issuer.js';
import { makeKey } from '../support/tokens.js';
import { listen } from '../support/servers.js';

/** An Express app whose `/mcp` is guarded by `bearerAuth(verify(origin), options(origin))`. */
async function seedApp(
  verify: (origin: string) => VerifyAccessTokenFunction,
  options: (origin: string) => BearerAuthOptions = () => ({}),
) {
  const jwks = await startJwksServer([makeKey('ES256').publicJwk]);
  const server = createServer();
  const listening = await listen(server);
  const mcpAuth = new MCPAuth(seedConfig(`${listening.origin}/mcp`, jwks.uri));
  const app = express();
  const guard = mcpAuth.bearerAuth(verify(listening.origin), options(listening.origin));
  app.post('/mcp', guard, (_req, res) => void res.json({ reached: true }));
  server.on('request', app);
  return {
    call: (token: string) =>
      fetch(`${listening.origin}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }),
    async close() {
      await mcpAuth.close();
      await listening.close();
      await jwks.close();
    },
  };
}

describe('MCPAuth bearerAuth with a custom verify function', () => {
  let app: Awaited<ReturnType<typeof seedApp>>;
  const seen: string[] = [];

  beforeAll(async () => {
    app = await seedApp(() => async (token) => {
      seen.push(token);
      return {
        token,
        clientId: 'custom',
        scopes: [],
        issuer: ISSUER,
        subject: 'u',
        audience: [],
        claims: {},
      };
    });
  });
  afterAll(() => app?.close());
  const call = (token: string) => app.call(token);

  it('hands a well-formed token to the function (control)', async () => {
    expect((await call('opaque-token-1')).status).toBe(200);
    expect(seen).toEqual(['opaque-token-1']);
  });

  it('refuses a token outside b64token with 400 and never calls the function', async () => {
    seen.length = 0;
    const res = await call('opaque!token');
    expect(res.status).toBe(400);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_request"');
    expect(seen).toEqual([]);
  });
});

describe('MCPAuth bearerAuth(fn) checks what the function returns, as the seed handler did', () => {
  let app: Awaited<ReturnType<typeof seedApp>>;
  /** What the seed-style function says about each token: it checks the signature only. */
  const verdicts = new Map<string, Partial<AuthInfo>>();

  beforeAll(async () => {
    app = await seedApp(
      (origin) => async (token) => ({
        token,
        clientId: 'c',
        scopes: ['read'],
        issuer: ISSUER,
        subject: 'u',
        audience: [`${origin}/mcp`],
        claims: {},
        ...verdicts.get(token),
      }),
      (origin) => ({ audience: `${origin}/mcp` }),
    );
  });
  afterAll(() => app?.close());
  const call = (token: string) => app.call(token);

  it('accepts an identity of the resource’s issuer, for its audience, unexpired (control)', async () => {
    verdicts.set('good', { expiresAt: Math.floor(Date.now() / 1000) + 60 });
    expect((await call('good')).status).toBe(200);
  });

  it.each([
    ['another audience', { audience: ['https://other.example/api'] }],
    ['an audience given as another string', { audience: 'https://other.example/api' as never }],
    ['another issuer', { issuer: 'https://evil.example' }],
    ['an expiry in the past', { expiresAt: Math.floor(Date.now() / 1000) - 1 }],
  ])('refuses %s with 401 invalid_token', async (_what, verdict) => {
    const token = `t-${verdicts.size}`;
    verdicts.set(token, verdict as Partial<AuthInfo>);
    const res = await call(token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});
