/**
 * Browser-based MCP clients: a page on another loopback origin, in real headless Chromium, reads
 * the Protected Resource Metadata (with an `MCP-Protocol-Version` header, so with a preflight) and
 * the `WWW-Authenticate` of a 401 from the protected endpoint.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../examples/support/notes-server.js';
import { mcpAuth } from '../../src/adapters/fastify.js';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('a browser client on another origin (Chromium)', () => {
  let browser: Browser;
  let auth: McpAuth;
  let app: FastifyInstance;
  let api: string;
  let page: string;
  let pageServer: ReturnType<typeof createServer>;
  let preflightsSeenByApp = 0;

  beforeAll(async () => {
    const { server, base } = await listen(0);
    api = base;
    auth = await compile({
      issuers: {
        as: {
          metadata: {
            issuer: 'http://127.0.0.1:9',
            authorizationEndpoint: 'http://127.0.0.1:9/a',
            tokenEndpoint: 'http://127.0.0.1:9/t',
          },
          jwks: {
            keys: [
              {
                kty: 'EC',
                crv: 'P-256',
                x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
                y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
              },
            ],
          },
        },
      },
      resources: [
        {
          resource: `${base}/mcp`,
          authorizationServers: ['as'],
          scopesSupported: ['read'],
          token: { requiredScopes: ['read'] },
          browser: { public: true },
        },
      ],
    });
    app = Fastify({ serverFactory: (handler) => server.on('request', handler) });
    await app.register(mcpAuth, { auth });
    // The application's own CORS handling answers preflights to the protected path.
    app.options('/mcp', async (_request, reply) => {
      preflightsSeenByApp++;
      return reply
        .code(204)
        .headers({
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type, authorization, mcp-protocol-version',
        })
        .send();
    });
    app.post('/mcp', async () => ({ ok: true }));
    await app.ready();

    pageServer = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>client</title>'),
    );
    page = (await listen(0, pageServer)).base;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await auth?.close();
    pageServer?.close();
  });

  it('reads the metadata and the 401 challenge across origins', async () => {
    const tab = await browser.newPage();
    await tab.goto(page);
    const result = await tab.evaluate(async (apiBase) => {
      const prm = await fetch(`${apiBase}/.well-known/oauth-protected-resource/mcp`, {
        headers: { 'MCP-Protocol-Version': '2025-06-18' },
      });
      const challenge = await fetch(`${apiBase}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'MCP-Protocol-Version': '2025-06-18' },
        body: '{"jsonrpc":"2.0","id":1,"method":"initialize"}',
      });
      return {
        prmStatus: prm.status,
        prm: await prm.json(),
        status: challenge.status,
        www: challenge.headers.get('www-authenticate'),
      };
    }, api);
    expect(result.prmStatus).toBe(200);
    expect(result.prm.resource).toBe(`${api}/mcp`);
    expect(result.status).toBe(401);
    expect(result.www).toBe(
      `Bearer scope="read", resource_metadata="${api}/.well-known/oauth-protected-resource/mcp"`,
    );
    // The preflight to the protected path was not challenged: it reached the application.
    expect(preflightsSeenByApp).toBeGreaterThan(0);
  });
});
