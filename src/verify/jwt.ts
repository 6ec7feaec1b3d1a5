/**
 * JWT access-token verification, with every policy explicit.
 *
 * Validates: compact JWS shape with strictly base64url segments; the issuer chosen by **exact**
 * `iss` among the resource's issuers (keys are never taken from an unlisted issuer, nor from
 * `jwk`/`jku`/`x5u`/`x5c` headers); the algorithm against an asymmetric allow-list; the signature;
 * `exp` required and finite; `nbf` and `iat` finite when present, `iat` not in the future beyond
 * the tolerance; the audience (URL-canonical, otherwise exact); `typ`; no `cnf` (sender-constrained
 * tokens are not bearer tokens); any `crit` refused. The token is decoded once, here: header and
 * claims parsed from the very bytes whose signature is then checked with the issuer's prepared
 * keys (`prepare-key.ts`: jose imports each JWK once, `node:crypto` or WebCrypto verifies).
 *
 * Does NOT validate: revocation (use a `verify` hook or introspection), `jti` replay, `sub` shape.
 * @module
 */
import { base64url } from 'jose';
import { TokenError } from '../errors.js';
import { assertBearerClaims, assertTimeClaims } from './claims.js';
import { verifyWithKeyStore, type KeyProvider } from './jwks.js';
import { isPreparedAlgorithm, type Offload } from './prepare-key.js';

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The policy a JWT is verified with (compiled once per resource). */
export interface JwtPolicy {
  /**
   * The key store of the issuer whose identifier is exactly `iss`, or `undefined` when that issuer
   * is not accepted for this resource, directly or as a promise. May throw (or reject with)
   * `TokenError('unavailable')`.
   */
  readonly keysFor: (iss: string) => KeyProvider | undefined | Promise<KeyProvider | undefined>;
  /** Canonical audience values; the token's `aud` must contain one of them. */
  readonly audiences: ReadonlySet<string>;
  readonly algorithms: readonly string[];
  readonly clockToleranceSec: number;
  readonly typ: 'lenient' | 'strict';
  /** Where signatures are checked (`settings.verify.offload`); default `auto`. */
  readonly offload?: Offload | undefined;
}

