/**
 * `mcp-auth-config/sdk` behind the SDKs' own bearer gates, for real: SDK v1 `requireBearerAuth` on
 * Express, SDK v2 `requireBearerAuth` from `@modelcontextprotocol/express`, and the v2 fetch gate
 * of `@modelcontextprotocol/server`, each on 127.0.0.1 with tokens signed by the test. Refused
 * tokens are 401 with the challenge (not 500), a missing required scope 403, an unreachable
 * authorization server 500 `temporarily_unavailable` (never 401: the gates map nothing to 503).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { requireBearerAuth as v2ExpressGate } from '@modelcontextprotocol/express';
import * as v1Errors from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { requireBearerAuth as v1Gate } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { OAuthError, requireBearerAuth as v2FetchGate } from '@modelcontextprotocol/server';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import type { ManifestInput } from '../../src/manifest/schema.js';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { sdkV1TokenVerifier, sdkV2TokenVerifier, type SdkTokenVerifier } from '../../src/sdk/index.js';
import { ERROR_DESCRIPTIONS } from '../../src/verify/challenge.js';
import { closedPort, listen } from '../support/servers.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import { issuerEntry } from '../support/issuer.js';
import { ISSUER, PRM, RESOURCE } from '../support/constants.js';

const key = makeKey('ES256');

function manifest(jwks: { keys: Record<string, unknown>[] } | { uri: string }, tools = false): ManifestInput {
  return {
    issuers: { main: issuerEntry(ISSUER, jwks) },
    resources: [
      {
        resource: RESOURCE,
        authorizationServers: ['main'],
        token: { requiredScopes: ['read'] },
        ...(tools ? { tools: { delete_note: { requiredScopes: ['write'] } } } : {}),
      },
    ],
  };
}

const token = (extra: Record<string, unknown> = {}) => signToken(key, claims(ISSUER, RESOURCE, extra));

type GateName = 'v1 express' | 'v2 express' | 'v2 fetch';

/** Serves `/mcp` behind the named gate; the handler echoes the subject the tool would see. */
async function serveGate(
  name: GateName,
  verifier: SdkTokenVerifier,
): Promise<{ url: string; close(): Promise<void> }> {
  const gateOptions = {
    verifier,
    resourceMetadataUrl: verifier.resourceMetadataUrl,
    requiredScopes: verifier.requiredScopes,
  };
  let listener: (req: IncomingMessage, res: ServerResponse) => void;
  if (name === 'v2 fetch') {
    const gate = v2FetchGate(gateOptions);
    listener = getRequestListener(async (request: Request) => {
      const auth = await gate(request);
      if (auth instanceof Response) return auth;
      return Response.json({ subject: (auth as { subject?: string }).subject });
    });
  } else {
    const app = express();
    app.use('/mcp', name === 'v1 express' ? v1Gate(gateOptions) : v2ExpressGate(gateOptions));
    app.all('/mcp', (req, res) => {
      res.json({ subject: (req as { auth?: { subject?: string } }).auth?.subject });
    });
    listener = app;
  }
  const { origin, close } = await listen(createServer(listener));
  return { url: `${origin}/mcp`, close };
}

