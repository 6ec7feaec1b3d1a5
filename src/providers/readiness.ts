/**
 * Readiness per preset for `mcp-auth check`: what MCP clients will run into with each provider,
 * and what to set on the provider side. Each finding has a stable code; the message says what to
 * do. None of these can be seen in the provider's metadata, which is why they come from the preset.
 * @module
 */
import type { IssuerEntry } from '../manifest/schema.js';
import type { ReadinessCode, ReadinessFinding } from '../metadata/authorization-server.js';

const finding = (code: ReadinessCode, message: string): ReadinessFinding => ({
  severity: 'warning',
  code,
  message,
});

const NO_DCR = (provider: string) =>
  finding(
    'no_dynamic_registration',
    `${provider} has no dynamic client registration: register each MCP client at the provider and give it its client id (clients that can only register dynamically cannot connect)`,
  );
const PKCE_PATCHED = (provider: string) =>
  finding(
    'pkce_patched',
    `${provider} accepts PKCE (S256) without advertising it; the preset adds code_challenge_methods_supported to the metadata so MCP clients proceed`,
  );
const REMOTE = finding(
  'opaque_tokens_remote',
  "tokens are opaque: each new token costs one call to the provider's endpoint (then cached until it expires, within settings.cache)",
);

/**
 * The readiness findings of an issuer's preset (none without a preset).
 *
 * @example
 * ```ts
 * presetReadiness(manifest.issuers.entra).map((f) => f.code); // ['entra_resource_parameter', 'no_dynamic_registration', ...]
 * ```
 */
export function presetReadiness(entry: IssuerEntry): ReadinessFinding[] {
  const preset = entry.preset;
  if (!preset) return [];
  switch (preset.name) {
    case 'entra':
      return [
        finding(
          'entra_resource_parameter',
          'Entra refuses the RFC 8707 "resource" parameter next to v2.0 scopes (AADSTS9010010): clients must request scopes as api://<clientId>/<scope> and send no "resource"',
        ),
        NO_DCR('Entra ID'),
        PKCE_PATCHED('Entra ID'),
        ...(['organizations', 'common'].includes(preset.tenant)
          ? [
              finding(
                'entra_template_issuer',
                'the multi-tenant metadata states its issuer as the {tenantid} template: clients that compare it with the discovery URL (RFC 8414 §3.3) give up; a single-tenant registration avoids it',
              ),
            ]
          : []),
        finding(
          'entra_token_version',
          `tokens are verified as ${preset.acceptV1 ? 'v1.0 or v2.0' : 'v2.0'}: set "accessTokenAcceptedVersion": 2 in the API app's manifest so Entra issues v2.0 access tokens`,
        ),
      ];
    case 'auth0':
      return [
        finding(
          'auth0_resource_parameter',
          'enable "Resource Parameter Compatibility Profile" (Tenant Settings → Advanced) so the "resource" MCP clients send selects the API; otherwise Auth0 issues tokens without this audience',
        ),
        finding(
          'auth0_api_identifier',
          `create an API whose Identifier is ${preset.audience ? `"${preset.audience}"` : 'the MCP resource URL'}; tokens name it as audience`,
        ),
        finding(
          'auth0_dynamic_registration',
          'Auth0 advertises registration_endpoint even when Dynamic Client Registration is off (it then answers 403): enable it in Tenant Settings → Advanced and promote the login connections to domain level',
        ),
      ];
    case 'okta':
      return [
        finding(
          'okta_org_authorization_server',
          "tokens of the org authorization server (issuer https://<domain>) are for Okta's own APIs and cannot be verified locally: clients must use this custom authorization server",
        ),
        finding(
          'okta_registration_needs_api_token',
          'the advertised registration endpoint is the org-level /oauth2/v1/clients, which needs an API token: register MCP clients in the Okta admin console',
        ),
      ];
    case 'cognito':
      return [
        NO_DCR('Cognito'),
        PKCE_PATCHED('Cognito'),
        finding(
          'cognito_no_audience',
          'Cognito access tokens carry no aud: the app client ids in the preset are what bind tokens to this API; list exactly the app clients of MCP clients',
        ),
      ];
    case 'keycloak':
      return [
        finding(
          'keycloak_audience_mapper',
          `add an Audience mapper ("Included Custom Audience" = ${preset.audience ? `"${preset.audience}"` : 'the MCP resource URL'}) to a client scope the MCP clients get; without it tokens name only "account" and are refused`,
        ),
        finding(
          'keycloak_registration_policy',
          "anonymous dynamic registration depends on the realm's client registration policies (Trusted Hosts): allow the MCP clients' hosts or pre-register them",
        ),
      ];
    case 'google':
      return [NO_DCR('Google'), REMOTE];
    case 'github':
      return [
        NO_DCR('GitHub'),
        finding(
          'github_no_audience',
          'GitHub tokens name no audience and GET /user names no client: a token any GitHub app got for the user is accepted',
        ),
        REMOTE,
      ];
    case 'workos':
      return [
        finding(
          'workos_oauth_document',
          "AuthKit's openid-configuration omits PKCE, registration and client id metadata documents; the preset discovers its oauth-authorization-server document, which has them. Enable dynamic registration or CIMD in the WorkOS dashboard",
        ),
      ];
    case 'logto':
      return [
        finding(
          'logto_api_resource',
          `create an API resource whose indicator is ${preset.audience ? `"${preset.audience}"` : 'the MCP resource URL'}, so tokens name it as audience`,
        ),
      ];
  }
}