/** A verified token's issuer and claims. */
export interface VerifiedJwt {
  readonly issuer: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

const LENIENT_TYP = new Set(['jwt', 'at+jwt', 'application/at+jwt', 'application/jwt']);
const STRICT_TYP = new Set(['at+jwt', 'application/at+jwt']);

/** True when a token looks like a compact JWS (three base64url segments). */
export function isJwtShaped(token: string): boolean {
  return JWS.test(token);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const ASCII = new TextEncoder();
const NODE_BUFFER = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/** base64url → bytes: Node's `Buffer` where there is one (chars already checked), else jose's. */
const fromBase64url: (segment: string) => Uint8Array = NODE_BUFFER
  ? (segment) => NODE_BUFFER.from(segment, 'base64url')
  : (segment) => base64url.decode(segment);

/** The ASCII bytes of a string already known to be base64url and dots. */
const asciiBytes: (text: string) => Uint8Array = NODE_BUFFER
  ? (text) => NODE_BUFFER.from(text, 'latin1')
  : (text) => ASCII.encode(text);

const malformed = () => new TokenError('invalid_token', 'malformed_token');

/** A base64url segment of length 4n+1 encodes no whole byte: not an encoding. */
function decodeBytes(segment: string): Uint8Array {
  if (segment.length % 4 === 1) throw malformed();
  return fromBase64url(segment);
}

/**
 * The number of object members written in JSON text (already known to parse): every `:` outside
 * a string separates one member's name from its value.
 */
function writtenMembers(text: string): number {
  let members = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) members++;
    else if (c === 0x22) {
      // Skip the string: the closing quote is the first one preceded by an even run of `\`.
      for (;;) {
        i = text.indexOf('"', i + 1);
        let slashes = 0;
        while (text.charCodeAt(i - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
      }
    }
  }
  return members;
}

/** The number of members of every object in a parsed JSON value (each name counted once). */
function parsedMembers(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (Array.isArray(value)) {
    let n = 0;
    for (const item of value) n += parsedMembers(item);
    return n;
  }
  let n = 0;
  for (const key in value) n += 1 + parsedMembers((value as Record<string, unknown>)[key]);
  return n;
}

/**
 * Decodes one JWS segment into a JSON object, refusing anything ambiguous:
 * invalid UTF-8, not an object, or a member name written twice (`JSON.parse` would keep the last
 * one silently; a duplicate shows as fewer parsed members than written ones).
 */
function decodeSegment(segment: string): Record<string, unknown> {
  let value: unknown;
  let text: string;
  try {
    text = UTF8.decode(decodeBytes(segment));
    value = JSON.parse(text);
  } catch {
    throw malformed();
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw malformed();
  if (writtenMembers(text) !== parsedMembers(value)) throw malformed();
  return value as Record<string, unknown>;
}

/** A compact JWS decoded once: header, payload, and where the signature starts. */
interface DecodedJws {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  /** Index of the second `.`. */
  readonly signatureAt: number;
}

/**
 * Headers already decoded, by their segment: an issuer signs every token with the same few
 * headers, so a header is decoded once, not per token. Shallowly frozen (callers only read them);
 * at most 32, of at most 512 characters each, and cleared when full, so a caller cycling through
 * headers costs a decode each, as before. A key is a copy of the segment: a slice of the token
 * would keep the whole token alive. Only the decoding is kept: every token's header is judged.
 */
const HEADERS = new Map<string, Record<string, unknown>>();

function decodeHeader(segment: string): Record<string, unknown> {
  if (segment.length > 512) return decodeSegment(segment);
  let header = HEADERS.get(segment);
  if (!header) {
    header = Object.freeze(decodeSegment(segment));
    if (HEADERS.size >= 32) HEADERS.clear();
    HEADERS.set(UTF8.decode(asciiBytes(segment)), header);
  }
  return header;
}

function decode(token: string): DecodedJws {
  if (!isJwtShaped(token)) throw malformed();
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  return {
    header: decodeHeader(token.slice(0, first)),
    payload: decodeSegment(token.slice(first + 1, second)),
    signatureAt: second,
  };
}

/**
 * Decodes a compact JWS's header and payload, strictly (three base64url segments, UTF-8 JSON
 * objects without duplicated members). Checks no signature.
 *
 * @example
 * ```ts
 * const { header, payload } = decodeJws(token); // header.alg, payload.iss ...
 * ```
 * @throws {TokenError} `invalid_token` (`malformed_token`)
 */
export function decodeJws(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const { header, payload } = decode(token);
  return { header, payload };
}

/**
 * The header rules: `alg` in the allow-list, `kid` a string when present, `typ` per policy, no
 * `crit`.
 *
 * @throws {TokenError} `invalid_token`
 */
export function assertHeader(
  header: Record<string, unknown>,
  policy: Pick<JwtPolicy, 'algorithms' | 'typ'>,
): void {
  if (
    typeof header.alg !== 'string' ||
    !policy.algorithms.includes(header.alg) ||
    !isPreparedAlgorithm(header.alg)
  ) {
    throw new TokenError('invalid_token', 'unsupported_algorithm');
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    throw new TokenError('invalid_token', 'malformed_token');
  }
  const typ = header.typ;
  const allowed = policy.typ === 'strict' ? STRICT_TYP : LENIENT_TYP;
  if (
    typ === undefined ? policy.typ === 'strict' : !(typeof typ === 'string' && allowed.has(typ.toLowerCase()))
  ) {
    throw new TokenError('invalid_token', 'typ');
  }
  if (Object.hasOwn(header, 'crit')) throw new TokenError('invalid_token', 'crit');
}

/**
 * Verifies a JWT access token against a resource's policy.
 *
 * @example
 * ```ts
 * const { issuer, claims } = await verifyJwt(token, policy);
 * ```
 * @throws {TokenError} `invalid_token` (with a reason) or `unavailable`
 */
export async function verifyJwt(token: string, policy: JwtPolicy): Promise<VerifiedJwt> {
  const { header, payload, signatureAt } = decode(token);
  assertHeader(header, policy);

  // The issuer is chosen by exact `iss` before any key is looked up.
  const iss = payload.iss;
  let keys = typeof iss === 'string' ? policy.keysFor(iss) : undefined;
  if (keys && 'then' in keys) keys = await keys; // a promise (of any realm), not a store
  if (!keys) throw new TokenError('invalid_token', 'unknown_issuer');

  const signature = decodeBytes(token.slice(signatureAt + 1));
  const input = {
    alg: header.alg as string,
    kid: header.kid as string | undefined,
    data: asciiBytes(token.slice(0, signatureAt)),
    signature,
  };
  await verifyWithKeyStore(input, keys, policy.offload ?? 'auto');
  assertTimeClaims(payload, policy.clockToleranceSec, true);
  assertBearerClaims(payload, policy.audiences);
  return { issuer: iss as string, claims: payload };
}