async function post(url: string, bearer: string) {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${bearer}` } });
  const text = await res.text();
  return { status: res.status, challenge: res.headers.get('www-authenticate'), res, text };
}

const GATES: ReadonlyArray<{ name: GateName; make: (auth: McpAuth) => SdkTokenVerifier }> = [
  { name: 'v1 express', make: (auth) => sdkV1TokenVerifier(auth, { errors: v1Errors }) },
  { name: 'v2 express', make: (auth) => sdkV2TokenVerifier(auth, { OAuthError }) },
  { name: 'v2 fetch', make: (auth) => sdkV2TokenVerifier(auth, { OAuthError }) },
];

for (const { name, make } of GATES) {
  describe(`the SDK's own gate: ${name}`, () => {
    let auth: McpAuth;
    let down: McpAuth;
    let gate: { url: string; close(): Promise<void> };
    let downGate: { url: string; close(): Promise<void> };

    beforeAll(async () => {
      auth = await compile(manifest({ keys: [key.publicJwk] }));
      gate = await serveGate(name, make(auth));
      // Keys behind a port where nothing listens: the authorization server is unreachable.
      down = await compile(manifest({ uri: `http://127.0.0.1:${await closedPort()}/jwks` }));
      downGate = await serveGate(name, make(down));
    });
    afterAll(async () => {
      await gate?.close();
      await downGate?.close();
      await auth?.close();
      await down?.close();
    });

    it('lets a valid token with the required scope through, with its identity', async () => {
      const { status, text } = await post(gate.url, token({ scope: 'read', sub: 'alice' }));
      expect(status, text).toBe(200);
      expect(JSON.parse(text)).toEqual({ subject: 'alice' });
    });

    it('answers an invalid token 401 with the challenge, the fixed description and no token', async () => {
      const bad = token({ scope: 'read', aud: 'https://other.example.com/mcp' });
      const { status, challenge, text } = await post(gate.url, bad);
      expect(status, text).toBe(401);
      expect(challenge).toBe(
        `Bearer error="invalid_token", error_description="${ERROR_DESCRIPTIONS.audience}", scope="read", resource_metadata="${PRM}"`,
      );
      expect(JSON.parse(text)).toEqual({
        error: 'invalid_token',
        error_description: ERROR_DESCRIPTIONS.audience,
      });
      expect(text).not.toContain(bad);

      const garbage = await post(gate.url, 'not-a-jwt');
      expect(garbage.status).toBe(401);
      expect(garbage.challenge).toContain('error="invalid_token"');
    });

    it('answers a token without the resource’s required scope 403 insufficient_scope', async () => {
      const { status, challenge, text } = await post(gate.url, token({ scope: 'write' }));
      expect(status, text).toBe(403);
      expect(challenge).toBe(
        `Bearer error="insufficient_scope", error_description="${ERROR_DESCRIPTIONS.scope}", scope="read", resource_metadata="${PRM}"`,
      );
    });

    it('answers an unreachable authorization server 500 temporarily_unavailable, never 401', async () => {
      const { status, challenge, text } = await post(downGate.url, token({ scope: 'read' }));
      expect(status, text).toBe(500);
      expect(challenge).toBeNull();
      expect(JSON.parse(text)).toEqual({
        error: 'temporarily_unavailable',
        error_description: ERROR_DESCRIPTIONS.issuer_unavailable,
      });
    });
  });
}

describe('creating an SDK verifier', () => {
  let auth: McpAuth;
  beforeAll(async () => {
    auth = await compile(manifest({ keys: [key.publicJwk] }, true));
  });
  afterAll(() => auth?.close());

  it('refuses a resource with per-tool scopes with an OptionError naming the adapter alternative', () => {
    for (const create of [
      () => sdkV1TokenVerifier(auth, { errors: v1Errors }),
      () => sdkV2TokenVerifier(auth, { OAuthError }),
    ]) {
      expect(create).toThrow(OptionError);
      expect(create).toThrow(/per-tool scopes \(delete_note\).*requireAuth.*perToolScopes: "not-enforced"/s);
    }
  });

  it('accepts it with the explicit acknowledgement (and then checks only token.requiredScopes)', async () => {
    const verifier = sdkV2TokenVerifier(auth, { OAuthError, perToolScopes: 'not-enforced' });
    expect((await verifier.verifyAccessToken(token({ scope: 'read' }))).scopes).toEqual(['read']);
  });

  it('refuses missing or wrong SDK error classes', () => {
    expect(() => sdkV1TokenVerifier(auth, { perToolScopes: 'not-enforced' } as never)).toThrow(OptionError);
    expect(() => sdkV1TokenVerifier(auth, { errors: {}, perToolScopes: 'not-enforced' } as never)).toThrow(
      /options\.errors\.InvalidTokenError/,
    );
    expect(() => sdkV2TokenVerifier(auth, { perToolScopes: 'not-enforced' } as never)).toThrow(/OAuthError/);
  });

  it('throws SDK errors with a short message, no cause and no token', async () => {
    const verifier = sdkV1TokenVerifier(auth, { errors: v1Errors, perToolScopes: 'not-enforced' });
    const bad = token({ scope: 'read', exp: 1 });
    const err = (await verifier.verifyAccessToken(bad).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(v1Errors.InvalidTokenError);
    expect(err.message).toBe(ERROR_DESCRIPTIONS.expired);
    expect(err.cause).toBeUndefined();
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain(bad);
  });
});
