/**
 * The seed facade's `bearerAuth(fn)`: a custom verify function replaces verification, not
 * intake. A token outside the `b64token` grammar is refused (400) before the function is called;
 * with a custom verifier the runtime's own check is the only one that token meets.
 */
import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCPAuth } from '../../src/compat/seed-mcp-auth.js';
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
