/**
 * Google. Access tokens are opaque: each is validated once at Google's tokeninfo endpoint, whose
 * answer names the OAuth client in `aud` and `azp` and the remaining lifetime in `expires_in`.
 * @module
 */
import { z } from 'zod';
import { baseUrlParam, clientIdList, type PresetExpansion } from './expansion.js';

/** The parameters of `preset: { name: "google", ... }`. */
export const googleParams = z
  .strictObject({
    name: z
      .literal('google')
      .describe(
        "Google: opaque access tokens validated at the tokeninfo endpoint; the answer's `aud`/`azp` must be one of your OAuth client ids.",
      ),
    clientIds: clientIdList(
      'The OAuth client ids (`…apps.googleusercontent.com`) whose tokens are accepted: Google → APIs & Services → Credentials.',
    ),
    tokenInfoUrl: baseUrlParam(
      'The tokeninfo endpoint. Default: `https://oauth2.googleapis.com/tokeninfo`.',
    ).optional(),
  })
  .describe('Google (opaque access tokens, checked at tokeninfo).');

/** `preset` parameters for Google. */
export type GoogleParams = z.output<typeof googleParams>;

/**
 * The manifest values a Google preset stands for.
 *
 * @example
 * ```ts
 * expandGoogle({ name: 'google', clientIds: ['123-abc.apps.googleusercontent.com'] }).token.format; // 'tokeninfo'
 * ```
 */
export function expandGoogle(p: GoogleParams): PresetExpansion {
  return {
    issuer: {
      issuer: 'https://accounts.google.com',
      type: 'oidc',
      tokenInfo: { endpoint: p.tokenInfoUrl ?? 'https://oauth2.googleapis.com/tokeninfo', send: 'form' },
    },
    token: {
      format: 'tokeninfo',
      audience: [...p.clientIds],
      clientIdClaim: 'azp',
      allowedClientIds: [...p.clientIds],
    },
  };
}
