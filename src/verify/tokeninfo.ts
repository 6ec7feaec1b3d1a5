/**
 * Opaque tokens validated by the issuer's own token-information endpoint (`token.format:
 * "tokeninfo"`): Google's `tokeninfo`, GitHub's `GET /user`, or any endpoint that answers 2xx
 * with a JSON object for a valid token and 400/401 for an invalid one. The endpoint comes from
 * the manifest, never from the token.
 *
 * Validates: a 2xx JSON object; `exp` (a number or a numeric string; else `now + expires_in`)
 * not past; the audience as for JWTs (unless `token.requireAudience` is false); no `cnf`.
 * Does NOT validate: the issuer (the answer comes from the issuer's endpoint, so it is the
 * issuer), `iat`/`nbf`, or anything the endpoint does not return (GitHub's `/user` names no
 * client and no audience).
 * @module
 */
import { DiscoveryError, TokenError } from '../errors.js';
import { guardedFetch, type GuardedRequest, type GuardedResponse } from '../discovery/guarded-fetch.js';
import type { EndpointCalls } from './endpoint-calls.js';
import { assertBearerClaims, assertTimeClaims, type AudienceRule } from './claims.js';

/** How to call one issuer's token-information endpoint (`issuers.<id>.tokenInfo`). */
export interface TokenInfoClient {
  /** The issuer the answers are attributed to. */
  readonly issuer: string;
  readonly endpoint: string;
  /**
   * `form`: POST `access_token=<token>` (form-encoded); `bearer`: GET with `Authorization: Bearer`.
   * Never in the URL: URLs end up in logs and error messages.
   */
  readonly send: 'form' | 'bearer';
  /** A member of the answer copied to `sub` when the answer has none (GitHub: `id`). */
  readonly subjectMember?: string | undefined;
  /** The endpoint's call sharing and backoff (one per issuer in a runtime); none: every check calls. */
  readonly calls?: EndpointCalls<GuardedResponse> | undefined;
}

const NUMERIC = /^\d{1,12}$/;

/** A number, or a string of digits (Google answers `"exp": "1700000000"`), as a number. */
function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
  return undefined;
}

/**
 * The answer as claims: `exp` a number (from `exp`, else `expires_in` seconds from now), `sub`
 * filled from `subjectMember`. The answer's other members are kept as they are.
 */
function claimsOf(answer: Record<string, unknown>, client: TokenInfoClient): Record<string, unknown> {
  const claims: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(answer)) claims[key] = answer[key];
  const exp = numberOf(answer.exp);
  const expiresIn = numberOf(answer.expires_in);
  if (Object.hasOwn(answer, 'exp') && exp === undefined)
    throw new TokenError('invalid_token', 'invalid_claims');
  if (exp !== undefined) claims.exp = exp;
  else if (expiresIn !== undefined) claims.exp = Math.floor(Date.now() / 1000) + expiresIn;
  if (expiresIn !== undefined && expiresIn <= 0) throw new TokenError('invalid_token', 'expired');
  const subject = client.subjectMember === undefined ? undefined : answer[client.subjectMember];
  if (!Object.hasOwn(claims, 'sub') && (typeof subject === 'string' || typeof subject === 'number'))
    claims.sub = String(subject);
  return claims;
}

/**
 * Asks the endpoint about a token and applies the checks of the module comment.
 *
 * @example
 * ```ts
 * const claims = await fetchTokenInfo(token, { issuer, endpoint: 'https://oauth2.googleapis.com/tokeninfo', send: 'form' }, { audiences, clockToleranceSec: 30 });
 * ```
 * @throws {TokenError} `invalid_token` (`inactive` for a 400/401 answer, `expired`, `audience`) or `unavailable`
 */
export async function fetchTokenInfo(
  token: string,
  client: TokenInfoClient,
  policy: { readonly audiences: AudienceRule; readonly clockToleranceSec: number },
  fetchOptions: GuardedRequest = {},
): Promise<Record<string, unknown>> {
  const ask = (asked: string) => askEndpoint(asked, client, fetchOptions);
  const answer = await (client.calls ? client.calls.call(token, ask) : ask(token));
  if (!answer.json) throw new TokenError('invalid_token', 'inactive');
  const claims = claimsOf(answer.json, client);
  assertTimeClaims(claims, policy.clockToleranceSec, false);
  assertBearerClaims(claims, policy.audiences);
  return claims;
}

/**
 * One call to the endpoint: its answer, a verdict on the token included (no `json` then):
 * 400 (Google) and 401 (GitHub) mean "not a valid token". Anything else fails the call (503).
 * Sent as `bearer`, the call is made as the token's own user, so a 429 is that user's rate
 * limit: it fails this request alone (with its `Retry-After`), as a 403 does (GitHub: the user's
 * rate limit, or a token that may not read `/user`), and neither is a verdict that would close
 * the breaker of {@link EndpointCalls}. A timeout, a network error, a 5xx from 502 up or a
 * form's 429 (a limit on this server) count towards it.
 */
async function askEndpoint(
  token: string,
  client: TokenInfoClient,
  fetchOptions: GuardedRequest,
): Promise<GuardedResponse> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'mcp-auth-config' };
  let body: string | undefined;
  if (client.send === 'bearer') headers.authorization = `Bearer ${token}`;
  else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams({ access_token: token }).toString();
  }
  let answer: GuardedResponse;
  try {
    answer = await guardedFetch(client.endpoint, {
      ...fetchOptions,
      method: body === undefined ? 'GET' : 'POST',
      lane: 'calls',
      headers,
      ...(body === undefined ? {} : { body }),
      acceptStatus: (status) =>
        status === 400 || status === 401 || (status === 429 && client.send === 'bearer'),
    });
  } catch (err) {
    if (err instanceof DiscoveryError)
      throw new TokenError('unavailable', 'issuer_unavailable', { cause: err });
    throw err;
  }
  if (answer.status === 429) {
    // No fetch failure as its cause: the breaker counts nothing for it.
    const retryAfterSeconds = Math.min(60, Math.ceil((answer.retryAfterMs ?? 1000) / 1000));
    throw new TokenError('unavailable', 'issuer_unavailable', { retryAfterSeconds });
  }
  return answer;
}
