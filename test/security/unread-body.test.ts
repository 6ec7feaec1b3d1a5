/**
 * A `req.body` set on a stream nobody has read is not the body. body-parser 1.x (Express 4)
 * sets `req.body = {}` on a request whose content type it cannot parse (`application/json;`, a
 * parameter without a value), and leaves the stream unread. The runtime decided on that `{}` (no `tools/call`, so no tool
 * scopes), while the MCP SDK transport, reading the stream itself, ran the tool. The runtime now
 * reads the bytes of such a request. Attacked with Express 4 and `express.json()`, and with
 * Express 5 behind a middleware that sets `req.body` the same way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import { mcpAuth } from '../../src/adapters/fastify.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requireAuth } from '../../src/adapters/express.js';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { send } from '../support/adapters.js';
import { issuerEntry } from '../support/issuer.js';
import { listen, type Listening } from '../support/servers.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import { ISSUER, RESOURCE } from '../support/constants.js';

const key = makeKey('ES256');
const CALL = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'delete_note', arguments: { id: '1' } },
});
/** A type `express.json()` skips (its media-type parser refuses it) and the MCP SDK transport accepts. */
const SKIPPED_TYPE = 'application/json;';
const HEADERS = { accept: 'application/json, text/event-stream' };

type Request = IncomingMessage & { body?: unknown };
type Middleware = (req: Request, res: ServerResponse, next: () => void) => void;

/**
 * The real MCP SDK transport, stateless. It is handed the parsed body when someone has read the
 * stream (as `handleRequest(req, res, req.body)` after `express.json()`), else it reads the stream.
 */
function mcpHandler(ran: { count: number }) {
  return async (req: Request, res: ServerResponse) => {
    const server = new McpServer({ name: 'notes', version: '1.0.0' });
    server.registerTool('delete_note', { inputSchema: { id: z.string() } }, ({ id }) => {
      ran.count++;
      return { content: [{ type: 'text', text: `deleted note ${id}` }] };
    });
    const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
    res.on('close', () => void server.close());
    await server.connect(transport);
    // Text or bytes a framework left (express.text(), express.raw()) are parsed here, as apps do.
    const body =
      typeof req.body === 'string' || Buffer.isBuffer(req.body) ? JSON.parse(String(req.body)) : req.body;
    await transport.handleRequest(req, res, req.readableEnded ? body : undefined);
  };
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const APPS: readonly (readonly [string, (auth: McpAuth, ran: { count: number }) => unknown])[] = [
  [
    'Express 4 with express.json()',
    (auth, ran) => {
      const app = express4();
      app.use(express4.json());
      app.post('/mcp', requireAuth(auth), mcpHandler(ran));
      return app;
    },
  ],
  [
    'Express 5 behind a middleware that sets req.body without reading',
    (auth, ran) => {
      const app = express();
      const presetBody: Middleware = (req, _res, next) => {
        req.body ??= {};
        next();
      };
      app.use(presetBody);
      app.post('/mcp', requireAuth(auth), mcpHandler(ran));
      return app;
    },
  ],
  [
    'Express 5 with express.text() for every type (the body kept as text)',
    (auth, ran) => {
      const app = express();
      app.use(express.text({ type: '*/*' }));
      app.post('/mcp', requireAuth(auth), mcpHandler(ran));
      return app;
    },
  ],
  [
    'Express 5 with express.raw() for every type (the body kept as bytes)',
    (auth, ran) => {
      const app = express();
      app.use(express.raw({ type: '*/*' }));
      app.post('/mcp', requireAuth(auth), mcpHandler(ran));
      return app;
    },
  ],
  [
    'Fastify with a JSON parser that leaves the stream to the transport',
    async (auth, ran) => {
      let listener: Listener | undefined;
      const app = Fastify({ serverFactory: (handler) => ((listener = handler), createServer()) });
      app.addContentTypeParser('application/json', (_request, _payload, done) => done(null));
      await app.register(mcpAuth, { auth });
      const handle = mcpHandler(ran);
      app.post('/mcp', async (request, reply) => {
        reply.hijack();
        await handle(request.raw, reply.raw);
      });
      await app.ready();
      return listener;
    },
  ],
];

describe.each(APPS)('%s', (_name, makeApp) => {
  let auth: McpAuth;
  let server: Listening;
  const ran = { count: 0 };
  const token = (scope: string) => signToken(key, claims(ISSUER, RESOURCE, { scope }));
  const call = (scope: string, type: string) =>
    send(`${server.origin}/mcp`, {
      method: 'POST',
      headers: { ...HEADERS, authorization: `Bearer ${token(scope)}`, 'content-type': type },
      body: CALL,
    });

  beforeAll(async () => {
    auth = await compile({
      issuers: { as: issuerEntry(ISSUER, { keys: [key.publicJwk] }) },
      resources: [
        {
          resource: RESOURCE,
          authorizationServers: ['as'],
          tools: { delete_note: { requiredScopes: ['write'] } },
        },
      ],
    });
    server = await listen(createServer((await makeApp(auth, ran)) as Listener));
  });
  afterAll(async () => {
    await server?.close();
    await auth?.close();
  });

  it('refuses the tool without its scope under application/json (control)', async () => {
    const before = ran.count;
    expect((await call('read', 'application/json')).status).toBe(403);
    expect(ran.count).toBe(before);
  });

  it(`refuses it under ${SKIPPED_TYPE}, which the JSON parser skipped`, async () => {
    const before = ran.count;
    const res = await call('read', SKIPPED_TYPE);
    expect(res.status, res.body).toBe(403);
    expect(res.header('www-authenticate')).toContain('insufficient_scope');
    expect(ran.count).toBe(before);
  });

  it('runs it with its scope under that type: the body read for the decision reaches the SDK', async () => {
    const before = ran.count;
    const res = await call('read write', SKIPPED_TYPE);
    expect(res.status, res.body).toBe(200);
    expect(res.body).toContain('deleted note 1');
    expect(ran.count).toBe(before + 1);
  });
});
