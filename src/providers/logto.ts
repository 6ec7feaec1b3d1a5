/**
 * Logto (Cloud or self-hosted): issuer `<endpoint>/oidc`, JWT access tokens for API resources
 * (RFC 8707 resource indicators), scopes in `scope`, the client in `client_id`.
 * @module
 */
import { z } from 'zod';
import { audienceOf, domainParam, originOf, type PresetExpansion } from './expansion.js';

/** The parameters of `preset: { name: "logto", ... }`. */
export const logtoParams = z
  .strictObject({
    name: z
      .literal('logto')
      .describe(
        'Logto: issuer `https://<endpoint>/oidc`, JWT access tokens whose `aud` is the API resource indicator.',
      ),
    endpoint: domainParam(
      'The Logto endpoint: `<tenant-id>.logto.app`, a custom domain, or a self-hosted origin.',
    ),
    audience: z
      .string()
      .min(1)
      .describe(
        'The API resource indicator. Default: the resource URL (create the API resource with the MCP resource URL).',
      )
      .optional(),
  })
  .describe('Logto.');

/** `preset` parameters for Logto. */
export type LogtoParams = z.output<typeof logtoParams>;

/**
 * The manifest values a Logto preset stands for.
 *
 * @example
 * ```ts
 * expandLogto({ name: 'logto', endpoint: 'abc123.logto.app' }).issuer.issuer; // 'https://abc123.logto.app/oidc'
 * ```
 */
export function expandLogto(p: LogtoParams): PresetExpansion {
  return {
    issuer: { issuer: `${originOf(p.endpoint)}/oidc`, type: 'oidc' },
    // Logto signs with an EC P-384 key by default (ES384); RSA keys can be chosen in the console.
    token: { ...audienceOf(p.audience), algorithms: ['ES384', 'RS256'] },
  };
}
