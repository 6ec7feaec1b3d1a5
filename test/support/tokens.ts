/**
 * Test support: real signing keys (RS256, PS256, ES256, EdDSA), tokens signed over arbitrary
 * header and payload JSON text (so tests can craft duplicated members, `1e400`, `__proto__`...),
 * and small loopback servers: a JWKS server, an introspection server and an "attacker" server,
 * each counting what it receives.
 */
import {
  createHmac,
  generateKeyPairSync,
  sign as cryptoSign,
  constants,
  type KeyObject,
  createPublicKey,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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
}

let kidCounter = 0;

/** Generates a key pair for `alg` (RSA keys of `rsaBits` bits, default 2048). */
export function makeKey(alg: Alg, options: { kid?: string; rsaBits?: number } = {}): SigningKey {
  const kid = options.kid ?? `${alg.toLowerCase()}-${++kidCounter}`;
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: options.rsaBits ?? 2048 });
  const publicJwk = { ...(pair.publicKey.export({ format: 'jwk' }) as Jwk), kid, alg, use: 'sig' };
  return { alg, kid, privateKey: pair.privateKey, publicKey: pair.publicKey, publicJwk };
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
// Loopback servers

/** A running loopback server with a request counter. */
export interface TestServer {
  readonly url: string;
  /** Requests received (any path). */
  readonly hits: () => number;
  /** Connections accepted (even ones that never sent a request). */
  readonly connections: () => number;
  close(): Promise<void>;
}

/** Starts a 127.0.0.1 HTTP server with `handler`. */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => unknown,
): Promise<TestServer> {
  let hits = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void Promise.resolve(handler(req, res, Buffer.concat(chunks).toString('utf8'))).catch(() => {
        res.statusCode = 500;
        res.end();
      });
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A JWKS server at `<url>/jwks`; `keys` can be changed by the test at any time. */
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
  return {
    ...server,
    uri: `${server.url}/jwks`,
    get document() {
      return state.document;
    },
    set document(value: unknown) {
      state.document = value;
    },
  };
}

/** One request received by the introspection server. */
export interface IntrospectionCall {
  readonly authorization: string | undefined;
  readonly form: URLSearchParams;
}

/** An RFC 7662 introspection server at `<url>/introspect` answering with `respond(token)`. */
export interface IntrospectionServer extends TestServer {
  readonly endpoint: string;
  readonly calls: IntrospectionCall[];
}

export async function startIntrospectionServer(
  respond: (token: string) => Record<string, unknown>,
): Promise<IntrospectionServer> {
  const calls: IntrospectionCall[] = [];
  const server = await startServer((req, res, body) => {
    const form = new URLSearchParams(body);
    calls.push({ authorization: req.headers.authorization, form });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(respond(form.get('token') ?? '')));
  });
  return { ...server, endpoint: `${server.url}/introspect`, calls };
}

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
