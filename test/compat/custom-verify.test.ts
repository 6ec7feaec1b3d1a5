/**
 * The seed facade's `bearerAuth(fn)`: a custom verify function replaces verification, not
 * intake. A token outside the `b64token` grammar is refused (400) before the function is called;
 * with a custom verifier the runtime's own check is the only one that token meets.
 */
import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCPAuth } from '../../src/compat/seed-mcp-auth.js';
import type { AuthInfo } from '../../src/verify/auth-info.js';
import { seedConfig } from './seed-config.js';
import { ISSUER } from '../support/constants.js';
import { type JwksServer, startJwksServer } from '../support/issuer.js';
import { makeKey } from '../support/tokens.js';
import { listen, type Listening } from '../support/servers.js';

describe('MCPAuth bearerAuth with a custom verify function', () => {
  let server: Server;
  let listening: Listening;
  let mcpAuth: MCPAuth;
  let jwks: JwksServer;
  const seen: string[] = [];

  beforeAll(async () => {
    jwks = await startJwksServer([makeKey('ES256').publicJwk]);
    server = createServer();
    listening = await listen(server);
    mcpAuth = new MCPAuth(seedConfig(`${listening.origin}/mcp`, jwks.uri));
    const verify = async (token: string) => {
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
    };
    const app = express();
    app.post('/mcp', mcpAuth.bearerAuth(verify), (_req, res) => void res.json({ reached: true }));
    server.on('request', app);
  });
  afterAll(async () => {
    await mcpAuth?.close();
    await listening?.close();
    await jwks?.close();
  });

  const call = (token: string) =>
    fetch(`${listening.origin}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

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
  let listening: Listening;
  let mcpAuth: MCPAuth;
  let jwks: JwksServer;
  /** What the seed-style function says about each token: it checks the signature only. */
  const verdicts = new Map<string, Partial<AuthInfo>>();

  beforeAll(async () => {
    jwks = await startJwksServer([makeKey('ES256').publicJwk]);
    const server = createServer();
    listening = await listen(server);
    mcpAuth = new MCPAuth(seedConfig(`${listening.origin}/mcp`, jwks.uri));
    const verify = async (token: string): Promise<AuthInfo> => ({
      token,
      clientId: 'c',
      scopes: ['read'],
      issuer: ISSUER,
      subject: 'u',
      audience: [`${listening.origin}/mcp`],
      claims: {},
      ...verdicts.get(token),
    });
    const app = express();
    const audience = `${listening.origin}/mcp`;
    app.post(
      '/mcp',
      mcpAuth.bearerAuth(verify, { audience }),
      (_req, res) => void res.json({ reached: true }),
    );
    server.on('request', app);
  });
  afterAll(async () => {
    await mcpAuth?.close();
    await listening?.close();
    await jwks?.close();
  });

  const call = (token: string) =>
    fetch(`${listening.origin}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

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
