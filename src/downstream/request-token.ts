/**
 * One token request to an authorization server's token endpoint, through the guarded fetch
 * (deadline, size cap, no redirects, https or loopback), and the validation of its answer.
 *
 * Validates: a 2xx JSON object with `access_token` (a non-empty RFC 6750 `b64token`, so it is
 * safe in an `Authorization` header), `token_type` `Bearer` (or `N_A` for token exchange, RFC
 * 8693 §2.2.1), `issued_token_type` an access token or JWT (token exchange), `expires_in` a
 * positive number. Does NOT trust or return anything else of the answer (`scope`,
 * `refresh_token`, ...), and never copies `error_description` or the body anywhere.
 * @module
 */
import { guardedFetch, type GuardedRequest } from '../discovery/guarded-fetch.js';
import { DiscoveryError, DownstreamError, OAUTH_TOKEN_ERRORS, type OAuthTokenErrorCode } from '../errors.js';
import type { ClientAuthenticator } from './client-auth.js';

/** RFC 8693 §3 token type identifiers this library asks for or accepts. */
export const TOKEN_TYPE = Object.freeze({
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
});

/** A validated token response. */
export interface IssuedToken {
  readonly accessToken: string;
  /** `Bearer`, or `N_A` when a token exchange issued a token that is not an OAuth access token. */
  readonly tokenType: 'Bearer' | 'N_A';
  /** `issued_token_type` (token exchange only). */
  readonly issuedTokenType: string | undefined;
  /** `expires_in`, in seconds. */
  readonly expiresIn: number;
}

/** What kind of answer to expect: token exchange requires `issued_token_type`. */
export type ResponseKind = 'token-exchange' | 'jwt-bearer' | 'client_credentials';

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const KNOWN_ERRORS: ReadonlySet<string> = new Set(OAUTH_TOKEN_ERRORS);

/**
 * POSTs `params` (plus the client authentication) to `tokenEndpoint` and validates the answer.
 *
 * @example
 * ```ts
 * const token = await requestToken('notes-api', endpoint, { grant_type: 'client_credentials' }, authenticate, 'client_credentials', fetchOptions);
 * ```
 * @throws {DownstreamError} `exchange_refused` (a 4xx with a JSON `error`), `exchange_unavailable`
 * (network, timeout, 3xx, 429, 5xx, an endpoint that may not be fetched), `exchange_invalid_response`
 */
export async function requestToken(
  name: string,
  tokenEndpoint: string,
  params: Readonly<Record<string, string | readonly string[]>>,
  authenticate: ClientAuthenticator,
  kind: ResponseKind,
  fetchOptions: GuardedRequest,
): Promise<IssuedToken> {
  const client = await authenticate(tokenEndpoint);
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...params, ...client.params })) {
    for (const one of [value].flat()) form.append(key, one);
  }
  let status: number;
  let json: Record<string, unknown> | undefined;
  try {
    ({ status, json } = await guardedFetch(tokenEndpoint, {
      ...fetchOptions,
      method: 'POST',
      lane: 'downstream',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...client.headers },
      body: form.toString(),
      // An OAuth error answer is read; a 429 is "try later" (exchange_unavailable), not a refusal.
      readStatus: (s) => s >= 400 && s < 500 && s !== 429,
    }));
  } catch (err) {
    throw fetchFailure(name, err);
  }
  if (status >= 400) {
    const error = json?.error;
    const oauthError: OAuthTokenErrorCode =
      typeof error === 'string' && KNOWN_ERRORS.has(error) ? (error as OAuthTokenErrorCode) : 'unrecognized';
    throw new DownstreamError(
      'exchange_refused',
      name,
      `the authorization server refused the token request (HTTP ${status}, ${oauthError})`,
      { oauthError, status },
    );
  }
  return validateTokenResponse(name, json ?? {}, kind, status);
}

/** Maps a guarded-fetch failure onto the broker's codes; the message names only the outcome. */
function fetchFailure(name: string, err: unknown): DownstreamError {
  if (!(err instanceof DiscoveryError)) {
    return new DownstreamError('exchange_unavailable', name, 'the token request failed', { cause: err });
  }
  const status = err.status === undefined ? {} : { status: err.status };
  if (err.code === 'not_json' || err.code === 'too_large') {
    return new DownstreamError(
      'exchange_invalid_response',
      name,
      `the token endpoint's answer is not a usable token response (${err.code})`,
      { ...status, cause: err },
    );
  }
  return new DownstreamError('exchange_unavailable', name, `the token endpoint failed (${err.code})`, {
    ...status,
    cause: err,
  });
}

/**
 * Validates a 2xx token response (see the module documentation for what is and is not checked).
 *
 * @example
 * ```ts
 * validateTokenResponse('notes-api', { access_token: 'x', token_type: 'Bearer', expires_in: 60 }, 'jwt-bearer', 200);
 * ```
 * @throws {DownstreamError} `exchange_invalid_response`, naming the field at fault
 */
export function validateTokenResponse(
  name: string,
  json: Record<string, unknown>,
  kind: ResponseKind,
  status: number,
): IssuedToken {
  const invalid = (what: string) =>
    new DownstreamError('exchange_invalid_response', name, `the token response ${what}`, { status });
  const accessToken = json.access_token;
  if (typeof accessToken !== 'string' || !B64TOKEN.test(accessToken))
    throw invalid('has no usable access_token');
  const rawType = json.token_type;
  let tokenType: IssuedToken['tokenType'];
  if (typeof rawType === 'string' && rawType.toLowerCase() === 'bearer') tokenType = 'Bearer';
  else if (rawType === 'N_A' && kind === 'token-exchange') tokenType = 'N_A';
  else throw invalid('has a token_type other than Bearer');
  let issuedTokenType: string | undefined;
  if (kind === 'token-exchange') {
    const issued = json.issued_token_type;
    if (issued !== TOKEN_TYPE.accessToken && issued !== TOKEN_TYPE.jwt)
      throw invalid('has no issued_token_type of an access token or JWT');
    issuedTokenType = issued;
  }
  const expiresIn = json.expires_in;
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0)
    throw invalid('has no positive expires_in');
  return Object.freeze({ accessToken, tokenType, issuedTokenType, expiresIn });
}
