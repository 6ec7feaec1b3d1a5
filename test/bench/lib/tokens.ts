/**
 * Bench keys and tokens: one P-256, one RSA-2048 and one Ed25519 key pair, public JWKs for the servers, and
 * fast synchronous signing with `node:crypto` (pre-signing tens of thousands of tokens with jose's
 * async API would take several times longer).
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
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
  const signature =
    key.alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : sign(key.alg === 'EdDSA' ? null : 'sha256', Buffer.from(input), key.privateKey);
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
