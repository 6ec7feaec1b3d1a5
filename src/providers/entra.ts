/**
 * Microsoft Entra ID (v2.0 endpoint). Single tenant by directory GUID, or multi-tenant
 * (`organizations` / `common`), whose discovery document states the issuer as a
 * `{tenantid}` template: each token's `iss` must then be that template filled with the token's own
 * `tid`, and `tid` must be allowed.
 * @module
 */
import { z } from 'zod';
import { baseUrlParam, trimSlashes, type PresetExpansion } from './expansion.js';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const MULTI = ['organizations', 'common'] as const;

const guid = (description: string, what: string) =>
  z
    .string()
    .regex(GUID, `${what}: a GUID such as "72f988bf-86f1-41af-91ab-2d7cd011db47"`)
    .describe(description);

/** The parameters of `preset: { name: "entra", ... }`. */
export const entraParams = z
  .strictObject({
    name: z
      .literal('entra')
      .describe(
        'Microsoft Entra ID (Azure AD), v2.0 endpoint: JWT access tokens whose `aud` is `api://<clientId>` or `<clientId>`, scopes in `scp`, app roles in `roles`.',
      ),
    tenant: z
      .union([z.string().regex(GUID), z.enum(MULTI)], {
        error: () =>
          'the Directory (tenant) ID from the app registration\'s Overview page (a GUID), or "organizations" / "common" for a multi-tenant app (domain names are not accepted: tokens name the GUID)',
      })
      .describe(
        'The Directory (tenant) ID (GUID) of a single-tenant app, or `organizations` / `common` for a multi-tenant app (then list the accepted tenants in `allowedTenants`).',
      ),
    clientId: guid(
      "The Application (client) ID of the API's app registration (the app that exposes the scopes).",
      'clientId',
    ),
    allowedTenants: z
      .array(guid('A tenant GUID.', 'allowedTenants'))
      .min(1)
      .describe(
        'Multi-tenant apps: the tenant GUIDs whose users may call (the token `tid`). Required with `organizations` / `common` unless `anyTenant` is true.',
      )
      .optional(),
    anyTenant: z
      .boolean()
      .describe(
        'Multi-tenant apps: accept tokens of every Entra tenant. Anyone with an Entra tenant can then get a token for the API; `validate` warns every time.',
      )
      .optional(),
    acceptV1: z
      .boolean()
      .describe(
        "Also accept v1.0 access tokens (`iss` = `https://sts.windows.net/<tid>/`), issued when the API's manifest has `accessTokenAcceptedVersion` null or 1. Default: v2.0 tokens only.",
      )
      .optional(),
    authority: baseUrlParam(
      'The login host of the cloud. Default: `https://login.microsoftonline.com` (global); e.g. `https://login.microsoftonline.us` for US Government.',
    ).optional(),
    stsAuthority: baseUrlParam(
      'The host v1.0 tokens name as issuer. Default: `https://sts.windows.net`.',
    ).optional(),
  })
  .describe('Microsoft Entra ID (v2.0 endpoint).');

/** `preset` parameters for Entra ID. */
export type EntraParams = z.output<typeof entraParams>;

/**
 * The manifest values an Entra preset stands for.
 *
 * @example
 * ```ts
 * expandEntra({ name: 'entra', tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '6e74172b-be56-4843-9ff4-e66a39bb12e3' });
 * ```
 */
export function expandEntra(p: EntraParams): PresetExpansion {
  const authority = trimSlashes(p.authority ?? 'https://login.microsoftonline.com');
  const sts = trimSlashes(p.stsAuthority ?? 'https://sts.windows.net');
  const multi = (MULTI as readonly string[]).includes(p.tenant);
  const tenant = multi ? '{tenant}' : p.tenant;
  const tokenIssuers = [`${authority}/${tenant}/v2.0`, ...(p.acceptV1 ? [`${sts}/${tenant}/`] : [])];
  return {
    issuer: {
      wellKnownUrl: `${authority}/${p.tenant}/v2.0/.well-known/openid-configuration`,
      type: 'oidc',
      // Entra accepts PKCE (S256) but does not advertise it; MCP clients refuse a server that does not.
      transpile: { code_challenge_methods_supported: ['S256'] },
      tokenIssuers,
      tenants: multi
        ? {
            claim: 'tid',
            ...(p.allowedTenants ? { allowed: [...p.allowedTenants] } : {}),
            any: p.anyTenant === true,
          }
        : { claim: 'tid', allowed: [p.tenant], any: false },
      // An ID token for the API's own registration has `aud` = the client id too: only access
      // tokens name the client they were issued to (`azp` in v2.0, `appid` in v1.0).
      requireOneOfClaims: ['azp', 'appid'],
    },
    token: {
      audience: [`api://${p.clientId}`, p.clientId],
      scopeClaims: ['scp'],
      roleClaims: ['roles'],
    },
  };
}
