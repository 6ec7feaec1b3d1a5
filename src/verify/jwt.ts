/**
 * JWT access-token verification on jose, with every policy explicit.
 *
 * Validates: compact JWS shape with strictly base64url segments; the issuer chosen by **exact**
 * `iss` among the resource's issuers (keys are never taken from an unlisted issuer, nor from
 * `jwk`/`jku`/`x5u`/`x5c` headers); the algorithm against an asymmetric allow-list; the signature;
 * `exp` required and finite; `nbf` and `iat` finite when present, `iat` not in the future beyond
 * the tolerance; the audience (URL-canonical, otherwise exact); `typ`; no `cnf` (sender-constrained
 * tokens are not bearer tokens); unknown `crit` refused (jose).
 *
 * Does NOT validate: revocation (use a `verify` hook or introspection), `jti` replay, `sub` shape.
 * @module
 */
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { TokenError } from '../errors.js';
import type { KeyStore } from './jwks.js';

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The policy a JWT is verified with (compiled once per resource). */
export interface JwtPolicy {
  /**
   * The key store of the issuer whose identifier is exactly `iss`, or `undefined` when that issuer
   * is not accepted for this resource. May throw `TokenError('unavailable')`.
   */
  readonly keysFor: (iss: string) => Promise<Pick<KeyStore, 'getKey'> | undefined>;
  /** Canonical audience values; the token's `aud` must contain one of them. */
  readonly audiences: ReadonlySet<string>;
  readonly algorithms: readonly string[];
  readonly clockToleranceSec: number;
  readonly typ: 'lenient' | 'strict';
}

/** A verified token's issuer and claims. */
export interface VerifiedJwt {
  readonly issuer: string;
  readonly claims: Readonly<JWTPayload>;
}

const LENIENT_TYP = new Set(['jwt', 'at+jwt', 'application/at+jwt', 'application/jwt']);
const STRICT_TYP = new Set(['at+jwt', 'application/at+jwt']);

/** True when a token looks like a compact JWS (three base64url segments). */
export function isJwtShaped(token: string): boolean {
  return JWS.test(token);
}

const URL_LIKE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;

/**
 * The form an audience value is compared in: for `scheme://authority...` values, the scheme and
 * host lower-cased and, for http(s), the default port (`:443`, `:80`) dropped and an empty path
 * written as `/`; everything else exactly as given. Unlike a WHATWG URL parse, nothing else is
 * normalised (no dot segments, `%2e`, backslashes, stripped tabs or whitespace), so near-misses
 * such as `https://api.example/x/../mcp` do not match `https://api.example/mcp`.
 */
export function canonicalAudience(value: string): string {
  const match = URL_LIKE.exec(value);
  if (!match) return value;
  const scheme = match[1]!.toLowerCase();
  let authority = match[2]!;
  if (authority.includes('@')) return value;
  authority = authority.toLowerCase();
  if (scheme === 'https' && authority.endsWith(':443')) authority = authority.slice(0, -4);
  else if (scheme === 'http' && authority.endsWith(':80')) authority = authority.slice(0, -3);
  const rest = match[3]!;
  const web = scheme === 'https' || scheme === 'http';
  return `${scheme}://${authority}${web && (rest === '' || rest[0] === '?' || rest[0] === '#') ? `/${rest}` : rest}`;
}

/** True when JSON text (already known to parse) has an object with two members of the same name. */
export function hasDuplicateMembers(text: string): boolean {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const members = stack[stack.length - 1];
      if (expectKey && members) {
        const name = JSON.parse(text.slice(i, j + 1)) as string;
        if (members.has(name)) return true;
        members.add(name);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(null);
      expectKey = false;
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = !!stack[stack.length - 1];
    }
  }
  return false;
}

