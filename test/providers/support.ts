/**
 * Test support for the provider presets: a loopback "provider" serving a captured discovery
 * document (only the issuer's origin rewritten) and its JWKS, a compiled runtime per manifest, and
 * the refusal of a token as `code:reason`.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterEach } from 'vitest';
import { TokenError } from '../../src/errors.js';
import type { ManifestInput } from '../../src/manifest/schema.js';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import type { AuthInfo } from '../../src/verify/auth-info.js';
import { closeAllServers, routes, startServer, type TestServer } from '../support/servers.js';
import { loadCapture } from '../support/issuer.js';
import { b64url, makeKey, now, type SigningKey } from '../support/tokens.js';
import { RESOURCE } from '../support/constants.js';

const runtimes: McpAuth[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((auth) => auth.close()));
  await closeAllServers();
});

/** A running loopback provider. */
export interface Provider {
  readonly server: TestServer;
  readonly origin: string;
  readonly key: SigningKey;
  /** The served discovery document. */
  readonly document: Record<string, unknown>;
}

/**
 * Serves the capture `file` with its issuer origin rewritten to the server's, at `wellKnownPath`,
 * and a JWKS with one RS256 key at the path of its (rewritten) `jwks_uri`. `extra` adds routes.
 */
export async function startProvider(
  file: string,
  wellKnownPath: (document: Record<string, unknown>) => string,
  extra: Record<string, unknown> = {},
): Promise<Provider> {
  const server = await startServer(() => undefined);
  const document = loadCapture(file, server.origin);
  const key = makeKey('RS256', { kid: 'provider-key-1' });
  const table: Record<string, unknown> = { [wellKnownPath(document)]: document, ...extra };
  if (typeof document.jwks_uri === 'string' && document.jwks_uri.startsWith(server.origin))
    table[new URL(document.jwks_uri).pathname] = { keys: [key.publicJwk] };
  server.setHandler(routes(table));
  return { server, origin: server.origin, key, document };
}

/** Compiles `manifest` (closed after the test) and returns a verify function for `resource`. */
export async function verifierOf(
  manifest: ManifestInput,
  resource = RESOURCE,
): Promise<(token: string) => Promise<AuthInfo>> {
  const auth = await compile(manifest);
  runtimes.push(auth);
  const verifier = auth.tokenVerifier(resource);
  return (token) => verifier.verifyAccessToken(token);
}

/** How a verification was refused: `code:reason`, or `accepted`. */
export async function refusal(result: Promise<unknown>): Promise<string> {
  try {
    await result;
    return 'accepted';
  } catch (err) {
    if (err instanceof TokenError) return `${err.code}:${err.reason}`;
    throw err;
  }
}

/** Times for a token issued now: `iat`, `nbf`, `exp` in an hour. */
export function times(): { iat: number; nbf: number; exp: number } {
  const t = now();
  return { iat: t, nbf: t, exp: t + 3600 };
}

/** An ES384 (P-384) key and a signer for it, for providers that sign with ES384 (Logto). */
export function es384Key(kid: string): { jwk: Record<string, unknown>; sign: (payload: object) => string } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const jwk = {
    ...(pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid,
    alg: 'ES384',
    use: 'sig',
  };
  return {
    jwk,
    sign: (payload) => {
      const input = `${b64url(JSON.stringify({ alg: 'ES384', typ: 'at+jwt', kid }))}.${b64url(JSON.stringify(payload))}`;
      const signature = sign('sha384', Buffer.from(input), {
        key: pair.privateKey,
        dsaEncoding: 'ieee-p1363',
      });
      return `${input}.${b64url(signature)}`;
    },
  };
}
