/**
 * A minimal authorization server for fault tests: RFC 8414 metadata at the root well-known URL
 * and a JWKS at `/jwks` whose answer the test switches at will. Tokens are signed by the test
 * (see keys.ts), so any JWKS fault can be staged.
 */
import type { ManifestInput } from '../../src/manifest/schema.js';
import { jwks, type TestKey } from './keys.js';
import { asMetadata, jsonHandler, routes, startServer, type Handler, type TestServer } from './servers.js';

export const OAUTH_METADATA_PATH = '/.well-known/oauth-authorization-server';
export const JWKS_PATH = '/jwks';

/** A running fake issuer. */
export interface FakeIssuer {
  readonly server: TestServer;
  /** The issuer identifier (the server origin). */
  readonly issuer: string;
  readonly jwksUri: string;
  /** Serves these keys' public JWKs at `/jwks`. */
  publish(...keys: TestKey[]): void;
  /** Answers `/jwks` with this handler instead (500, redirect, HTML, never...). */
  setJwks(handler: Handler): void;
  /** Answers every path with this handler (the whole AS down or failing), or `undefined` to restore. */
  setAll(handler: Handler | undefined): void;
  /** Requests received for the metadata document. */
  metadataCount(): number;
  /** Requests received for the JWKS. */
  jwksCount(): number;
}

/** Starts a fake issuer that publishes `keys` (optionally on a given port). */
export async function startFakeIssuer(
  keys: TestKey[] = [],
  options: { port?: number } = {},
): Promise<FakeIssuer> {
  let jwksHandler: Handler = jsonHandler(jwks(...keys.map((k) => k.jwk)));
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
      jwksHandler = jsonHandler(jwks(...next.map((k) => k.jwk)));
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

/** The resource used by fault tests; requests go to `/mcp`. */
export const RESOURCE = 'http://127.0.0.1:1/mcp';

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
