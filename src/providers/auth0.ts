/**
 * Auth0. The issuer is the tenant (or custom) domain **with** its trailing slash, compared
 * exactly; the audience is the API identifier; RBAC permissions (the `permissions` array) can
 * count as scopes.
 * @module
 */
import { z } from 'zod';
import { audienceOf, domainParam, originOf, type PresetExpansion } from './expansion.js';

/** The parameters of `preset: { name: "auth0", ... }`. */
export const auth0Params = z
  .strictObject({
    name: z
      .literal('auth0')
      .describe(
        'Auth0: issuer `https://<domain>/` (trailing slash kept), JWT access tokens for an API whose identifier is the audience.',
      ),
    domain: domainParam(
      'The tenant domain (`acme.us.auth0.com`) or the custom domain tokens are issued under.',
    ),
    audience: z
      .string()
      .min(1)
      .describe(
        "The API's Identifier (Applications → APIs). Default: the resource URL, which is what MCP clients ask for, so create the API with the MCP resource URL as its identifier.",
      )
      .optional(),
    permissions: z
      .boolean()
      .describe(
        'RBAC is enabled with "Add Permissions in the Access Token": the `permissions` array also grants scopes.',
      )
      .optional(),
  })
  .describe('Auth0.');

/** `preset` parameters for Auth0. */
export type Auth0Params = z.output<typeof auth0Params>;

/**
 * The manifest values an Auth0 preset stands for.
 *
 * @example
 * ```ts
 * expandAuth0({ name: 'auth0', domain: 'acme.us.auth0.com' }).issuer.issuer; // 'https://acme.us.auth0.com/'
 * ```
 */
export function expandAuth0(p: Auth0Params): PresetExpansion {
  return {
    issuer: { issuer: `${originOf(p.domain)}/`, type: 'oidc' },
    token: { ...audienceOf(p.audience), ...(p.permissions ? { scopeClaims: ['scope', 'permissions'] } : {}) },
  };
}
