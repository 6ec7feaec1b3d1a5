/**
 * Claim checks shared by JWT verification and introspection: finite times, audience, and no
 * sender constraint.
 * @module
 */
import { TokenError } from '../errors.js';

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

/** The audience values of a claims set (`aud` as a string or an array; non-strings dropped). */
export function audienceValues(claims: Readonly<Record<string, unknown>>): string[] {
  const aud = Object.hasOwn(claims, 'aud') ? claims.aud : undefined;
  const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  return values.filter((a): a is string => typeof a === 'string');
}

const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const;

/**
 * Time claims: `exp`, `nbf` and `iat` are finite numbers when present; `exp` (required when
 * `requireExp`) is not past and `nbf` not ahead, each beyond the tolerance; `iat` is not in the
 * future beyond the tolerance.
 */
export function assertTimeClaims(
  claims: Readonly<Record<string, unknown>>,
  toleranceSec: number,
  requireExp: boolean,
): void {
  for (const name of TIME_CLAIMS) {
    if (Object.hasOwn(claims, name) && !(typeof claims[name] === 'number' && Number.isFinite(claims[name]))) {
      throw new TokenError('invalid_token', 'invalid_claims');
    }
  }
  const { exp, nbf, iat } = claims as { exp?: number; nbf?: number; iat?: number };
  if (exp === undefined && requireExp) throw new TokenError('invalid_token', 'missing_exp');
  const now = Date.now() / 1000;
  if (exp !== undefined && exp + toleranceSec <= now) throw new TokenError('invalid_token', 'expired');
  if (nbf !== undefined && nbf - toleranceSec > now) throw new TokenError('invalid_token', 'not_yet_valid');
  if (iat !== undefined && iat > now + toleranceSec)
    throw new TokenError('invalid_token', 'issued_in_future');
}

/**
 * The audiences a resource accepts, in canonical form. With `unchecked` (`token.requireAudience:
 * false`, for providers whose access tokens carry no `aud`), `aud` is not looked at: the token is
 * bound to the application by `token.allowedClientIds` instead.
 */
export interface AudienceRule extends ReadonlySet<string> {
  readonly unchecked?: boolean;
}

/**
 * Builds an {@link AudienceRule} from audience values as written in the manifest.
 *
 * @example
 * ```ts
 * audienceRule(['https://API.example/mcp'], true).has('https://api.example/mcp'); // true
 * ```
 */
export function audienceRule(values: readonly string[], required = true): AudienceRule {
  const rule = new Set(values.map(canonicalAudience)) as Set<string> & { unchecked?: boolean };
  if (!required) rule.unchecked = true;
  return rule;
}

/**
 * The token is a bearer token for this resource: no `cnf` (a DPoP- or mTLS-bound token is not a
 * bearer token, RFC 9449 / RFC 8705) and an `aud` naming one of `audiences` (canonical forms),
 * unless the rule says the audience is not checked.
 */
export function assertBearerClaims(claims: Readonly<Record<string, unknown>>, audiences: AudienceRule): void {
  if (Object.hasOwn(claims, 'cnf')) throw new TokenError('invalid_token', 'bound_token');
  if (audiences.unchecked) return;
  if (!audienceValues(claims).some((a) => audiences.has(canonicalAudience(a)))) {
    throw new TokenError('invalid_token', 'audience');
  }
}
