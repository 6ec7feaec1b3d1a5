/**
 * The guard and the router must agree. Every spelling of a protected path that a mainstream
 * router could route to the protected handler (percent-encoding, absolute-form, fragments, case,
 * dot segments, repeated slashes, matrix parameters, encoded slashes, control bytes) is sent raw
 * over a socket, without a token, to applications on every adapter whose handlers count how often
 * they run. The application never runs, and nothing answers 5xx. With a valid token nothing
 * answers 5xx either, and the plain spellings reach the application (so the apps are live).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAuth } from '../../src/adapters/express.js';
import { mcpAuth } from '../../src/adapters/fastify.js';
import { protectFetchHandler } from '../../src/adapters/fetch.js';
import { createNodeHandler, mcpAuthMiddleware } from '../../src/adapters/node.js';
import { startDevIssuer, type DevIssuer } from '../../examples/support/dev-issuer.js';
import type { ExampleOptions, RunningExample } from '../../examples/support/notes-server.js';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { rawExchange, rawStatus } from '../support/raw-request.js';
import { RAW_SPELLINGS, SPELLINGS } from '../support/target-spellings.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import { issuerEntry } from '../support/issuer.js';
import { ISSUER, RESOURCE } from '../support/constants.js';
import { listen } from '../support/servers.js';

const key = makeKey('ES256');

interface App {
  readonly name: string;
  readonly port: number;
  reached: number;
  close(): Promise<void>;
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'matrix', version: '1' } },
});

async function fastifyApp(auth: McpAuth, lenient: boolean): Promise<App> {
  const app = Fastify(
    lenient
      ? { routerOptions: { caseSensitive: false, ignoreDuplicateSlashes: true, ignoreTrailingSlash: true } }
      : {},
  );
  const state = { reached: 0 };
  await app.register(mcpAuth, { auth });
  for (const url of ['/mcp', '/mcp/*']) {
    app.all(url, async () => {
      state.reached++;
      return { ok: true };
    });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return Object.assign(state, {
    name: lenient ? 'fastify (lenient router)' : 'fastify',
    port,
    close: () => app.close(),
  });
}

async function expressApp(auth: McpAuth, mode: 'middleware' | 'requireAuth'): Promise<App> {
  const app = express();
  const state = { reached: 0 };
  if (mode === 'middleware') app.use(mcpAuthMiddleware(auth));
  const guards = mode === 'requireAuth' ? [requireAuth(auth)] : [];
  app.all(['/mcp', '/mcp/*rest'], ...guards, (_req, res) => {
    state.reached++;
    res.json({ ok: true });
  });
  const { port, close } = await listen(createServer(app));
  return Object.assign(state, { name: `express (${mode})`, port, close });
}

/** node:http: the application routes on the WHATWG URL path, decoded, as hand-written servers do. */
async function nodeApp(auth: McpAuth): Promise<App> {
  const state = { reached: 0 };
  const server = createServer(
    createNodeHandler(auth, (req, res) => {
      let path: string;
      try {
        path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname).toLowerCase();
      } catch {
        return void res.writeHead(400).end();
      }
      if (path !== '/mcp' && !path.startsWith('/mcp/')) return void res.writeHead(404).end();
      state.reached++;
      res.writeHead(200).end();
    }),
  );
  const { port, close } = await listen(server);
  return Object.assign(state, { name: 'node:http', port, close });
}

async function honoApp(auth: McpAuth): Promise<App> {
  const state = { reached: 0 };
  const app = new Hono();
  app.all('/mcp', (c) => {
    state.reached++;
    return c.json({ ok: true });
  });
  app.all('/mcp/*', (c) => {
    state.reached++;
    return c.json({ ok: true });
  });
  const server = createServer(getRequestListener(protectFetchHandler(auth, (request) => app.fetch(request))));
  const { port, close } = await listen(server);
  return Object.assign(state, { name: 'hono (fetch)', port, close });
}

describe('request targets: the guard decides on what the router routes on', () => {
  let auth: McpAuth;
  let apps: App[];
  const token = signToken(key, claims(ISSUER, RESOURCE, { scope: 'read' }));

  beforeAll(async () => {
    auth = await compile({
      issuers: { as: issuerEntry(ISSUER, { keys: [key.publicJwk] }) },
      resources: [{ resource: RESOURCE, authorizationServers: ['as'] }],
    });
    apps = await Promise.all([
      fastifyApp(auth, false),
      fastifyApp(auth, true),
      expressApp(auth, 'middleware'),
      expressApp(auth, 'requireAuth'),
      nodeApp(auth),
      honoApp(auth),
    ]);
  });
  afterAll(async () => {
    await Promise.all((apps ?? []).map((a) => a.close()));
    await auth?.close();
  });

  it('the applications are live: a valid token on /mcp reaches each of them', async () => {
    for (const app of apps) {
      const before = app.reached;
      expect(await rawStatus(app.port, '/mcp', token), app.name).toBe(200);
      expect(app.reached, app.name).toBe(before + 1);
    }
  });

  describe.each([...SPELLINGS, ...RAW_SPELLINGS])('%j', (target) => {
    it('without a token: the application never runs and nothing answers 5xx', async () => {
      for (const app of apps) {
        const before = app.reached;
        const status = await rawStatus(app.port, target);
        expect(app.reached, `${app.name} ran for ${JSON.stringify(target)} (status ${status})`).toBe(before);
        expect(status, app.name).toBeLessThan(500);
      }
    });

    it('with a valid token: nothing answers 5xx', async () => {
      for (const app of apps) {
        const status = await rawStatus(app.port, target, token);
        expect(status, `${app.name} for ${JSON.stringify(target)}`).toBeLessThan(500);
      }
    });
  });
});

