/**
 * One body rule on every adapter: the body is read only after the `Authorization` header passed
 * its checks and only when it can change the decision (per-tool scopes, a form); a body over
 * `settings.maxBodyBytes` on a resource that needs it is 413 and never reaches the application;
 * a body the decision does not need reaches the application untouched.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAuth } from '../../src/adapters/express.js';
import { mcpAuth } from '../../src/adapters/fastify.js';
import { protectFetchHandler } from '../../src/adapters/fetch.js';
import { createNodeHandler } from '../../src/adapters/node.js';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { rawExchange } from '../support/raw-request.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import { issuerEntry } from '../support/issuer.js';
import { listen } from '../support/servers.js';

const ISSUER = 'https://as.example';
const TOOLS = 'https://mcp.example.com/mcp';
const PLAIN = 'https://mcp.example.com/plain';
const LIMIT = 64 * 1024;
const key = makeKey('ES256');

interface App {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** What the application saw of each request it handled: the byte length of the body it read. */
  readonly seen: number[];
  close(): Promise<void>;
}

/** Reads a Node request body itself, as an application whose own parser runs after the guard. */
async function lengthOf(req: IncomingMessage & { body?: unknown }): Promise<number> {
  if (req.body !== undefined) return Buffer.byteLength(JSON.stringify(req.body));
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) size += chunk.length;
  return size;
}

async function listening(name: string, server: Server, seen: number[]): Promise<App> {
  const { origin, port, close } = await listen(server);
  return { name, port, url: origin, seen, close };
}

async function startApps(auth: McpAuth): Promise<App[]> {
  const apps: App[] = [];
  {
    const seen: number[] = [];
    const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
    await app.register(mcpAuth, { auth });
    app.post('/*', async (request) => {
      seen.push(request.body === undefined ? 0 : Buffer.byteLength(JSON.stringify(request.body)));
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    apps.push({ name: 'fastify', port, url: `http://127.0.0.1:${port}`, seen, close: () => app.close() });
  }
  {
    const seen: number[] = [];
    const app = express();
    app.post(['/mcp', '/plain'], requireAuth(auth), (req, res) => {
      void lengthOf(req).then((n) => {
        seen.push(n);
        res.json({ ok: true });
      });
    });
    apps.push(await listening('express', createServer(app), seen));
  }
  {
    const seen: number[] = [];
    const handler = createNodeHandler(auth, async (req, res) => {
      seen.push(await lengthOf(req));
      res.writeHead(200).end('{}');
    });
    apps.push(await listening('node', createServer(handler), seen));
  }
  {
    const seen: number[] = [];
    const fetch = protectFetchHandler(auth, async (request) => {
      seen.push((await request.arrayBuffer()).byteLength);
      return Response.json({ ok: true });
    });
    apps.push(await listening('fetch', createServer(getRequestListener(fetch)), seen));
  }
  return apps;
}

describe('the body rule, on every adapter', () => {
  let auth: McpAuth;
  let apps: App[];
  const token = signToken(key, claims(ISSUER, [TOOLS, PLAIN], { scope: 'read write' }));
  const call = (padding: number) =>
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'delete_note', arguments: { padding: 'x'.repeat(padding) } },
    });

  beforeAll(async () => {
    auth = await compile({
      issuers: { as: issuerEntry(ISSUER, { keys: [key.publicJwk] }) },
      resources: [
        {
          resource: TOOLS,
          authorizationServers: ['as'],
          tools: { delete_note: { requiredScopes: ['write'] } },
        },
        { resource: PLAIN, authorizationServers: ['as'] },
      ],
      settings: { maxBodyBytes: LIMIT },
    });
    apps = await startApps(auth);
  });
  afterAll(async () => {
    await Promise.all((apps ?? []).map((a) => a.close()));
    await auth?.close();
  });

  it('without a valid Authorization header the body is never waited for: 401 while it is still being sent', async () => {
    for (const app of apps) {
      for (const headers of [[], ['Authorization: Basic eDp5'], ['Authorization: Bearer a b']]) {
        const status = await rawExchange(app.port, {
          method: 'POST',
          target: '/mcp',
          headers: [...headers, 'Content-Type: application/json', 'Content-Length: 100000'],
          body: '{"jsonrpc":',
        });
        expect([400, 401], `${app.name} ${headers.join()}`).toContain(status);
      }
      expect(app.seen, app.name).toEqual([]);
    }
  });

  it('a declared body over maxBodyBytes on a resource with per-tool scopes is 413, unread', async () => {
    for (const app of apps) {
      const status = await rawExchange(app.port, {
        method: 'POST',
        target: '/mcp',
        headers: [
          `Authorization: Bearer ${token}`,
          'Content-Type: application/json',
          'Content-Length: 100000',
        ],
        body: '{"jsonrpc":',
      });
      expect(status, app.name).toBe(413);
      expect(app.seen, app.name).toEqual([]);
    }
  });

  it('a chunked body that grows over maxBodyBytes is 413 and never reaches the application', async () => {
    const chunk = call(LIMIT * 2);
    for (const app of apps.filter((a) => a.name !== 'fastify')) {
      // The body is never finished: the answer must come from the bytes over the limit alone.
      const status = await rawExchange(app.port, {
        method: 'POST',
        target: '/mcp',
        headers: [
          `Authorization: Bearer ${token}`,
          'Content-Type: application/json',
          'Transfer-Encoding: chunked',
        ],
        body: `${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`,
      });
      expect(status, app.name).toBe(413);
      expect(app.seen, app.name).toEqual([]);
    }
  });

  it('a call under the limit is decided on its tools: 200 with the scope, and the application gets the body', async () => {
    for (const app of apps) {
      const body = call(10);
      const res = await fetch(`${app.url}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      expect(res.status, app.name).toBe(200);
      expect(app.seen.pop(), app.name).toBe(Buffer.byteLength(body));
    }
  });

  it('a large body the decision does not need reaches the application whole, the stream untouched', async () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
      params: { pad: 'y'.repeat(5 << 20) },
    });
    for (const app of apps) {
      const res = await fetch(`${app.url}/plain`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      expect(res.status, app.name).toBe(200);
      expect(app.seen.pop(), app.name).toBe(Buffer.byteLength(body));
    }
  });
});
