/**
 * WorkOS AuthKit: a conforming authorization server at the AuthKit domain (RFC 8414 metadata
 * with PKCE, dynamic registration and client id metadata documents), issuing JWT access tokens.
 * Its `openid-configuration` omits those, so the preset discovers the OAuth document.
 * @module
 */
import { z } from 'zod';
import { audienceOf, domainParam, originOf, type PresetExpansion } from './expansion.js';

/** The parameters of `preset: { name: "workos", ... }`. */
export const workosParams = z
  .strictObject({
    name: z
      .literal('workos')
      .describe('WorkOS AuthKit: issuer `https://<domain>` (the AuthKit domain), JWT access tokens.'),
    domain: domainParam('The AuthKit domain, e.g. `acme-42.authkit.app`, or its custom domain.'),
    audience: z
      .string()
      .min(1)
      .describe('The `aud` AuthKit puts in access tokens. Default: the resource URL.')
      .optional(),
  })
  .describe('WorkOS AuthKit.');

/** `preset` parameters for WorkOS AuthKit. */
export type WorkosParams = z.output<typeof workosParams>;

/**
 * The manifest values a WorkOS preset stands for.
 *
 * @example
 * ```ts
 * expandWorkos({ name: 'workos', domain: 'acme-42.authkit.app' }).issuer; // { issuer: 'https://acme-42.authkit.app', type: 'oauth' }
 * ```
 */
export function expandWorkos(p: WorkosParams): PresetExpansion {
  return { issuer: { issuer: originOf(p.domain), type: 'oauth' }, token: { ...audienceOf(p.audience) } };
}
