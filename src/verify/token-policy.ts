/**
 * The token-policy checks that come after the token itself was verified (signature, issuer,
 * times, audience): required claim values, then the client the token was issued to.
 * @module
 */
import type { AuthInfo } from './auth-info.js';
import { assertClientId } from './client-id.js';
import { assertOneOfClaims, assertRequiredClaims, type RequiredClaimValue } from './require-claims.js';

/** The compiled `token.requireClaims`, `requireOneOfClaims`, `clientIdClaim` and `allowedClientIds`. */
export interface ClaimPolicy {
  readonly requireClaims?: Readonly<Record<string, RequiredClaimValue>> | undefined;
  readonly requireOneOfClaims?: readonly string[] | undefined;
  readonly clientIdClaim?: string | undefined;
  readonly allowedClientIds?: readonly string[] | undefined;
}

/**
 * Applies a {@link ClaimPolicy} to a verified identity.
 *
 * @example
 * ```ts
 * assertClaimPolicy(info, { requireClaims: { token_use: 'access' }, allowedClientIds: ['app-1'] });
 * ```
 * @throws {TokenError} `invalid_token` (`invalid_claims` or `audience`)
 */
export function assertClaimPolicy(info: Pick<AuthInfo, 'claims'>, policy: ClaimPolicy | undefined): void {
  if (!policy) return;
  assertRequiredClaims(info.claims, policy.requireClaims);
  assertOneOfClaims(info.claims, policy.requireOneOfClaims);
  assertClientId(info.claims, policy.allowedClientIds, policy.clientIdClaim);
}
