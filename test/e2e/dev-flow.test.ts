/**
 * Proof harness for examples/support: the dev issuer (real oidc-provider) and the scripted OAuth
 * client drive both MCP SDK client generations through the whole MCP authorization flow against
 * a tiny hand-written resource server (401 → PRM → AS metadata → DCR → code + PKCE + resource
 * → token → 403 insufficient_scope → step-up). The resource server deliberately does NOT use
 * mcp-auth-config: this file checks the test harness on its own, so that when
 * test/e2e/adapters.test.ts fails, it is clear whether the harness or the product broke.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { startDevIssuer, type DevIssuer } from '../../examples/support/dev-issuer.js';
import { callToolWithStepUp, connectWithOAuth } from '../../examples/support/oauth-client.js';

const SCOPES = ['read:notes', 'write:notes'];

let issuer: DevIssuer;
let jwks: JWTVerifyGetKey;
let http: Server;
let resource: string;
let prmUrl: string;

/** Verifies an access token the way the resource server must: signature, iss, aud, typ. */
async function verify(token: string) {
  const { payload } = await jwtVerify(token, jwks, {
    issuer: issuer.issuer,
    audience: resource,
    typ: 'at+jwt',
  });
  return Object.assign(payload, { scopes: new Set(String(payload['scope'] ?? '').split(' ')) });
}

/** Minimal RFC 6750 / RFC 9728 bearer check; `delete_note` additionally needs write:notes. */
async function bearer(req: Request, res: Response, next: NextFunction) {
  const challenge = (status: number, params: string) => {
    res.status(status).set('WWW-Authenticate', `Bearer ${params}, resource_metadata="${prmUrl}"`).end();
  };
  const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return challenge(401, 'scope="read:notes"');
  const claims = await verify(token).catch(() => undefined);
  if (!claims) return challenge(401, 'error="invalid_token", scope="read:notes"');
  const body = req.body as { method?: string; params?: { name?: string } } | undefined;
  const needsWrite = body?.method === 'tools/call' && body.params?.name === 'delete_note';
  if (!claims.scopes.has('read:notes') || (needsWrite && !claims.scopes.has('write:notes'))) {
    return challenge(
      403,
      `error="insufficient_scope", scope="${needsWrite ? SCOPES.join(' ') : 'read:notes'}"`,
    );
  }
  next();
}

function notesServer(): McpServer {
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  server.registerTool('read_note', { inputSchema: { id: z.string() } }, ({ id }) => ({
    content: [{ type: 'text', text: `note ${id}: buy milk` }],
  }));
  server.registerTool('delete_note', { inputSchema: { id: z.string() } }, ({ id }) => ({
    content: [{ type: 'text', text: `deleted note ${id}` }],
  }));
  return server;
}

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.get('/.well-known/oauth-protected-resource/mcp', (_req, res) => {
    res.json({ resource, authorization_servers: [issuer.issuer], scopes_supported: SCOPES });
  });
  // Stateless (no sessionIdGenerator): a fresh server and transport per request.
  app.post('/mcp', bearer, async (req, res) => {
    const server = notesServer();
    const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
    res.on('close', () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  app.all('/mcp', bearer, (_req, res) => void res.status(405).set('Allow', 'POST').end());

  http = await new Promise<Server>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  resource = `${origin}/mcp`;
  prmUrl = `${origin}/.well-known/oauth-protected-resource/mcp`;

  issuer = await startDevIssuer({ resources: { [resource]: { scopes: SCOPES } } });
  jwks = createRemoteJWKSet(new URL(issuer.jwksUri));
});

afterAll(async () => {
  http?.closeAllConnections();
  await new Promise((resolve) => http?.close(resolve));
  await issuer?.close();
});

describe('dev issuer', () => {
  it('mints client_credentials JWTs for a configured resource', async () => {
    const token = await issuer.clientCredentialsToken({ resource, scope: 'read:notes' });
    const claims = await verify(token);
    expect(claims.aud).toBe(resource);
    expect(claims['client_id']).toBe('dev-service');
    expect([...claims.scopes]).toEqual(['read:notes']);
  });

  it('refuses an unknown resource', async () => {
    await expect(issuer.clientCredentialsToken({ resource: 'http://127.0.0.1:1/other' })).rejects.toThrow(
      /invalid_target/,
    );
  });
});

describe.each(['v1', 'v2'] as const)('MCP SDK %s client', (sdk) => {
  it('connects, lists tools, reads, and steps up to delete', async () => {
    const transcript: string[] = [];
    const ctx = await connectWithOAuth({ serverUrl: resource, sdk, log: (line) => transcript.push(line) });
    try {
      const first = ctx.provider.tokens();
      expect(first).toBeDefined();
      const firstClaims = await verify(first!.access_token);
      expect(firstClaims.aud).toBe(resource);
      expect(firstClaims.scopes.has('read:notes')).toBe(true);
      expect(firstClaims.scopes.has('write:notes')).toBe(false);

      const { tools } = await ctx.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['delete_note', 'read_note']);

      const read = await callToolWithStepUp(ctx, 'read_note', { id: '7' });
      expect(read.content[0]?.text).toBe('note 7: buy milk');

      const deleted = await callToolWithStepUp(ctx, 'delete_note', { id: '7' });
      expect(deleted.isError).toBeFalsy();
      expect(deleted.content[0]?.text).toBe('deleted note 7');

      const stepped = await verify(ctx.provider.tokens()!.access_token);
      expect(stepped.aud).toBe(resource);
      expect(stepped.scopes.has('write:notes')).toBe(true);
      expect(stepped.sub).toBe(firstClaims.sub); // the same user, who only consented again
      expect(stepped['client_id']).toBe(firstClaims['client_id']);

      expect(transcript).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^401 challenge received/),
          expect.stringMatching(/^registered client /),
          'authorization code received',
          '403 insufficient_scope: need write:notes -> step-up',
        ]),
      );
      // Login happens once; the step-up round only asks for consent.
      expect(transcript.filter((line) => line === 'browser: login page answered')).toHaveLength(1);
      if (process.env['SHOW_TRANSCRIPT']) console.log(`--- ${sdk}\n${transcript.join('\n')}`);
    } finally {
      await ctx.client.close();
    }
  });
});
