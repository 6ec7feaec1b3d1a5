/**
 * `WWW-Authenticate: Bearer` challenges and error responses (RFC 6750 §3, RFC 9728 §5.1, MCP).
 * Values come from configuration and a fixed vocabulary only, restricted to the RFC 6750
 * character set, so nothing from a token, a request or an upstream server is reflected.
 * @module
 */
import type { TokenError, TokenErrorReason } from '../errors.js';

/** The parameters of a Bearer challenge. */
export interface ChallengeParams {
  readonly error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | undefined;
  readonly errorDescription?: string | undefined;
  readonly scope?: readonly string[] | undefined;
  /** The absolute URL of the resource's Protected Resource Metadata. */
  readonly resourceMetadata: string;
}

const PARAM_ASSIGNMENT = /(error_description|error|scope|resource_metadata)=/g;

/** Removes every `<parameter name>=` from a value (repeatedly: removal must not create a new one). */
function withoutParamAssignments(value: string): string {
  let previous: string;
  do {
    previous = value;
    value = value.replace(PARAM_ASSIGNMENT, '$1');
  } while (value !== previous);
  return value;
}

/** Keeps only the characters RFC 6750 §3 allows in a quoted challenge value. */
export function sanitizeChallengeValue(value: string): string {
  return value.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '');
}

/**
 * Builds a `WWW-Authenticate` value: `Bearer` first, lowercase parameter names, every value
 * quoted, `scope` only when non-empty, `resource_metadata` always.
 *
 * @example
 * ```ts
 * buildChallenge({ error: 'insufficient_scope', scope: ['read', 'write'], resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource/mcp' });
 * // 'Bearer error="insufficient_scope", scope="read write", resource_metadata="https://..."'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function buildChallenge(params: ChallengeParams): string {
  const parts: string[] = [];
  const add = (name: string, value: string) => {
    // MCP clients read each parameter with an unanchored `name=` regex, so a value must never
    // contain a parameter name followed by `=` (it would be taken for that parameter).
    const clean = withoutParamAssignments(sanitizeChallengeValue(value)).trim();
    if (clean) parts.push(`${name}="${clean}"`);
  };
  if (params.error) add('error', params.error);
  if (params.errorDescription) add('error_description', params.errorDescription);
  if (params.scope?.length) add('scope', params.scope.join(' '));
  add('resource_metadata', params.resourceMetadata);
  return parts.length ? `Bearer ${parts.join(', ')}` : 'Bearer';
}

/**
 * The fixed `error_description` for each failed check.
 *
 * @example
 * ```ts
 * ERROR_DESCRIPTIONS.expired; // 'The access token has expired'
 * ```
 */
export const ERROR_DESCRIPTIONS: Readonly<Record<TokenErrorReason, string>> = Object.freeze({
  no_credentials: 'No access token was sent',
  malformed_header: 'The Authorization header is malformed',
  multiple_credentials: 'More than one access token was sent',
  token_too_long: 'The access token is too long',
  malformed_token: 'The access token is malformed',
  unsupported_algorithm: 'The access token algorithm is not accepted',
  unknown_issuer: 'The access token issuer is not trusted for this resource',
  unknown_key: 'The access token signing key is unknown',
  signature: 'The access token signature is invalid',
  expired: 'The access token has expired',
  not_yet_valid: 'The access token is not valid yet',
  issued_in_future: 'The access token is issued in the future',
  missing_exp: 'The access token has no expiry',
  invalid_claims: 'The access token claims are invalid',
  audience: 'The access token is not intended for this resource',
  typ: 'The access token type is not accepted',
  bound_token: 'The access token is sender-constrained and cannot be used as a bearer token',
  crit: 'The access token has unsupported critical header parameters',
  inactive: 'The access token is not active',
  scope: 'The access token lacks a required scope',
  rejected: 'The access token was rejected',
  issuer_unavailable: 'The authorization server is unavailable; retry later',
  revoked: 'The access token has been revoked',
  revocation_unavailable: 'The revocation state of the access token cannot be checked; retry later',
});

/** A ready HTTP error response, framework-neutral. */
export interface ErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What an error response needs besides the error. */
export interface ErrorResponseContext {
  readonly resourceMetadata: string;
  /** Scopes this request needs (resource + route/tool), for the challenge's `scope`. */
  readonly scopes: readonly string[];
  /** For 403: the full scope list to challenge with (needed + granted, per policy). */
  readonly challengeScopes?: readonly string[] | undefined;
  /** Seconds for `Retry-After` on 503. */
  readonly retryAfterSeconds?: number | undefined;
  /** `Access-Control-Allow-Origin: *` on challenges (resource public to browsers). */
  readonly publicToBrowsers?: boolean | undefined;
  /** Add the failed check's name to the JSON body (seed `showErrorDetails`). */
  readonly showErrorDetails?: boolean | undefined;
}

const STATUS: Readonly<Record<TokenError['code'], number>> = {
  missing_token: 401,
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  unavailable: 503,
};

/**
 * What every 503 of the library says (a token check, or a metadata document, that needs an
 * issuer which cannot be reached): the `Retry-After` value (the error's hint, else `fallback`,
 * else 5 s; at least 1) and the fixed `temporarily_unavailable` body.
 *
 * @example
 * ```ts
 * unavailableAnswer(new TokenError('unavailable', 'issuer_unavailable')).retryAfter; // '5'
 * ```
 */
export function unavailableAnswer(
  error: TokenError,
  fallbackSeconds?: number,
): { readonly retryAfter: string; readonly body: { error: string; error_description: string } } {
  return {
    retryAfter: String(Math.max(1, Math.ceil(error.retryAfterSeconds ?? fallbackSeconds ?? 5))),
    body: { error: 'temporarily_unavailable', error_description: ERROR_DESCRIPTIONS[error.reason] },
  };
}

/**
 * The response for a refused request, exactly as DESIGN §5 says: status, `WWW-Authenticate`
 * (none on 503), `Cache-Control: no-store`, `Retry-After` on 503, and a JSON body
 * `{ error, error_description }`.
 *
 * @example
 * ```ts
 * const { status, headers, body } = errorResponse(new TokenError('invalid_token', 'expired'), { resourceMetadata, scopes: [] });
 * ```
 */
export function errorResponse(error: TokenError, context: ErrorResponseContext): ErrorResponse {
  const status = STATUS[error.code];
  const description = ERROR_DESCRIPTIONS[error.reason];
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'access-control-expose-headers': 'WWW-Authenticate',
  };
  if (context.publicToBrowsers) headers['access-control-allow-origin'] = '*';
  let body: Record<string, string>;
  if (error.code === 'unavailable') {
    const answer = unavailableAnswer(error, context.retryAfterSeconds);
    headers['retry-after'] = answer.retryAfter;
    body = answer.body;
  } else if (error.code === 'missing_token') {
    headers['www-authenticate'] = buildChallenge({
      scope: context.scopes,
      resourceMetadata: context.resourceMetadata,
    });
    body = { error: 'invalid_token', error_description: description };
  } else {
    const scope =
      error.code === 'insufficient_scope' ? (context.challengeScopes ?? context.scopes) : context.scopes;
    headers['www-authenticate'] = buildChallenge({
      error: error.code,
      errorDescription: description,
      scope: error.code === 'invalid_request' ? undefined : scope,
      resourceMetadata: context.resourceMetadata,
    });
    body = { error: error.code, error_description: description };
  }
  if (context.showErrorDetails) body.check = error.reason;
  return { status, headers, body: JSON.stringify(body) };
}
