/**
 * Bench server: Express 5 with `express.json()` and `POST /mcp` answering a trivial JSON-RPC
 * result: `plain` (unprotected), `ours` (`metadataRouter` at the root and `requireAuth` on the
 * route, as the README mounts them), `noop` (two empty middlewares, mounted where ours go),
 * `floor` (a middleware that checks the signature alone), `logto` (Logto's `mcp-auth` 0.2: its
 * metadata router and `bearerAuth('jwt')`, as its README mounts them) or `auth0`
 * (`express-oauth2-jwt-bearer`'s `auth()`); the two peers fetch the keys once from a loopback
 * JWKS URL.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { auth as auth0 } from 'express-oauth2-jwt-bearer';
import { compile, type McpAuth } from 'mcp-auth-config';
import { metadataRouter, requireAuth } from 'mcp-auth-config/express';
import { STATS_PATH } from '../lib/protocol.js';
import { announce, floorCheck, manifestFor, readConfig, stats } from './common.js';
import { serveJwks } from './jwks.js';

/** The part of Logto's `mcp-auth` 0.2 this bench calls. */
type LogtoMcpAuthClass = new (config: unknown) => {
  protectedResourceMetadataRouter(): express.RequestHandler;
  bearerAuth(mode: 'jwt', options: { resource: string; audience: string }): express.RequestHandler;
};

const config = readConfig();
const app = express();
let auth: McpAuth | undefined;
let jwks: Awaited<ReturnType<typeof serveJwks>> | undefined;

app.get(STATS_PATH, (req, res) => {
  res.json(stats(auth, req.query.gc === '1'));
});

const handler: express.RequestHandler = (req, res) => {
  res.json({
    jsonrpc: '2.0',
    id: (req.body as { id?: unknown } | undefined)?.id ?? null,
    result: { tools: [] },
  });
};

if (config.mode === 'ours') {
  auth = await compile(manifestFor(config));
  app.use(metadataRouter(auth));
  app.post('/mcp', express.json(), requireAuth(auth), handler);
} else if (config.mode === 'logto') {
  jwks = await serveJwks(config.keys);
  // Loaded by a specifier TypeScript does not follow: the package augments the MCP SDK's global
  // AuthInfo type (a required `subject`), which would leak into the whole program's type check.
  const peer = 'mcp-auth';
  const { MCPAuth } = (await import(peer)) as { MCPAuth: LogtoMcpAuthClass };
  const mcpAuth = new MCPAuth({
    protectedResources: [
      {
        metadata: {
          resource: config.resource,
          authorizationServers: [
            {
              type: 'oauth',
              metadata: {
                issuer: config.issuer,
                authorizationEndpoint: `${config.issuer}/authorize`,
                tokenEndpoint: `${config.issuer}/token`,
                responseTypesSupported: ['code'],
                grantTypesSupported: ['authorization_code'],
                codeChallengeMethodsSupported: ['S256'],
                jwksUri: jwks.uri,
              },
            },
          ],
          scopesSupported: ['read:files'],
        },
      },
    ],
  });
  app.use(mcpAuth.protectedResourceMetadataRouter());
  app.post(
    '/mcp',
    express.json(),
    mcpAuth.bearerAuth('jwt', { resource: config.resource, audience: config.resource }),
    handler,
  );
} else if (config.mode === 'noop') {
  // What any guard mounted like ours costs by itself: an empty app-level middleware (where the
  // metadata router goes) and an empty route-level one (where `requireAuth` goes).
  const pass: express.RequestHandler = (_req, _res, next) => next();
  app.use(pass);
  app.post('/mcp', express.json(), pass, handler);
} else if (config.mode === 'floor') {
  const check = floorCheck(config.keys, config.offload);
  const floor: express.RequestHandler = (req, res, next) => {
    check(req.headers.authorization?.slice(7) ?? '').then(
      (ok) => (ok ? next() : res.status(401).json({ error: 'invalid_token' })),
      next,
    );
  };
  app.post('/mcp', express.json(), floor, handler);
} else if (config.mode === 'auth0') {
  jwks = await serveJwks(config.keys);
  app.post(
    '/mcp',
    express.json(),
    auth0({ issuer: config.issuer, jwksUri: jwks.uri, audience: config.resource }),
    handler,
  );
} else {
  app.post('/mcp', express.json(), handler);
}

const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
announce((server.address() as AddressInfo).port, async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  jwks?.server.close();
  await auth?.close();
});
