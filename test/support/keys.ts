/**
 * Signing keys and access tokens made by the tests themselves (jose), for JWKS fault tests.
 */
import { generateKeyPairSync, randomUUID, sign as cryptoSign } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/** A key pair with its public JWK (kid and alg set). */
export interface TestKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  /** The public JWK, as a JWKS would publish it. */
  readonly jwk: JWK;
  /** The private JWK (for "a private key published in the JWKS" cases). */
  readonly privateJwk: JWK;
}

/** Generates a key pair; `modulusLength` for RSA (e.g. 1024 for a weak key). */
export async function makeKey(
  alg: 'ES256' | 'RS256' | 'PS256' | 'EdDSA' = 'ES256',
  options: { kid?: string; modulusLength?: number } = {},
): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(options.modulusLength ? { modulusLength: options.modulusLength } : {}),
  });
  const kid = options.kid ?? randomUUID();
  return {
    kid,
    alg,
    privateKey,
    jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' },
  };
}

/** A JWK Set document. */
export function jwks(...keys: JWK[]): { keys: JWK[] } {
  return { keys };
}

/** Claims and header overrides of {@link signToken}. */
export interface TokenOptions {
  readonly iss: string;
  readonly aud: string;
  readonly scope?: string;
  /** Seconds from now; default 300. */
  readonly expiresIn?: number;
  /** Header `kid`; default the key's. */
  readonly kid?: string;
  readonly sub?: string;
}

/** Signs an access token with `key` (header `kid` and `alg`, `typ: at+jwt`). */
export async function signToken(key: TestKey, options: TokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: options.scope ?? 'read', client_id: 'test-client' })
    .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: 'at+jwt' })
    .setIssuer(options.iss)
    .setAudience(options.aud)
    .setSubject(options.sub ?? 'user-1')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 300))
    .sign(key.privateKey);
}

/**
 * A 1024-bit RSA key (too weak to be accepted) and an RS256 token signed with it. jose refuses to
 * sign with such a key, so the token is assembled and signed with node:crypto.
 */
export function weakRsaToken(options: TokenOptions & { kid: string }): { jwk: JWK; token: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid: options.kid, alg: 'RS256', use: 'sig' };
  const now = Math.floor(Date.now() / 1000);
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64({ alg: 'RS256', kid: options.kid, typ: 'at+jwt' })}.${b64({
    iss: options.iss,
    aud: options.aud,
    sub: options.sub ?? 'user-1',
    scope: options.scope ?? 'read',
    iat: now,
    exp: now + (options.expiresIn ?? 300),
  })}`;
  const signature = cryptoSign('sha256', Buffer.from(input), privateKey).toString('base64url');
  return { jwk, token: `${input}.${signature}` };
}
