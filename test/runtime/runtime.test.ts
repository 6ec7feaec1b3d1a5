/**
 * The compiled runtime as an object: frozen, deterministic, releasing what it holds, and the
 * framework-neutral core answering metadata and protected requests without any adapter.
 */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchAuth } from '../../src/adapters/fetch.js';
import type { ManifestInput } from '../../src/manifest/schema.js';
import { compile } from '../../src/runtime/compile.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import { listen } from '../support/servers.js';

const ISSUER = 'https://as.example';
const key = makeKey('ES256');
const manifest: ManifestInput = {
  issuers: {
    as: {
      metadata: { issuer: ISSUER, authorizationEndpoint: `${ISSUER}/a`, tokenEndpoint: `${ISSUER}/t` },
      jwks: { keys: [key.publicJwk] },
    },
  },
  resources: [
    { resource: 'https://api.example.com/notes', authorizationServers: ['as'], scopesSupported: ['read'] },
    {
      resource: 'https://api.example.com/files/',
      authorizationServers: ['as'],
      mirrorAuthorizationServerMetadata: true,
    },
    { resource: 'https://other.example.com', authorizationServers: ['as'] },
  ],
};

describe('compile()', () => {
  it('returns a frozen runtime whose configuration cannot be changed', async () => {
    const auth = await compile(manifest);
    try {
      expect(Object.isFrozen(auth)).toBe(true);
      expect(Object.isFrozen(auth.manifest)).toBe(true);
      expect(Object.isFrozen(auth.manifest.resources[0]!.token)).toBe(true);
      expect(Object.isFrozen(auth.resources)).toBe(true);
      expect(Object.isFrozen(auth.routes)).toBe(true);
      expect(() => {
        (auth.manifest.resources[0] as { resource: string }).resource = 'https://evil.example';
      }).toThrow(TypeError);
    } finally {
      await auth.close();
    }
  });

  it('gives equal route tables for the same manifest', async () => {
    const [a, b] = await Promise.all([compile(manifest), compile(manifest)]);
    try {
      expect(a.routes).toEqual(b.routes);
      expect(a.routes.map((r) => `${r.kind} ${r.path} ${r.resource}`)).toEqual([
        'protected-resource /.well-known/oauth-protected-resource/notes https://api.example.com/notes',
        'protected-resource /.well-known/oauth-protected-resource/files https://api.example.com/files/',
        'protected-resource /.well-known/oauth-protected-resource https://other.example.com',
        'authorization-server-mirror /.well-known/oauth-authorization-server https://api.example.com/files/',
      ]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('serves the legacy authorization-server mirror only where opted in', async () => {
    const auth = await compile(manifest);
    try {
      const mirror = await auth.handleMetadataRequest({
        method: 'GET',
        url: '/.well-known/oauth-authorization-server',
        host: 'api.example.com',
        authorization: [],
      });
      expect(mirror?.status).toBe(200);
      expect(JSON.parse(mirror!.body!)).toMatchObject({ issuer: ISSUER, token_endpoint: `${ISSUER}/t` });
      const root = await auth.handleMetadataRequest({
        method: 'GET',
        url: '/.well-known/oauth-protected-resource',
        host: 'other.example.com',
        authorization: [],
      });
      expect(JSON.parse(root!.body!)).toMatchObject({ resource: 'https://other.example.com' });
      // api.example.com has two resources, so it has no root document: the request falls through.
      expect(auth.resourceFor('/notes/x', 'api.example.com')?.resource).toBe('https://api.example.com/notes');
      expect(
        auth.handleMetadataRequest({
          method: 'GET',
          url: '/unrelated',
          host: 'api.example.com',
          authorization: [],
        }),
      ).toBeUndefined();
    } finally {
      await auth.close();
    }
  });

  it("the root metadata route never serves another origin's document", async () => {
    const auth = await compile(manifest);
    try {
      const rootFor = (host: string | undefined) =>
        auth.handleMetadataRequest({
          method: 'GET',
          url: '/.well-known/oauth-protected-resource',
          host,
          authorization: [],
        });
      // api.example.com holds two resources: it has no root document, and does not get other.example.com's.
      expect(await rootFor('api.example.com')).toBeUndefined();
      expect(await rootFor('API.example.com')).toBeUndefined();
      expect(JSON.parse((await rootFor('other.example.com'))!.body!)).toMatchObject({
        resource: 'https://other.example.com',
      });
      // A host the manifest does not know (a proxy in front) still finds the one root document.
      expect(JSON.parse((await rootFor('127.0.0.1:8080'))!.body!)).toMatchObject({
        resource: 'https://other.example.com',
      });
    } finally {
      await auth.close();
    }
  });

  it('close() releases the sockets of its fetches', async () => {
    const sockets = new Set<unknown>();
    let issuer = '';
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/a`,
          token_endpoint: `${issuer}/t`,
          jwks_uri: `${issuer}/jwks`,
        }),
      );
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    const listening = await listen(server);
    issuer = listening.origin;
    const auth = await compile({
      issuers: { main: { issuer, type: 'oauth' } },
      resources: [{ resource: 'http://127.0.0.1:1/mcp', authorizationServers: ['main'] }],
    });
    expect(sockets.size).toBe(1); // kept alive by the runtime's dispatcher
    await auth.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sockets.size).toBe(0);
    await listening.close();
  });
});

describe('createFetchAuth()', () => {
  let auth: Awaited<ReturnType<typeof compile>>;
  beforeAll(async () => {
    auth = await compile(manifest);
  });
  afterAll(async () => {
    await auth.close();
  });

  it('is a (request) => Promise<Response | undefined> function that remembers the identity', async () => {
    const mcpAuth = createFetchAuth(auth);
    const refused = await mcpAuth(new Request('https://api.example.com/notes', { method: 'POST' }));
    expect(refused?.status).toBe(401);
    const token = signToken(key, claims(ISSUER, 'https://api.example.com/notes', { scope: 'read' }));
    const request = new Request('https://api.example.com/notes', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await mcpAuth(request)).toBeUndefined();
    expect(mcpAuth.authFor(request)?.scopes).toEqual(['read']);
    // https://other.example.com (path "/") covers every path: Host never makes a path unprotected.
    expect((await mcpAuth(new Request('https://api.example.com/elsewhere')))?.status).toBe(401);
  });
});
