/**
 * The two ways of turning the caller's access token into one for a downstream API: RFC 8693
 * token exchange and the RFC 7523 JWT bearer grant with `requested_token_use=on_behalf_of`
 * (Microsoft Entra's on-behalf-of flow).
 * @module
 */
import type { GuardedRequest } from '../discovery/guarded-fetch.js';
import type { ClientAuthenticator } from './client-auth.js';
import { requestToken, TOKEN_TYPE, type IssuedToken } from './request-token.js';

/** RFC 8693 §2.1 grant type. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 7523 §2.1 grant type. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The grant of each `downstream.<name>.grant` value, as `grant_types_supported` lists it. */
export const GRANT_TYPES = Object.freeze({
  'token-exchange': TOKEN_EXCHANGE_GRANT,
  'jwt-bearer': JWT_BEARER_GRANT,
});

/** One downstream entry, compiled: what to ask for and how the client authenticates. */
export interface CompiledDownstream {
  readonly name: string;
  readonly issuerId: string;
  readonly grant: 'token-exchange' | 'jwt-bearer';
  readonly audience: readonly string[];
  readonly resource: readonly string[];
  readonly scope: readonly string[];
  readonly authenticate: ClientAuthenticator;
}

/**
 * Asks the token endpoint for a token for `entry`'s downstream API on behalf of the holder of
 * `subjectToken`; `actorToken` (token exchange only) adds delegation semantics.
 *
 * @example
 * ```ts
 * const issued = await exchangeToken(entry, endpoint, authInfo.token, undefined, fetchOptions);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow
 * @throws {DownstreamError} see {@link requestToken}
 */
export function exchangeToken(
  entry: CompiledDownstream,
  tokenEndpoint: string,
  subjectToken: string,
  actorToken: string | undefined,
  fetchOptions: GuardedRequest,
): Promise<IssuedToken> {
  const scope = entry.scope.length ? { scope: entry.scope.join(' ') } : {};
  const params: Record<string, string | readonly string[]> =
    entry.grant === 'token-exchange'
      ? {
          grant_type: TOKEN_EXCHANGE_GRANT,
          subject_token: subjectToken,
          subject_token_type: TOKEN_TYPE.accessToken,
          requested_token_type: TOKEN_TYPE.accessToken,
          ...(entry.audience.length ? { audience: entry.audience } : {}),
          ...(entry.resource.length ? { resource: entry.resource } : {}),
          ...scope,
          ...(actorToken ? { actor_token: actorToken, actor_token_type: TOKEN_TYPE.accessToken } : {}),
        }
      : {
          grant_type: JWT_BEARER_GRANT,
          assertion: subjectToken,
          requested_token_use: 'on_behalf_of',
          ...scope,
        };
  return requestToken(entry.name, tokenEndpoint, params, entry.authenticate, entry.grant, fetchOptions);
}
