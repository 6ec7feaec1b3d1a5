/**
 * Amazon Cognito user pools. Access tokens carry **no `aud`**: the app client is in `client_id`
 * and must be one of the allowed ones, and `token_use` must be `access` (an ID token, which does
 * carry `aud`, is refused).
 * @module
 */
import { z } from 'zod';
import { clientIdList, type PresetExpansion } from './expansion.js';

/** The parameters of `preset: { name: "cognito", ... }`. */
export const cognitoParams = z
  .strictObject({
    name: z
      .literal('cognito')
      .describe(
        'Amazon Cognito user pool: issuer `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`; access tokens have no `aud`, so `client_id` and `token_use` are checked.',
      ),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as "eu-west-1"')
      .describe('The AWS region of the user pool, e.g. `eu-west-1`.'),
    userPoolId: z
      .string()
      .regex(
        /^[a-z]{2}(-[a-z]+)+-\d_[A-Za-z0-9]+$/,
        'the user pool id from the Cognito console, e.g. "eu-west-1_AbCdEf123"',
      )
      .describe('The user pool id, e.g. `eu-west-1_AbCdEf123` (it starts with the region).'),
    clientIds: clientIdList(
      'The app client ids whose access tokens are accepted (App integration → App clients). Required: Cognito access tokens name no audience, so the client id is what binds a token to this API.',
    ),
  })
  .describe('Amazon Cognito user pool.');

/** `preset` parameters for Cognito. */
export type CognitoParams = z.output<typeof cognitoParams>;

/**
 * The manifest values a Cognito preset stands for.
 *
 * @example
 * ```ts
 * expandCognito({ name: 'cognito', region: 'eu-west-1', userPoolId: 'eu-west-1_AbC', clientIds: ['1example23456789'] });
 * ```
 */
export function expandCognito(p: CognitoParams): PresetExpansion {
  return {
    issuer: {
      issuer: `https://cognito-idp.${p.region}.amazonaws.com/${p.userPoolId}`,
      type: 'oidc',
      // Cognito accepts PKCE (S256) but does not advertise it; MCP clients refuse a server that does not.
      transpile: { code_challenge_methods_supported: ['S256'] },
      requireClaims: { token_use: 'access' },
    },
    token: {
      requireAudience: false,
      clientIdClaim: 'client_id',
      allowedClientIds: [...p.clientIds],
    },
  };
}
