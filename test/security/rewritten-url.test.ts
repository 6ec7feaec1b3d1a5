/**
 * A middleware that rewrites `req.url` before the guard (a prefix strip, an alias) makes Express
 * route on the new path while `req.originalUrl` keeps the old one. The guard classified only
 * `originalUrl`, so `/v1/mcp` rewritten to `/mcp` reached the handler without a token. Both
 * paths are classified now. Found by a hostile review.
 */
import { createServer } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpAuthMiddleware } from '../../src/adapters/node.js';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { send } from '../support/adapters.js';
import { issuerEntry } from '../support/issuer.js';
import { listen, type Listening } from '../support/servers.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import { ISSUER, RESOURCE } from '../support/constants.js';

const key = makeKey('ES256');

describe('Express: a req.url rewritten before the guard', () => {
  let auth: McpAuth;
  let server: Listening;
  let reached = 0;

  beforeAll(async () => {
    auth = await compile({
      issuers: { as: issuerEntry(ISSUER, { keys: [key.publicJwk] }) },
      resources: [{ resource: RESOURCE, authorizationServers: ['as'] }],
    });
    const app = express();
    app.use((req, _res, next) => {
      if (req.url.startsWith('/v1/')) req.url = req.url.slice(3); // an API-version prefix strip
      next();
    });
    app.use(mcpAuthMiddleware(auth));
    app.post('/mcp', (_req, res) => void (reached++, res.json({ reached: true })));
    server = await listen(createServer(app));
  });
  afterAll(async () => {
    await server?.close();
    await auth?.close();
  });

  const post = (path: string, token?: string) =>
    send(`${server.origin}${path}`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it.each(['/v1/mcp', '/v1/mcp?x=1', '/v1/MCP'])(
    '%s without a token never reaches the handler',
    async (path) => {
      const before = reached;
      expect((await post(path)).status).toBe(401);
      expect(reached).toBe(before);
    },
  );

  it('with a token, the rewritten path reaches the handler (control)', async () => {
    const token = signToken(key, claims(ISSUER, RESOURCE));
    expect((await post('/v1/mcp', token)).status).toBe(200);
    expect((await post('/mcp')).status).toBe(401);
  });
});
