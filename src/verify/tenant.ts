/**
 * `issuers.<id>.tenants`: which tenants of a multi-tenant issuer (Entra `common` /
 * `organizations`) are accepted. The tenant a token names (its `tid`, or the configured claim) must
 * be the one its `iss` was issued under, and in the allow-list unless any tenant is allowed.
 * @module
 */
import { TokenError } from '../errors.js';

/** The compiled tenant rule of an issuer. */
export interface TenantRule {
  /** The claim naming the tenant, e.g. `tid`. */
  readonly claim: string;
  /** Accepted tenants; ignored when `any`. */
  readonly allowed: readonly string[];
  /** Every tenant is accepted (a `validate` warning says so). */
  readonly any: boolean;
}

/**
 * Throws unless the token's tenant claim is a string equal to `issuedUnder` (the tenant its `iss`
 * names, when `iss` matched a `{tenant}` template) and accepted by the rule.
 *
 * @example
 * ```ts
 * assertTenant({ tid: 'a1' }, 'a1', { claim: 'tid', allowed: ['a1'], any: false }); // passes
 * assertTenant({ tid: 'b2' }, 'b2', { claim: 'tid', allowed: ['a1'], any: false }); // throws unknown_issuer
 * ```
 * @throws {TokenError} `invalid_token`: `invalid_claims` (no tenant, or not the one of `iss`), `unknown_issuer` (tenant not allowed)
 */
export function assertTenant(
  claims: Readonly<Record<string, unknown>>,
  issuedUnder: string | undefined,
  rule: TenantRule,
): void {
  const tenant = Object.hasOwn(claims, rule.claim) ? claims[rule.claim] : undefined;
  if (typeof tenant !== 'string' || (issuedUnder !== undefined && tenant !== issuedUnder))
    throw new TokenError('invalid_token', 'invalid_claims');
  if (!rule.any && !rule.allowed.includes(tenant)) throw new TokenError('invalid_token', 'unknown_issuer');
}
