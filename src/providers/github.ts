/**
 * GitHub (OAuth apps and GitHub Apps, github.com or GitHub Enterprise Server). Tokens are opaque
 * and validated with `GET /user`; they name **no audience** and `/user` names no client, so any
 * GitHub token of any app is accepted: the preset requires saying so, and `validate` warns.
 * @module
 */
import { z } from 'zod';
import { baseUrlParam, trimSlashes, type PresetExpansion } from './expansion.js';

/** The parameters of `preset: { name: "github", ... }`. */
export const githubParams = z
  .strictObject({
    name: z
      .literal('github')
      .describe(
        'GitHub: opaque tokens validated with `GET /user`. GitHub tokens have no audience: a token issued to any GitHub app is accepted.',
      ),
    acknowledgeNoAudience: z
      .literal(true, {
        error: () =>
          'set "acknowledgeNoAudience": true: GitHub tokens name no audience, so this server accepts a GitHub token issued to any application (see docs/providers.md#github)',
      })
      .describe(
        'Required, `true`: you accept that GitHub tokens carry no audience, so a token any GitHub app obtained for a user is accepted here.',
      ),
    enterpriseHost: z
      .string()
      .regex(
        /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/,
        'the GitHub Enterprise Server host name, e.g. "github.acme.com"',
      )
      .describe('GitHub Enterprise Server: its host name. The API is then `https://<host>/api/v3`.')
      .optional(),
    apiUrl: baseUrlParam(
      'The REST API base URL. Default: `https://api.github.com`, or `https://<enterpriseHost>/api/v3`.',
    ).optional(),
  })
  .describe('GitHub (opaque tokens, checked with GET /user).');

/** `preset` parameters for GitHub. */
export type GithubParams = z.output<typeof githubParams>;

/**
 * The manifest values a GitHub preset stands for.
 *
 * @example
 * ```ts
 * expandGithub({ name: 'github', acknowledgeNoAudience: true }).issuer.tokenInfo; // { endpoint: 'https://api.github.com/user', ... }
 * ```
 */
export function expandGithub(p: GithubParams): PresetExpansion {
  const host = p.enterpriseHost;
  const api = trimSlashes(p.apiUrl ?? (host ? `https://${host}/api/v3` : 'https://api.github.com'));
  const tokenInfo = { endpoint: `${api}/user`, send: 'bearer', subjectMember: 'id' };
  const source = host
    ? {
        metadata: {
          issuer: `https://${host}/login/oauth`,
          authorizationEndpoint: `https://${host}/login/oauth/authorize`,
          tokenEndpoint: `https://${host}/login/oauth/access_token`,
          responseTypesSupported: ['code'],
          grantTypesSupported: ['authorization_code', 'refresh_token'],
          codeChallengeMethodsSupported: ['S256'],
        },
      }
    : { issuer: 'https://github.com/login/oauth', type: 'oauth' };
  return {
    issuer: { ...source, tokenInfo },
    token: { format: 'tokeninfo', requireAudience: false },
  };
}
