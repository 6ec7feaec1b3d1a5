/**
 * Bench keys and tokens: one P-256, one RSA-2048 and one Ed25519 key pair, public JWKs for the servers, and
 * fast synchronous signing with `node:crypto` (pre-signing tens of thousands of tokens with jose's
 * async API would take several times longer).
 */
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

export type Alg = 'ES256' | 'RS256' | 'EdDSA';

/** Every algorithm the bench signs with. */
export const ALGS: readonly Alg[] = ['ES256', 'RS256', 'EdDSA'];

/** The issuer and audience every bench token and server agree on. */
export const ISSUER = 'https://as.bench.example';
/** The resource (and audience). Servers listen on port 0, so the resource URL carries no port. */
export const RESOURCE = 'http://127.0.0.1/mcp';

export interface BenchKey {
  readonly alg: Alg;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

export interface BenchKeys {
  readonly ES256: BenchKey;
  readonly RS256: BenchKey;
  readonly EdDSA: BenchKey;
}

function makeKey(alg: Alg): BenchKey {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `bench-${alg.toLowerCase()}`;
  const publicJwk = { ...(pair.publicKey.export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' };
  return { alg, kid, privateKey: pair.privateKey, publicJwk };
}

export function makeKeys(): BenchKeys {
  return { ES256: makeKey('ES256'), RS256: makeKey('RS256'), EdDSA: makeKey('EdDSA') };
}

/** The digest `node:crypto` signs and verifies each algorithm with (EdDSA: none). */
export const DIGEST: Record<Alg, string | null> = { ES256: 'sha256', RS256: 'sha256', EdDSA: null };
/** A key as `sign`/`verify` take it: JWS's ECDSA signatures are IEEE P1363, not DER. */
export const keyInput = (alg: Alg, key: KeyObject) =>
  alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs one access token (`typ: at+jwt`, one hour of validity, a unique `jti`). */
export function signToken(key: BenchKey, n: number, overrides: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64({ alg: key.alg, kid: key.kid, typ: 'at+jwt' });
  const payload = b64({
    iss: ISSUER,
    aud: RESOURCE,
    sub: `user-${n}`,
    client_id: 'bench-client',
    scope: 'read:files',
    iat: now,
    exp: now + 3600,
    jti: `${key.alg}-${n}-${randomBytes(6).toString('hex')}`,
    ...overrides,
  });
  const input = `${header}.${payload}`;
  const signature = sign(DIGEST[key.alg], Buffer.from(input), keyInput(key.alg, key.privateKey));
  return `${input}.${signature.toString('base64url')}`;
}

/** `count` distinct valid tokens. */
export function signTokens(key: BenchKey, count: number, offset = 0): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = signToken(key, offset + i);
  return out;
}

/**
 * `count` distinct JWT-shaped tokens with a well-formed header and claims but a random
 * signature: each one goes through the whole verification and fails at the signature check.
 */
export function forgedTokens(key: BenchKey, count: number): string[] {
  const valid = signToken(key, 0);
  const [header, payload] = valid.split('.') as [string, string, string];
  const sigLength = key.alg === 'RS256' ? 256 : 64;
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    out[i] = `${header}.${payload}.${randomBytes(sigLength).toString('base64url')}`;
  }
  return out;
}

/**
 * The signature primitive alone, in µs per check: `node:crypto` `verify` with a prepared
 * `KeyObject` on pre-split tokens, synchronously (no parsing, no claims), median of 5 rounds. No
 * verifier, ours or a peer's, can spend less per token than this, so it bounds every
 * distinct-token ratio from above.
 */
export function primitiveMicros(key: BenchKey, tokens: readonly string[]): number {
  const publicKey = createPublicKey({ key: key.publicJwk as never, format: 'jwk' });
  const split = tokens.slice(0, 500).map((t) => {
    const dot = t.lastIndexOf('.');
    return { data: Buffer.from(t.slice(0, dot)), signature: Buffer.from(t.slice(dot + 1), 'base64url') };
  });
  const options = keyInput(key.alg, publicKey);
  const digest = DIGEST[key.alg];
  const rounds: number[] = [];
  for (let round = 0; round < 6; round++) {
    const started = performance.now();
    for (const { data, signature } of split)
      if (!verify(digest, data, options, signature)) throw new Error('bench token does not verify');
    if (round > 0) rounds.push(((performance.now() - started) * 1000) / split.length); // round 0 warms up
  }
  return rounds.sort((a, b) => a - b)[2]!;
}
