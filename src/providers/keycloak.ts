/**
 * Keycloak realms (`<baseUrl>/realms/<realm>`). The resource appears in `aud` only when the
 * client scope has an Audience mapper; `azp` names the client; the payload `typ` is `Bearer` for
 * access tokens (`ID` for ID tokens); realm and client roles can count as scopes.
 * @module
 */
import { z } from 'zod';
import {
  audienceOf,
  baseUrlParam,
  clientIdList,
  clientIdsOf,
  trimSlashes,
  type PresetExpansion,
} from './expansion.js';

/** The parameters of `preset: { name: "keycloak", ... }`. */
export const keycloakParams = z
  .strictObject({
    name: z
      .literal('keycloak')
      .describe(
        'Keycloak realm: issuer `<baseUrl>/realms/<realm>`; the audience comes from an Audience mapper; `azp` is the client.',
      ),
    baseUrl: baseUrlParam(
      'The Keycloak server URL, e.g. `https://sso.example.com` (or `https://sso.example.com/auth` for Keycloak before 17).',
    ),
    realm: z.string().min(1).describe('The realm name.'),
    audience: z
      .string()
      .min(1)
      .describe(
        'The value the Audience mapper puts in `aud`. Default: the resource URL (an Audience mapper with "Included Custom Audience" = the MCP resource URL).',
      )
      .optional(),
    clientIds: clientIdList('Accept only tokens issued to these clients (the `azp` claim).').optional(),
    realmRoles: z
      .boolean()
      .describe('Realm roles (`realm_access.roles`) also grant scopes of the same names.')
      .optional(),
    clientRoles: z
      .string()
      .min(1)
      .describe(
        'The client id whose client roles (`resource_access.<client>.roles`) also grant scopes of the same names.',
      )
      .optional(),
  })
  .describe('Keycloak realm.');

/** `preset` parameters for Keycloak. */
export type KeycloakParams = z.output<typeof keycloakParams>;

/**
 * The manifest values a Keycloak preset stands for.
 *
 * @example
 * ```ts
 * expandKeycloak({ name: 'keycloak', baseUrl: 'https://sso.example.com', realm: 'acme' }).issuer.issuer;
 * // 'https://sso.example.com/realms/acme'
 * ```
 */
export function expandKeycloak(p: KeycloakParams): PresetExpansion {
  const roleClaims = [
    ...(p.realmRoles ? [['realm_access', 'roles']] : []),
    ...(p.clientRoles ? [['resource_access', p.clientRoles, 'roles']] : []),
  ];
  return {
    issuer: {
      issuer: `${trimSlashes(p.baseUrl)}/realms/${encodeURIComponent(p.realm)}`,
      type: 'oidc',
      // Keycloak marks its ID tokens `typ: "ID"`, its access tokens `typ: "Bearer"`.
      requireClaims: { typ: 'Bearer' },
    },
    token: {
      ...audienceOf(p.audience),
      ...clientIdsOf(p.clientIds, 'azp'),
      ...(roleClaims.length ? { roleClaims } : {}),
    },
  };
}
