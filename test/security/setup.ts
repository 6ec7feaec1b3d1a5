/**
 * The adversarial suite's shared world: one manifest, one JWKS server (which also serves keys that
 * must never be used), one attacker server that must receive nothing, the runtime on all four
 * adapters, and the response-hygiene assertion every refusal goes through.
 */
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'vitest';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { ERROR_DESCRIPTIONS } from '../../src/verify/challenge.js';
import { startAdapters, type RawResponse, type RunningAdapter } from '../support/adapters.js';
import { type Alg, ALGORITHMS, b64url, makeKey, type SigningKey } from '../support/tokens.js';
import { startServer, type TestServer } from '../support/servers.js';
import { issuerEntry, type JwksServer, startJwksServer } from '../support/issuer.js';
import { ISSUER, PRM, RESOURCE } from '../support/constants.js';

export const REQUIRED = ['read'];

/** RFC 6750 §3 challenge grammar as MCP clients parse it: Bearer first, lowercase names, quoted values. */
export const CHALLENGE =
  /^Bearer( [a-z_]+="[\x20\x21\x23-\x5B\x5D-\x7E]*")(, [a-z_]+="[\x20\x21\x23-\x5B\x5D-\x7E]*")*$/;

export interface World {
  readonly auth: McpAuth;
  readonly adapters: RunningAdapter[];
  readonly jwks: JwksServer;
  readonly attacker: TestServer;
  /** Legit keys, in the JWKS. */
  readonly keys: Record<Alg, SigningKey>;
  /** A 1024-bit RSA key whose public JWK IS in the JWKS (must be refused as weak). */
  readonly weak: SigningKey;
  /** An RSA key whose PRIVATE JWK (with `d`) is the only form in the JWKS. */
  readonly privateOnly: SigningKey;
  /** The secret of an `oct` key in the JWKS (kid `oct-1`). */
  readonly octSecret: string;
  /** A key the attacker controls (never in the JWKS). */
  readonly evil: SigningKey;
  close(): Promise<void>;
}

/** `offload` sets `settings.verify.offload` (default: the manifest's default, `auto`). */
export async function startWorld(options: { offload?: 'auto' | 'sync' | 'pool' } = {}): Promise<World> {
  const keys = Object.fromEntries(ALGORITHMS.map((alg) => [alg, makeKey(alg)])) as Record<Alg, SigningKey>;
  const weak = makeKey('RS256', { rsaBits: 1024, kid: 'weak-1' });
  const privateOnly = makeKey('RS256', { kid: 'private-1' });
  const evil = makeKey('RS256', { kid: 'evil-1' });
  const octSecret = 'a-shared-secret-that-must-never-verify-anything';
  const privateJwk = {
    ...(privateOnly.privateKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid: 'private-1',
    alg: 'RS256',
  };
  const jwks = await startJwksServer([
    ...Object.values(keys).map((k) => k.publicJwk),
    weak.publicJwk,
    privateJwk,
    { kty: 'oct', kid: 'oct-1', k: b64url(octSecret), alg: 'HS256' },
    { kty: 'oct', kid: keys.RS256.kid, k: b64url(octSecret) },
  ]);
  const attacker = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [evil.publicJwk], note: 'ATTACKER-UPSTREAM-TEXT' }));
  });
  const auth = await compile({
    issuers: { main: issuerEntry(ISSUER, { uri: jwks.uri }) },
    resources: [
      {
        resource: RESOURCE,
        authorizationServers: ['main'],
        scopesSupported: ['read', 'write'],
        token: { requiredScopes: REQUIRED },
      },
    ],
    ...(options.offload ? { settings: { verify: { offload: options.offload } } } : {}),
  });
  const adapters = await startAdapters(auth);
  return {
    auth,
    adapters,
    jwks,
    attacker,
    keys,
    weak,
    privateOnly,
    octSecret,
    evil,
    close: async () => {
      await Promise.all(adapters.map((a) => a.close()));
      await auth.close();
      await jwks.close();
      await attacker.close();
    },
  };
}

/** A self-signed-looking x5c value (DER of a fresh public key; never a trusted chain). */
export function fakeX5c(): string {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
}

const DESCRIPTIONS = new Set(Object.values(ERROR_DESCRIPTIONS));

/**
 * Asserts everything a refusal must be: the expected status (never 500), exactly one well-formed
 * `WWW-Authenticate` (none on 503), `Cache-Control: no-store`, an `error_description` from the
 * fixed vocabulary, nothing of the token or of any upstream server reflected, and the
 * application not reached.
 */
export function assertRefusal(
  res: RawResponse,
  expected: { status: number; error?: string | undefined },
  context: { token?: string | undefined; reachedBefore: number; reachedAfter: number },
): void {
  expect(res.status).not.toBe(500);
  expect(res.status, res.body).toBe(expected.status);
  expect(context.reachedAfter, 'the application handler must not run').toBe(context.reachedBefore);
  const challenges = res.headers['www-authenticate'] ?? [];
  if (expected.status === 503) {
    expect(challenges).toHaveLength(0);
  } else {
    expect(challenges).toHaveLength(1);
    expect(challenges[0]).toMatch(CHALLENGE);
    expect(challenges[0]).toContain(`resource_metadata="${PRM}"`);
    if (expected.error) expect(challenges[0]).toContain(`error="${expected.error}"`);
    else expect(challenges[0]).not.toContain('error=');
  }
  expect(res.header('cache-control')).toBe('no-store');
  const body = res.json<{ error?: unknown; error_description?: unknown }>();
  expect(DESCRIPTIONS.has(body.error_description as string), String(body.error_description)).toBe(true);
  if (expected.error) expect(body.error).toBe(expected.error);
  const everything = `${res.rawHeaderText}\n${res.body}`;
  expect(everything).not.toContain('ATTACKER-UPSTREAM-TEXT');
  expect(everything).not.toContain('127.0.0.1');
  if (context.token) {
    for (const part of context.token.split(/[.\s]+/)) {
      if (part.length >= 12) expect(everything).not.toContain(part);
    }
  }
}
