/**
 * Bench server: Fastify 5 with `POST /mcp` answering a trivial JSON-RPC result, in one of five
 * modes: `plain` (unprotected), `noop` (an empty async preHandler), `floor` (a preHandler that
 * checks the signature alone), `ours` (the mcpAuth plugin), `jose` (a hand-written preHandler
 * with `jose.jwtVerify` + `createLocalJWKSet`, the baseline a user would write).
 */
import Fastify from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { compile, type McpAuth } from 'mcp-auth-config';
import { mcpAuth } from 'mcp-auth-config/fastify';
import { STATS_PATH } from '../lib/protocol.js';
import { announce, floorCheck, manifestFor, readConfig, stats } from './common.js';

const config = readConfig();
const app = Fastify({ logger: false });
let auth: McpAuth | undefined;

if (config.mode === 'ours') {
  auth = await compile(manifestFor(config));
  await app.register(mcpAuth, { auth });
} else if (config.mode === 'noop') {
  app.addHook('preHandler', async () => undefined);
} else if (config.mode === 'floor') {
  const check = floorCheck(config.keys, config.offload);
  app.addHook('preHandler', async (request, reply) => {
    if (!request.url.startsWith('/mcp')) return;
    const token = request.headers.authorization?.slice(7) ?? '';
    if (!(await check(token))) return reply.code(401).send({ error: 'invalid_token' });
  });
} else if (config.mode === 'jose') {
  const jwks = createLocalJWKSet({ keys: [...config.keys] });
  const audience = config.resource;
  const unauthorized = { error: 'invalid_token' };
  app.addHook('preHandler', async (request, reply) => {
    if (!request.url.startsWith('/mcp')) return;
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (!token) return reply.code(401).header('www-authenticate', 'Bearer').send(unauthorized);
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: config.issuer,
        audience,
        algorithms: ['ES256', 'RS256', 'EdDSA'],
        requiredClaims: ['exp'],
      });
      (request as typeof request & { user?: unknown }).user = payload;
    } catch {
      return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send(unauthorized);
    }
  });
}

app.post('/mcp', async (request) => ({
  jsonrpc: '2.0',
  id: (request.body as { id?: unknown } | undefined)?.id ?? null,
  result: { tools: [] },
}));
app.get(STATS_PATH, async (request) => stats(auth, (request.query as { gc?: string }).gc === '1'));

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
announce(typeof address === 'object' && address ? address.port : 0, async () => {
  await app.close();
  await auth?.close();
});
