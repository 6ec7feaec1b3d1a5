/**
 * JWT access-token verification on jose, with every policy explicit.
 *
 * Validates: compact JWS shape with strictly base64url segments; the issuer chosen by **exact**
 * `iss` among the resource's issuers (keys are never taken from an unlisted issuer, nor from
 * `jwk`/`jku`/`x5u`/`x5c` headers); the algorithm against an asymmetric allow-list; the signature;
 * `exp` required and finite; `nbf` and `iat` finite when present, `iat` not in the future beyond
 * the tolerance; the audience (URL-canonical, otherwise exact); `typ`; no `cnf` (sender-constrained
 * tokens are not bearer tokens); any `crit` refused. The signature is checked by jose's
 * `compactVerify`; the claims are parsed once, by us, from the same bytes.
 *
 * Does NOT validate: revocation (use a `verify` hook or introspection), `jti` replay, `sub` shape.
 * @module
 */
import { errors as joseErrors } from 'jose';
import { TokenError } from '../errors.js';
import { hasDuplicateMembers } from '../lib/json.js';
import { assertBearerClaims, assertTimeClaims } from './claims.js';
import { verifyWithKeyStore, type KeyStore } from './jwks.js';

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The policy a JWT is verified with (compiled once per resource). */
export interface JwtPolicy {
  /**
   * The key store of the issuer whose identifier is exactly `iss`, or `undefined` when that issuer
   * is not accepted for this resource. May throw `TokenError('unavailable')`.
   */
  readonly keysFor: (iss: string) => Promise<Pick<KeyStore, 'getKeys'> | undefined>;
  /** Canonical audience values; the token's `aud` must contain one of them. */
  readonly audiences: ReadonlySet<string>;
  readonly algorithms: readonly string[];
  readonly clockToleranceSec: number;
  readonly typ: 'lenient' | 'strict';
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

/** Decodes one JWS segment into a JSON object, refusing anything ambiguous. */
function decodeSegment(segment: string): Record<string, unknown> {
  let value: unknown;
  let text: string;
  try {
    text = UTF8.decode(Buffer.from(segment, 'base64url'));
    value = JSON.parse(text);
  } catch {
    throw new TokenError('invalid_token', 'malformed_token');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || hasDuplicateMembers(text))
    throw new TokenError('invalid_token', 'malformed_token');
  return value as Record<string, unknown>;
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
  if (!isJwtShaped(token)) throw new TokenError('invalid_token', 'malformed_token');
  const [header, payload] = token.split('.') as [string, string, string];
  return { header: decodeSegment(header), payload: decodeSegment(payload) };
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
  if (typeof header.alg !== 'string' || !policy.algorithms.includes(header.alg)) {
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

/** Maps a jose signature-verification failure onto the fixed reasons. */
function mapJoseError(err: unknown): TokenError {
  if (err instanceof TokenError) return err;
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported) {
    return new TokenError('invalid_token', 'unsupported_algorithm', { cause: err });
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new TokenError('invalid_token', 'signature', { cause: err });
  }
  return new TokenError('invalid_token', 'malformed_token', { cause: err });
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
  const { header, payload } = decodeJws(token);
  assertHeader(header, policy);

  // The issuer is chosen by exact `iss` before any key is looked up.
  const iss = payload.iss;
  const keys = typeof iss === 'string' ? await policy.keysFor(iss) : undefined;
  if (!keys) throw new TokenError('invalid_token', 'unknown_issuer');

  // jose checks the signature (and the algorithm against the allow-list); the claims were parsed
  // above from the very bytes it verifies, so they are checked here rather than parsed twice.
  try {
    await verifyWithKeyStore(token, keys, {
      algorithms: policy.algorithms as string[],
    });
  } catch (err) {
    throw mapJoseError(err);
  }
  assertTimeClaims(payload, policy.clockToleranceSec, true);
  assertBearerClaims(payload, policy.audiences);
  return { issuer: iss as string, claims: payload };
}
