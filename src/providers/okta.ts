/**
 * Okta custom authorization servers (`https://<domain>/oauth2/<id>`): JWT access tokens with the
 * scopes in the `scp` array and the client in `cid`. Tokens of the org authorization server
 * (issuer `https://<domain>`) are meant for Okta's own APIs and cannot be verified locally.
 * @module
 */
import { z } from 'zod';
import {
  audienceOf,
  clientIdList,
  clientIdsOf,
  domainParam,
  originOf,
  type PresetExpansion,
} from './expansion.js';

/** The parameters of `preset: { name: "okta", ... }`. */
export const oktaParams = z
  .strictObject({
    name: z
      .literal('okta')
      .describe(
        'Okta, custom authorization server: issuer `https://<domain>/oauth2/<id>`, scopes in `scp`, client in `cid`.',
      ),
    domain: domainParam('The Okta org domain (`acme.okta.com`) or its custom domain.'),
    authorizationServerId: z
      .string()
      .regex(
        /^[A-Za-z0-9]+$/,
        'the id from Security → API → Authorization Servers, e.g. "default" or "aus1a2b3c4"',
      )
      .describe(
        'The custom authorization server id (Security → API → Authorization Servers). Default: `default`.',
      )
      .optional(),
    audience: z
      .string()
      .min(1)
      .describe(
        "The authorization server's Audience setting. Default: the resource URL (set the authorization server's audience to the MCP resource URL).",
      )
      .optional(),
    clientIds: clientIdList('Accept only tokens issued to these client ids (the `cid` claim).').optional(),
  })
  .describe('Okta (custom authorization server).');

/** `preset` parameters for Okta. */
export type OktaParams = z.output<typeof oktaParams>;

/**
 * The manifest values an Okta preset stands for.
 *
 * @example
 * ```ts
 * expandOkta({ name: 'okta', domain: 'acme.okta.com' }).issuer.issuer; // 'https://acme.okta.com/oauth2/default'
 * ```
 */
export function expandOkta(p: OktaParams): PresetExpansion {
  return {
    issuer: { issuer: `${originOf(p.domain)}/oauth2/${p.authorizationServerId ?? 'default'}`, type: 'oidc' },
    token: { ...audienceOf(p.audience), scopeClaims: ['scp'], ...clientIdsOf(p.clientIds, 'cid') },
  };
}
