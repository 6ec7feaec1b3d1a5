/**
 * Opaque tokens via OAuth 2.0 Token Introspection (RFC 7662). The endpoint comes from metadata or
 * the manifest, never from the token; the client secret from an environment variable.
 * Validates: `active: true`; `exp` (when present) in the future; `iss` (when present) identical
 * to the issuer; the audience as for JWTs (`aud` required); no `cnf`.
 * @module
 */
import { DiscoveryError, TokenError } from '../errors.js';
import { guardedFetch, type GuardedRequest } from '../discovery/guarded-fetch.js';
import { basicAuthorization } from '../lib/basic-auth.js';
import { assertBearerClaims, assertTimeClaims } from './claims.js';
import type { IntrospectionCache } from '../store/cache-introspection.js';
import type { EndpointCalls } from './endpoint-calls.js';

/** How to call one issuer's introspection endpoint. */
export interface IntrospectionClient {
  readonly issuer: string;
  readonly endpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authMethod: 'client_secret_basic' | 'client_secret_post';
  /** The endpoint's call sharing and backoff (one per issuer in a runtime); none: every check calls. */
  readonly calls?: EndpointCalls<Record<string, unknown>> | undefined;
}

/** The result of a successful introspection: the response members, as claims. */
export type IntrospectionClaims = Readonly<Record<string, unknown>>;

/**
 * Introspects a token and applies the checks above. With `shared` (the runtime's store), a stored
 * result for the token is used instead of a call (checked the same way), and a fresh active one
 * is stored; the store's time counts against the fetch deadline. `answeredAt` is when the
 * endpoint said so (epoch ms; earlier than now for a stored result): a cache of the result must
 * count its age from then. With `client.calls`, checks of one token in flight share one call, and
 * a failed call holds new calls back for a while ({@link EndpointCalls}).
 *
 * @example
 * ```ts
 * const { claims } = await introspectToken(token, client, { audiences, clockToleranceSec: 30 });
 * ```
 * @throws {TokenError} `invalid_token` (`inactive`, `expired`, `audience`, `unknown_issuer`, `bound_token`) or `unavailable`
 */
export async function introspectToken(
  token: string,
  client: IntrospectionClient,
  policy: { readonly audiences: ReadonlySet<string>; readonly clockToleranceSec: number },
  fetchOptions: GuardedRequest = {},
  shared?: IntrospectionCache,
): Promise<{ claims: IntrospectionClaims; answeredAt: number }> {
  // Shared results (settings.store): a hit skips the call; store time counts against the deadline.
  const started = Date.now();
  const stored = await shared?.read(client.endpoint, token);
  if (stored) return { claims: checkedClaims(stored.claims, client, policy), answeredAt: stored.storedAt };
  const fullMs = fetchOptions.timeoutMs ?? 5000;
  const timeoutMs = Math.max(1, fullMs - (shared ? Date.now() - started : 0));
  // This token's call gets what the store left of the deadline; the breaker's probe the whole.
  const ask = (asked: string) =>
    asked === token
      ? callEndpoint(asked, client, { ...fetchOptions, timeoutMs }, timeoutMs < fullMs)
      : callEndpoint(asked, client, { ...fetchOptions, timeoutMs: fullMs }, false);
  const claims = checkedClaims(
    await (client.calls ? client.calls.call(token, ask) : ask(token)),
    client,
    policy,
  );
  shared?.write(client.endpoint, token, claims);
  return { claims, answeredAt: Date.now() };
}

/** One POST to the introspection endpoint. */
async function callEndpoint(
  token: string,
  client: IntrospectionClient,
  fetchOptions: GuardedRequest,
  shortened: boolean,
): Promise<Record<string, unknown>> {
  const form = new URLSearchParams({ token, token_type_hint: 'access_token' });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.authMethod === 'client_secret_basic') {
    headers.authorization = basicAuthorization(client.clientId, client.clientSecret);
  } else {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  }
  let json: Record<string, unknown> | undefined;
  try {
    ({ json } = await guardedFetch(client.endpoint, {
      ...fetchOptions,
      method: 'POST',
      lane: 'calls',
      headers,
      body: form.toString(),
    }));
  } catch (err) {
    if (!(err instanceof DiscoveryError)) throw err;
    // A call the store's slowness left short of time says nothing of the endpoint when it times
    // out: no cause the breaker would count.
    const storeTimedOut = shortened && err.code === 'timeout';
    throw new TokenError('unavailable', 'issuer_unavailable', storeTimedOut ? {} : { cause: err });
  }
  return json!;
}

/** The checks of the module comment, on a fresh or a stored answer. */
function checkedClaims(
  claims: Readonly<Record<string, unknown>>,
  client: IntrospectionClient,
  policy: { readonly audiences: ReadonlySet<string>; readonly clockToleranceSec: number },
): IntrospectionClaims {
  if (claims.active !== true) throw new TokenError('invalid_token', 'inactive');
  assertTimeClaims(claims, policy.clockToleranceSec, false);
  if (Object.hasOwn(claims, 'iss') && claims.iss !== client.issuer)
    throw new TokenError('invalid_token', 'unknown_issuer');
  assertBearerClaims(claims, policy.audiences);
  return claims;
}
