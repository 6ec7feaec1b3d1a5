/**
 * A compiled runtime with one resource, a loopback JWKS server holding RS256/PS256/ES256/EdDSA
 * keys, mounted on one adapter over real HTTP; plus exact challenge assertions.
 */
import { expect } from 'vitest';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import type { ManifestInput } from '../../src/manifest/schema.js';
import { ERROR_DESCRIPTIONS } from '../../src/verify/challenge.js';
import type { TokenErrorReason } from '../../src/errors.js';
import {
  send,
  startAdapter,
  type AdapterName,
  type RawResponse,
  type RunningAdapter,
  type SendOptions,
} from '../support/adapters.js';
import { type Alg, ALGORITHMS, claims, makeKey, type SigningKey, signToken } from '../support/tokens.js';
import { issuerEntry, type JwksServer, startJwksServer } from '../support/issuer.js';
import { ISSUER, PRM, RESOURCE } from '../support/constants.js';

type ResourceInput = ManifestInput['resources'][number];
type TokenInput = NonNullable<ResourceInput['token']>;

/** Keys shared by every harness of a test file run (key generation is the slow part). */
let sharedKeys: Record<Alg, SigningKey> | undefined;
export function testKeys(): Record<Alg, SigningKey> {
  sharedKeys ??= Object.fromEntries(ALGORITHMS.map((alg) => [alg, makeKey(alg)])) as Record<Alg, SigningKey>;
  return sharedKeys;
}

export interface Harness {
  readonly auth: McpAuth;
  readonly app: RunningAdapter;
  readonly jwks: JwksServer;
  readonly keys: Record<Alg, SigningKey>;
  /** A valid token for the resource, signed with `alg` (default RS256), claims overridable. */
  token(extra?: Record<string, unknown>, options?: { alg?: Alg; header?: Record<string, unknown> }): string;
  /** Sends a request to `/mcp` (or `path`) with `Authorization: Bearer <token>` when a token is given. */
  call(token?: string, options?: SendOptions & { path?: string }): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly token?: TokenInput;
  readonly resource?: Partial<ResourceInput>;
  readonly settings?: ManifestInput['settings'];
  readonly adapter?: AdapterName;
  /** Extra issuers; the main one is `main`. */
  readonly issuers?: ManifestInput['issuers'];
  readonly env?: Record<string, string>;
}

export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const keys = testKeys();
  const jwks = await startJwksServer(Object.values(keys).map((k) => k.publicJwk));
  const manifest: ManifestInput = {
    issuers: { main: issuerEntry(ISSUER, { uri: jwks.uri }), ...options.issuers },
    resources: [
      {
        resource: RESOURCE,
        authorizationServers: ['main'],
        scopesSupported: ['read', 'write', 'admin'],
        ...options.resource,
        token: { ...options.token },
      },
    ],
    ...(options.settings ? { settings: options.settings } : {}),
  };
  const auth = await compile(manifest, options.env ? { env: options.env } : {});
  const app = await startAdapter(options.adapter ?? 'node', auth);
  return {
    auth,
    app,
    jwks,
    keys,
    token: (extra = {}, o = {}) =>
      signToken(keys[o.alg ?? 'RS256'], claims(ISSUER, RESOURCE, extra), o.header),
    call: (token, o = {}) =>
      send(`${app.url}${o.path ?? '/mcp'}`, {
        ...o,
        headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...o.headers },
      }),
    close: async () => {
      await app.close();
      await auth.close();
      await jwks.close();
    },
  };
}

/** Asserts a 200 that reached the application, and returns the echoed identity. */
export function expectAccepted(res: RawResponse) {
  expect(res.status, res.body).toBe(200);
  const echo = res.json<{ reached: boolean; auth: Record<string, unknown> | null; body: unknown }>();
  expect(echo.reached).toBe(true);
  return echo;
}

/**
 * Asserts a refused request exactly: status, the whole `WWW-Authenticate` value, `Cache-Control:
 * no-store` and the JSON body.
 */
export function expectRefused(
  res: RawResponse,
  expected:
    | { status: 401; error?: undefined; reason?: undefined; scope?: readonly string[] }
    | { status: 400; error: 'invalid_request'; reason: TokenErrorReason }
    | { status: 401; error: 'invalid_token'; reason: TokenErrorReason; scope?: readonly string[] }
    | { status: 403; error: 'insufficient_scope'; reason?: 'scope'; scope: readonly string[] }
    | { status: 503; error?: undefined; reason?: 'issuer_unavailable' },
  prm = PRM,
): void {
  expect(res.status, res.body).toBe(expected.status);
  expect(res.header('cache-control')).toBe('no-store');
  const body = res.json<{ error: string; error_description: string }>();
  if (expected.status === 503) {
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(Number(res.header('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(body.error).toBe('temporarily_unavailable');
    expect(body.error_description).toBe(ERROR_DESCRIPTIONS.issuer_unavailable);
    return;
  }
  expect(res.headers['www-authenticate']).toHaveLength(1);
  const scope = 'scope' in expected && expected.scope?.length ? `scope="${expected.scope.join(' ')}", ` : '';
  if (expected.error === undefined) {
    expect(res.header('www-authenticate')).toBe(`Bearer ${scope}resource_metadata="${prm}"`);
    expect(body.error_description).toBe(ERROR_DESCRIPTIONS.no_credentials);
    return;
  }
  const reason = expected.reason ?? 'scope';
  const description = ERROR_DESCRIPTIONS[reason];
  expect(res.header('www-authenticate')).toBe(
    `Bearer error="${expected.error}", error_description="${description}", ${scope}resource_metadata="${prm}"`,
  );
  expect(body).toEqual({ error: expected.error, error_description: description });
}
