/**
 * `token.allowedClientIds`: the token must have been issued to one of the listed OAuth clients.
 * For providers whose access tokens carry no `aud` (Cognito), this is what binds a token to the
 * application; elsewhere it narrows which clients may call.
 * @module
 */
import { TokenError } from '../errors.js';
import { clientIdOf } from './auth-info.js';

/**
 * Throws unless the token's client id (the claim `claim`, or by default `client_id`, else `azp`,
 * else `cid`, else `appid`) is a string in `allowed`. Nothing is checked when `allowed` is not given.
 *
 * @example
 * ```ts
 * assertClientId({ client_id: 'app-1' }, ['app-1'], 'client_id'); // passes
 * assertClientId({ client_id: 'app-2' }, ['app-1'], 'client_id'); // throws audience
 * ```
 * @throws {TokenError} `invalid_token` (`audience`: the token is not for this application)
 */
export function assertClientId(
  claims: Readonly<Record<string, unknown>>,
  allowed: readonly string[] | undefined,
  claim?: string,
): void {
  if (!allowed) return;
  const value =
    claim === undefined ? clientIdOf(claims) : Object.hasOwn(claims, claim) ? claims[claim] : undefined;
  if (typeof value !== 'string' || !allowed.includes(value))
    throw new TokenError('invalid_token', 'audience');
}