describe('request targets: the classifier', () => {
  let auth: McpAuth;
  beforeAll(async () => {
    auth = await compile({
      issuers: { as: issuerEntry(ISSUER, { keys: [key.publicJwk] }) },
      resources: [
        { resource: RESOURCE, authorizationServers: ['as'] },
        { resource: 'https://mcp.example.com/mcp/admin', authorizationServers: ['as'] },
        { resource: 'https://mcp.example.com/public', authorizationServers: ['as'], protect: false },
      ],
    });
  });
  afterAll(() => auth?.close());

  it('the authority of an absolute-form target never chooses the resource', () => {
    expect(
      auth.classify({ url: 'http://other.example/mcp/admin/x', host: 'mcp.example.com' }).resource?.resource,
    ).toBe('https://mcp.example.com/mcp/admin');
  });

  it('an ambiguous target whose readings name two protected resources is a conflict (answered 400)', async () => {
    const url = '/mcp/x%2F..%2F..%2Fmcp%2Fadmin';
    expect(auth.classify({ url, host: 'mcp.example.com' })).toEqual({ conflict: true });
    const result = await auth.handle({ method: 'GET', url, authorization: [] });
    expect(result.response?.status).toBe(400);
    expect(result.response?.headers['cache-control']).toBe('no-store');
  });

  it('a reading that names a protected resource wins over one that names an unprotected one', () => {
    expect(auth.classify({ url: '/public%2F..%2Fmcp', host: 'mcp.example.com' }).resource?.resource).toBe(
      RESOURCE,
    );
  });

  it('an unprotected resource stays unprotected when spelled plainly', async () => {
    expect(await auth.handle({ method: 'GET', url: '/public/x', authorization: [] })).toEqual({});
  });

  it('a dot segment that climbs out of a protected path still counts as that path', () => {
    for (const url of ['/mcp/admin/../../public', '/MCP/ADMIN/%2e%2e/..']) {
      expect(auth.classify({ url, host: 'mcp.example.com' }).resource?.resource, url).toBe(
        'https://mcp.example.com/mcp/admin',
      );
    }
    // Readings that name two protected resources: `/mcp/x/../admin` is `/mcp/admin` resolved and
    // under `/mcp` kept as names; `/mcp/admin//../../public` is `/mcp/public` for WHATWG.
    for (const url of ['/mcp/x/../admin', '/mcp/admin//../../public']) {
      expect(auth.classify({ url, host: 'mcp.example.com' }), url).toEqual({ conflict: true });
    }
  });

  it('dot segments are also resolved as WHATWG URL resolves them (an empty segment is what `..` removes)', async () => {
    const docs = await compile({
      issuers: { as: issuerEntry(ISSUER, { keys: [key.publicJwk] }) },
      resources: [
        { resource: 'https://mcp.example.com/docs', authorizationServers: ['as'], protect: false },
        { resource: 'https://mcp.example.com/docs/private', authorizationServers: ['as'] },
      ],
    });
    try {
      // WHATWG: `/docs/private`; collapsed then resolved: `/private`; kept as names: under `/docs`.
      expect(docs.classify({ url: '/docs//../private', host: 'mcp.example.com' }).resource?.resource).toBe(
        'https://mcp.example.com/docs/private',
      );
    } finally {
      await docs.close();
    }
  });
});

