/**
 * `token.requireClaims`: claims a token must carry with exactly the given value, e.g.
 * `{ "token_use": "access" }` so a Cognito ID token is refused where an access token is expected;
 * `token.requireOneOfClaims`: claims of which it must carry one, e.g. Entra's `azp` / `appid`.
 * @module
 */
import { TokenError } from '../errors.js';

/** A claim value `token.requireClaims` can demand. */
export type RequiredClaimValue = string | number | boolean;

/**
 * Throws unless every named claim is an own claim whose value is identical (`===`) to the one
 * required. Objects and arrays are never equal to a required value.
 *
 * @example
 * ```ts
 * assertRequiredClaims({ token_use: 'access' }, { token_use: 'access' }); // passes
 * assertRequiredClaims({ token_use: 'id' }, { token_use: 'access' });     // throws invalid_claims
 * ```
 * @throws {TokenError} `invalid_token` (`invalid_claims`)
 */
export function assertRequiredClaims(
  claims: Readonly<Record<string, unknown>>,
  required: Readonly<Record<string, RequiredClaimValue>> | undefined,
): void {
  if (!required) return;
  for (const [name, value] of Object.entries(required)) {
    if (!Object.hasOwn(claims, name) || claims[name] !== value)
      throw new TokenError('invalid_token', 'invalid_claims');
  }
}

/**
 * Throws unless at least one of `names` is an own claim (any value but `null`). No names: passes.
 *
 * @example
 * ```ts
 * assertOneOfClaims({ azp: 'client-1' }, ['azp', 'appid']); // passes
 * assertOneOfClaims({ nonce: 'n' }, ['azp', 'appid']);      // throws invalid_claims (an Entra ID token)
 * ```
 * @throws {TokenError} `invalid_token` (`invalid_claims`)
 */
export function assertOneOfClaims(
  claims: Readonly<Record<string, unknown>>,
  names: readonly string[] | undefined,
): void {
  if (!names?.length) return;
  for (const name of names) if (Object.hasOwn(claims, name) && claims[name] !== null) return;
  throw new TokenError('invalid_token', 'invalid_claims');
}
