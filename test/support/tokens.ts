/**
 * Test support: real signing keys (RS256, PS256, ES256, EdDSA) and the tokens the tests sign with
 * them: access tokens with standard claims, tokens over arbitrary header and payload JSON text (so
 * tests can craft duplicated members, `1e400`, `__proto__`...) and HS256 confusion tokens. The
 * servers that publish the keys are in issuer.ts.
 */
import {
  createHmac,
  generateKeyPairSync,
  sign as cryptoSign,
  constants,
  type KeyObject,
  createPublicKey,
} from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  readBody,
  startServer as startLoopbackServer,
  type TestServer as LoopbackServer,
} from './servers.js';

/** The asymmetric algorithms the library accepts by default and the tests sign with. */
export const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type Alg = (typeof ALGORITHMS)[number];

/** A JWK as plain JSON. */
export type Jwk = Record<string, unknown>;

/** A key pair ready to sign tokens. */
export interface SigningKey {
  readonly alg: Alg;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public JWK with `kid`, `alg` and `use`. */
  readonly publicJwk: Jwk;
  /** The private JWK with `kid`, `alg` and `use` (for "a private key published in the JWKS"). */
  readonly privateJwk: Jwk;
}

let kidCounter = 0;

/** Generates a key pair for `alg` (RSA keys of `rsaBits` bits, default 2048; 1024 for a weak key). */
export function makeKey(alg: Alg = 'ES256', options: { kid?: string; rsaBits?: number } = {}): SigningKey {
  const kid = options.kid ?? `${alg.toLowerCase()}-${++kidCounter}`;
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: options.rsaBits ?? 2048 });
  const jwkOf = (key: KeyObject): Jwk => ({
    ...(key.export({ format: 'jwk' }) as Jwk),
    kid,
    alg,
    use: 'sig',
  });
  return {
    alg,
    kid,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicJwk: jwkOf(pair.publicKey),
    privateJwk: jwkOf(pair.privateKey),
  };
}

/** base64url of a string (UTF-8) or bytes. */
export function b64url(value: string | Uint8Array): string {
  return Buffer.from(value).toString('base64url');
}

/** Signs `data` with `key` the way JWS `alg` says (or with a forced `alg`, for confusion tests). */
function signature(alg: string, key: KeyObject, data: Buffer): Buffer {
  switch (alg) {
    case 'RS256':
      return cryptoSign('sha256', data, key);
    case 'PS256':
      return cryptoSign('sha256', data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      });
    case 'ES256':
      return cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return cryptoSign(null, data, key);
    default:
      throw new Error(`cannot sign ${alg}`);
  }
}

/** A compact JWS over header and payload given as JSON *text*, signed with `key`. */
export function signText(key: SigningKey, headerJson: string, payloadJson: string): string {
  const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
  const alg = (JSON.parse(headerJson) as { alg?: unknown }).alg;
  const sig = signature(typeof alg === 'string' ? alg : key.alg, key.privateKey, Buffer.from(input));
  return `${input}.${b64url(sig)}`;
}

/** A compact JWS: header defaults to `{ alg, kid, typ: 'at+jwt' }` of the key; `undefined` members are dropped. */
export function signToken(
  key: SigningKey,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const h = { alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header };
  return signText(key, JSON.stringify(h), JSON.stringify(payload));
}

/** An HS256 JWS whose HMAC secret is `secret` (for "HS256 with the RSA public key" confusion). */
export function signHs256(
  secret: Uint8Array | string,
  header: Record<string, unknown>,
  payload: unknown,
): string {
  const input = `${b64url(JSON.stringify({ alg: 'HS256', ...header }))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(createHmac('sha256', secret).update(input).digest())}`;
}

/** An unsigned compact token from header and payload JSON text with a given signature segment. */
export function unsignedText(headerJson: string, payloadJson: string, signatureSegment = ''): string {
  return `${b64url(headerJson)}.${b64url(payloadJson)}.${signatureSegment}`;
}

/** Seconds since the epoch. */
export function now(): number {
  return Math.floor(Date.now() / 1000);
}

/** Standard access-token claims: `iss`, `aud`, `exp` in 5 minutes, `iat` now, plus `extra`. */
export function claims(iss: string, aud: string | string[], extra: Record<string, unknown> = {}) {
  return {
    iss,
    sub: 'user-1',
    aud,
    client_id: 'client-1',
    iat: now(),
    exp: now() + 300,
    jti: `j-${++kidCounter}`,
    ...extra,
  };
}

/** The RSA public key of `key` in the encodings an HS256 confusion attack might use as secret. */
export function publicKeyEncodings(key: SigningKey): Record<string, Uint8Array | string> {
  const pub = createPublicKey(key.privateKey);
  const jwk = pub.export({ format: 'jwk' });
  return {
    pem: pub.export({ format: 'pem', type: 'spki' }) as string,
    pemPkcs1: pub.export({ format: 'pem', type: 'pkcs1' }) as string,
    der: pub.export({ format: 'der', type: 'spki' }),
    jwkJson: JSON.stringify(jwk),
    publicJwkJson: JSON.stringify(key.publicJwk),
    nBytes: Buffer.from(String(jwk.n), 'base64url'),
    nString: String(jwk.n),
  };
}

// ---------------------------------------------------------------------------------------------
// Moved: the loopback servers are in servers.ts, the JWKS and introspection servers and the
// manifest issuer entry in issuer.ts. test/edge, test/ecosystem and test/bench, which other
// engineers own, still import them from here; this section goes once they import from there.

export { issuerEntry, startIntrospectionServer, startJwksServer } from './issuer.js';
export type { IntrospectionServer, JwksServer } from './issuer.js';

/** @deprecated A {@link LoopbackServer} with `url` for its origin: import servers.ts instead. */
export interface TestServer extends LoopbackServer {
  readonly url: string;
}

/**
 * @deprecated servers.ts `startServer`, with the request body read before `handler` runs and
 * `url` for the origin: import servers.ts instead.
 */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => unknown,
): Promise<TestServer> {
  const server = await startLoopbackServer(async (req, res) => handler(req, res, await readBody(req)));
  return Object.defineProperty(server, 'url', { value: server.origin, enumerable: true }) as TestServer;
}