describe('request targets: a dot segment cannot trade one protected resource for another', () => {
  let auth: McpAuth;
  let port: number;
  let close: () => Promise<void>;
  let reached = 0;
  const OTHER = 'https://mcp.example.com/other';

  beforeAll(async () => {
    auth = await compile({
      issuers: { as: issuerEntry(ISSUER, { keys: [key.publicJwk] }) },
      resources: [
        { resource: RESOURCE, authorizationServers: ['as'], token: { requiredScopes: ['admin'] } },
        { resource: OTHER, authorizationServers: ['as'] },
      ],
    });
    const app = express();
    app.use('/mcp', requireAuth(auth), (_req, res) => {
      reached++;
      res.json({ ok: true });
    });
    ({ port, close } = await listen(createServer(app)));
  });
  afterAll(async () => {
    await close?.();
    await auth?.close();
  });

  it("Express routes /mcp/../other to /mcp's handler: a token for /other never gets there", async () => {
    const forOther = signToken(key, claims(ISSUER, OTHER, { scope: 'read' }));
    for (const target of ['/mcp/../other', '/mcp/x/../../other', '/mcp//../other']) {
      const status = await rawStatus(port, target, forOther);
      expect(status, target).toBeGreaterThanOrEqual(400);
      expect(status, target).toBeLessThan(500);
    }
    expect(reached).toBe(0);
    const forMcp = signToken(key, claims(ISSUER, RESOURCE, { scope: 'admin' }));
    expect(await rawStatus(port, '/mcp', forMcp)).toBe(200); // the application is live
    expect(reached).toBe(1);
  });
});

describe('request targets: a Host that names no origin exactly gets the protected resource', () => {
  let auth: McpAuth;
  let apps: App[];
  const PUBLIC_ORIGIN = 'public.example';

  beforeAll(async () => {
    auth = await compile({
      issuers: { as: issuerEntry(ISSUER, { keys: [key.publicJwk] }) },
      resources: [
        // Listed first: the tie-break must not fall back to it.
        { resource: `https://${PUBLIC_ORIGIN}/mcp`, authorizationServers: ['as'], protect: false },
        { resource: RESOURCE, authorizationServers: ['as'] },
      ],
    });
    apps = await Promise.all([
      fastifyApp(auth, false),
      fastifyApp(auth, true),
      expressApp(auth, 'middleware'),
      nodeApp(auth),
      honoApp(auth),
    ]);
  });
  afterAll(async () => {
    await Promise.all((apps ?? []).map((a) => a.close()));
    await auth?.close();
  });

  it.each(['mcp.example.com:443', 'MCP.EXAMPLE.COM.', 'mcp.example.com.:443', 'other.example', null])(
    'Host %j: the application never runs without a token',
    async (host) => {
      for (const app of apps) {
        const before = app.reached;
        const status = await rawExchange(app.port, { target: '/mcp', host });
        expect(app.reached, `${app.name} ran (status ${status})`).toBe(before);
        expect(status, app.name).toBeGreaterThanOrEqual(400);
        expect(status, app.name).toBeLessThan(500);
      }
    },
  );

  it("Host naming the unprotected resource's origin, in any spelling, reaches the application (control)", async () => {
    for (const host of [PUBLIC_ORIGIN, 'PUBLIC.EXAMPLE:443', `${PUBLIC_ORIGIN}.`]) {
      for (const app of apps) {
        const before = app.reached;
        expect(await rawExchange(app.port, { target: '/mcp', host }), `${app.name} ${host}`).toBe(200);
        expect(app.reached, app.name).toBe(before + 1);
      }
    }
  });
});

const EXAMPLES: Record<string, () => Promise<{ start(o: ExampleOptions): Promise<RunningExample> }>> = {
  fastify: () => import('../../examples/fastify.js'),
  express: () => import('../../examples/express.js'),
  'node:http': () => import('../../examples/node-http.js'),
  hono: () => import('../../examples/hono.js'),
  'seed API': () => import('../../examples/seed-api.js'),
};

describe('request targets against the example servers (a real MCP server behind each)', () => {
  let issuer: DevIssuer;
  const servers: Array<[string, RunningExample]> = [];

  beforeAll(async () => {
    issuer = await startDevIssuer({ resources: {} });
    for (const [name, load] of Object.entries(EXAMPLES)) {
      servers.push([name, await (await load()).start({ port: 0, env: { ISSUER_URL: issuer.issuer } })]);
    }
  });
  afterAll(async () => {
    for (const [, server] of servers) await server.close();
    await issuer?.close();
  });

  it('an MCP initialize without a token is never answered by the MCP server, in any spelling', async () => {
    for (const [name, server] of servers) {
      const port = Number(new URL(server.url).port);
      for (const target of [...SPELLINGS, ...RAW_SPELLINGS]) {
        const status = await rawStatus(port, target, undefined, INITIALIZE);
        expect(status, `${name}: ${JSON.stringify(target)}`).not.toBe(200);
        expect(status, `${name}: ${JSON.stringify(target)}`).toBeLessThan(500);
      }
    }
  });

  it('the examples are live: an initialize with a token the example trusts is answered 200', async () => {
    for (const [name, server] of servers) {
      issuer.addResource(server.url, ['read:notes']);
      const token = await issuer.clientCredentialsToken({ resource: server.url, scope: 'read:notes' });
      const status = await rawStatus(Number(new URL(server.url).port), '/mcp', token, INITIALIZE);
      expect(status, name).toBe(200);
    }
  });
});
