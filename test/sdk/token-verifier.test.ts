/**
 * `auth.tokenVerifier()` keeps the manifest's scope policy: it enforces `token.requiredScopes`,
 * and fails closed for a resource with per-tool scopes (it never sees the body) unless the caller
 * acknowledges that they are not enforced. Its errors are short, without `cause` or token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptionError, TokenError } from '../../src/errors.js';
import type { ManifestInput } from '../../src/manifest/schema.js';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { closedPort } from '../support/servers.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import { issuerEntry } from '../support/issuer.js';
import { ISSUER, RESOURCE } from '../support/constants.js';
import { rejection } from '../support/rejection.js';

const key = makeKey('ES256');
const token = (extra: Record<string, unknown> = {}) => signToken(key, claims(ISSUER, RESOURCE, extra));

function manifest(
  resource: Partial<ManifestInput['resources'][number]> = {},
  jwksUri?: string,
): ManifestInput {
  return {
    issuers: { main: issuerEntry(ISSUER, jwksUri ? { uri: jwksUri } : { keys: [key.publicJwk] }) },
    resources: [{ resource: RESOURCE, authorizationServers: ['main'], ...resource }],
  };
}

const refusal = (promise: Promise<unknown>) => rejection(promise, TokenError);

describe('auth.tokenVerifier() and token.requiredScopes', () => {
  let auth: McpAuth;
  beforeAll(async () => {
    auth = await compile(
      manifest({ token: { requiredScopes: ['read'] }, scopeHierarchy: { admin: ['read', 'write'] } }),
    );
  });
  afterAll(() => auth?.close());

  it('refuses a valid token without a required scope with insufficient_scope', async () => {
    const err = await refusal(auth.tokenVerifier().verifyAccessToken(token({ scope: 'write' })));
    expect(err).toMatchObject({ code: 'insufficient_scope', reason: 'scope', requiredScopes: ['read'] });
  });

  it('accepts the scope directly or through the hierarchy', async () => {
    const verifier = auth.tokenVerifier(RESOURCE);
    expect((await verifier.verifyAccessToken(token({ scope: 'read' }))).scopes).toEqual(['read']);
    expect((await verifier.verifyAccessToken(token({ scope: 'admin' }))).scopes).toContain('read');
  });

  it('throws refusals without a cause chain, a short message and no token', async () => {
    const bad = token({ scope: 'read', exp: 1 });
    const err = await refusal(auth.tokenVerifier().verifyAccessToken(bad));
    expect(err).toMatchObject({ code: 'invalid_token', reason: 'expired' });
    expect(err.cause).toBeUndefined();
    expect(err.message).toBe('mcp-auth-config: invalid_token (expired)');
    expect(err.stack).not.toContain(bad);
  });
});

describe('auth.tokenVerifier() on a resource with per-tool scopes', () => {
  let auth: McpAuth;
  beforeAll(async () => {
    auth = await compile(manifest({ tools: { delete_note: { requiredScopes: ['write:notes'] } } }));
  });
  afterAll(() => auth?.close());

  it('refuses to create one, naming the tools and the adapter alternative', () => {
    const create = () => auth.tokenVerifier(RESOURCE);
    expect(create).toThrow(OptionError);
    expect(create).toThrow(/per-tool scopes \(delete_note\)/);
    expect(create).toThrow(/requireAuth.*auth\.authenticate\(request, \{ tool \}\)/s);
    expect(() => auth.tokenVerifier()).toThrow(OptionError);
  });

  it('creates one with the explicit acknowledgement', async () => {
    for (const verifier of [
      auth.tokenVerifier({ perToolScopes: 'not-enforced' }),
      auth.tokenVerifier(RESOURCE, { perToolScopes: 'not-enforced' }),
    ]) {
      expect((await verifier.verifyAccessToken(token({ scope: 'read' }))).subject).toBe('user-1');
    }
  });

  it('refuses an unknown acknowledgement value', () => {
    expect(() => auth.tokenVerifier({ perToolScopes: 'yes' as never })).toThrow(/perToolScopes must be/);
  });
});

describe('auth.tokenVerifier() when the authorization server is unreachable', () => {
  it('refuses with unavailable (no cause), not invalid_token', async () => {
    const auth = await compile(manifest({}, `http://127.0.0.1:${await closedPort()}/jwks`));
    try {
      const err = await refusal(auth.tokenVerifier().verifyAccessToken(token()));
      expect(err.code).toBe('unavailable');
      expect(err.cause).toBeUndefined();
    } finally {
      await auth.close();
    }
  });
});