/** Decodes one JWS segment into a JSON object, refusing anything ambiguous. */
function decodeSegment(segment: string): Record<string, unknown> {
  let value: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(segment, 'base64url'));
    value = JSON.parse(text);
  } catch {
    throw new TokenError('invalid_token', 'malformed_token');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || hasDuplicateMembers(text))
    throw new TokenError('invalid_token', 'malformed_token');
  return value as Record<string, unknown>;
}

function finiteOrAbsent(claims: Record<string, unknown>, name: string): void {
  if (Object.hasOwn(claims, name) && !(typeof claims[name] === 'number' && Number.isFinite(claims[name]))) {
    throw new TokenError('invalid_token', 'invalid_claims');
  }
}

function mapJoseError(err: unknown): TokenError {
  if (err instanceof TokenError) return err;
  if (err instanceof joseErrors.JWTExpired) return new TokenError('invalid_token', 'expired', { cause: err });
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    const reason =
      err.claim === 'nbf' && err.reason === 'check_failed'
        ? 'not_yet_valid'
        : err.claim === 'exp' && err.reason === 'missing'
          ? 'missing_exp'
          : 'invalid_claims';
    return new TokenError('invalid_token', reason, { cause: err });
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return new TokenError('invalid_token', 'unsupported_algorithm', { cause: err });
  if (err instanceof joseErrors.JWSSignatureVerificationFailed)
    return new TokenError('invalid_token', 'signature', { cause: err });
  if (err instanceof joseErrors.JOSENotSupported) {
    return new TokenError(
      'invalid_token',
      /crit|extension/i.test(err.message) ? 'crit' : 'unsupported_algorithm',
      { cause: err },
    );
  }
  if (err instanceof joseErrors.JWSInvalid && /crit/i.test(err.message))
    return new TokenError('invalid_token', 'crit', { cause: err });
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
  if (!isJwtShaped(token)) throw new TokenError('invalid_token', 'malformed_token');
  const [headerSegment, payloadSegment] = token.split('.') as [string, string, string];
  const header = decodeSegment(headerSegment);
  if (typeof header.alg !== 'string' || !policy.algorithms.includes(header.alg)) {
    throw new TokenError('invalid_token', 'unsupported_algorithm');
  }
  if (header.kid !== undefined && typeof header.kid !== 'string')
    throw new TokenError('invalid_token', 'malformed_token');
  const typ = header.typ;
  if (
    typ !== undefined &&
    !(typeof typ === 'string' && (policy.typ === 'strict' ? STRICT_TYP : LENIENT_TYP).has(typ.toLowerCase()))
  ) {
    throw new TokenError('invalid_token', 'typ');
  }
  if (typ === undefined && policy.typ === 'strict') throw new TokenError('invalid_token', 'typ');
  if (Object.hasOwn(header, 'crit')) throw new TokenError('invalid_token', 'crit');

  // The issuer is chosen by exact `iss` before any key is looked up.
  const unverified = decodeSegment(payloadSegment);
  const iss = unverified.iss;
  const keys = typeof iss === 'string' ? await policy.keysFor(iss) : undefined;
  if (!keys) throw new TokenError('invalid_token', 'unknown_issuer');

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, (h) => keys.getKey({ alg: h.alg, kid: h.kid }), {
      issuer: iss as string,
      algorithms: [...policy.algorithms],
      clockTolerance: policy.clockToleranceSec,
      requiredClaims: ['exp'],
    }));
  } catch (err) {
    throw mapJoseError(err);
  }
  for (const name of ['exp', 'nbf', 'iat']) finiteOrAbsent(payload, name);
  const now = Date.now() / 1000;
  if (typeof payload.iat === 'number' && payload.iat > now + policy.clockToleranceSec) {
    throw new TokenError('invalid_token', 'issued_in_future');
  }
  if (Object.hasOwn(payload, 'cnf')) throw new TokenError('invalid_token', 'bound_token');
  const aud = payload.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.some((a) => typeof a === 'string' && policy.audiences.has(canonicalAudience(a)))) {
    throw new TokenError('invalid_token', 'audience');
  }
  return { issuer: iss as string, claims: payload };
}
