/**
 * Loopback issuers with static documents, for tests that sign their own tokens (tokens.ts): a
 * fake authorization server (RFC 8414 metadata at the root well-known URL and a JWKS whose answer
 * the test switches at will, so any JWKS fault can be staged), a bare JWKS server, an RFC 7662
 * introspection server, the metadata documents they serve, and the manifest entries that trust
 * them. The real oidc-provider issuers are examples/support/dev-issuer.ts and exchange-issuer.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManifestInput } from '../../src/manifest/schema.js';
import { JWKS_PATH, OAUTH_METADATA_PATH, RESOURCE } from './constants.js';
import { jsonHandler, readBody, routes, startServer, type Handler, type TestServer } from './servers.js';
import type { Jwk, SigningKey } from './tokens.js';

// ---------------------------------------------------------------------------------------------
// Documents

/**
 * A complete, MCP-ready authorization-server metadata document for `issuer`, with its endpoints
 * under `origin` (default: the issuer's origin). `extra` is merged over it.
 */
export function asMetadata(
  issuer: string,
  extra: Record<string, unknown> = {},
  origin = new URL(issuer).origin,
): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${origin}/authorize`,
    token_endpoint: `${origin}/token`,
    jwks_uri: `${origin}/jwks`,
    registration_endpoint: `${origin}/register`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    ...extra,
  };
}

/** The captured real-provider discovery documents, vendored with the tests (see its README). */
export const PROVIDER_METADATA_DIR = fileURLToPath(new URL('../fixtures/providers/', import.meta.url));

/**
 * A provider capture with ONLY its issuer's origin rewritten to `origin` (every occurrence, so the
 * issuer's own endpoints follow it; endpoints on other hosts stay as captured).
 */
export function loadCapture(file: string, origin: string): Record<string, unknown> {
  const text = readFileSync(join(PROVIDER_METADATA_DIR, file), 'utf8');
  const issuer = (JSON.parse(text) as { issuer: string }).issuer;
  const from = new URL(issuer).origin;
  return JSON.parse(text.split(from).join(origin)) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Servers

/** A running fake issuer. */
export interface FakeIssuer {
  readonly server: TestServer;
  /** The issuer identifier (the server origin). */
  readonly issuer: string;
  readonly jwksUri: string;
  /** Serves these keys' public JWKs at `/jwks`. */
  publish(...keys: SigningKey[]): void;
  /** Answers `/jwks` with this handler instead (500, redirect, HTML, never...). */
  setJwks(handler: Handler): void;
  /** Answers every path with this handler (the whole AS down or failing), or `undefined` to restore. */
  setAll(handler: Handler | undefined): void;
  /** Requests received for the metadata document. */
  metadataCount(): number;
  /** Requests received for the JWKS. */
  jwksCount(): number;
}

const keySet = (keys: readonly SigningKey[]) => jsonHandler({ keys: keys.map((k) => k.publicJwk) });

/** Starts a fake issuer that publishes `keys` (optionally on a given port). */
export async function startFakeIssuer(
  keys: SigningKey[] = [],
  options: { port?: number } = {},
): Promise<FakeIssuer> {
  let jwksHandler: Handler = keySet(keys);
  let override: Handler | undefined;
  let metadata: Record<string, unknown> = {};
  const server = await startServer((req, res, s) => {
    if (override) return override(req, res, s);
    return routes({
      [OAUTH_METADATA_PATH]: metadata,
      [JWKS_PATH]: (q: never, r: never) => jwksHandler(q, r, s),
    })(req, res, s);
  }, options);
  metadata = asMetadata(server.origin, { jwks_uri: `${server.origin}${JWKS_PATH}` });
  return {
    server,
    issuer: server.origin,
    jwksUri: `${server.origin}${JWKS_PATH}`,
    publish: (...next) => {
      jwksHandler = keySet(next);
    },
    setJwks: (handler) => {
      jwksHandler = handler;
    },
    setAll: (handler) => {
      override = handler;
    },
    metadataCount: () => server.count(OAUTH_METADATA_PATH),
    jwksCount: () => server.count(JWKS_PATH),
  };
}

/** A JWKS server: `document` on every path, `uri` at `/jwks`; the test may replace `document`. */
export interface JwksServer extends TestServer {
  readonly uri: string;
  /** The document served (default `{ keys }`), replaceable. */
  document: unknown;
}

export async function startJwksServer(keys: readonly Jwk[]): Promise<JwksServer> {
  const state = { document: { keys: [...keys] } as unknown };
  const server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(state.document));
  });
  return Object.defineProperties(server, {
    uri: { value: `${server.origin}${JWKS_PATH}`, enumerable: true },
    document: {
      get: () => state.document,
      set: (value: unknown) => (state.document = value),
      enumerable: true,
    },
  }) as JwksServer;
}

/** One request received by the introspection server. */
export interface IntrospectionCall {
  readonly authorization: string | undefined;
  readonly form: URLSearchParams;
}

/** An RFC 7662 introspection server at `<origin>/introspect` answering with `respond(token)`. */
export interface IntrospectionServer extends TestServer {
  readonly endpoint: string;
  readonly calls: IntrospectionCall[];
}

export async function startIntrospectionServer(
  respond: (token: string) => Record<string, unknown>,
): Promise<IntrospectionServer> {
  const calls: IntrospectionCall[] = [];
  const server = await startServer(async (req, res) => {
    const form = new URLSearchParams(await readBody(req));
    calls.push({ authorization: req.headers.authorization, form });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(respond(form.get('token') ?? '')));
  });
  return Object.defineProperties(server, {
    endpoint: { value: `${server.origin}/introspect`, enumerable: true },
    calls: { value: calls, enumerable: true },
  }) as IntrospectionServer;
}

// ---------------------------------------------------------------------------------------------
// Manifests and requests

/** A manual-metadata issuer entry for a manifest, with inline keys or a `jwks.uri`. */
export function issuerEntry(issuer: string, jwks: { keys: readonly Jwk[] } | { uri: string }) {
  return {
    metadata: {
      issuer,
      authorizationEndpoint: `${issuer}/authorize`,
      tokenEndpoint: `${issuer}/token`,
      responseTypesSupported: ['code'],
    },
    jwks: 'keys' in jwks ? { keys: [...jwks.keys] } : { uri: jwks.uri },
  };
}

/** A one-resource manifest accepting tokens of `issuer` (discovered with type oauth). */
export function manifestFor(
  issuer: string,
  settings: NonNullable<ManifestInput['settings']> = {},
  options: { requiredScopes?: string[] } = {},
): ManifestInput {
  return {
    issuers: { main: { issuer, type: 'oauth' } },
    resources: [
      {
        resource: RESOURCE,
        authorizationServers: ['main'],
        ...(options.requiredScopes ? { token: { requiredScopes: options.requiredScopes } } : {}),
      },
    ],
    settings,
  };
}

/** A core request to `/mcp` with a bearer token. */
export function bearerRequest(token: string): { method: string; url: string; authorization: string[] } {
  return { method: 'POST', url: '/mcp', authorization: [`Bearer ${token}`] };
}
