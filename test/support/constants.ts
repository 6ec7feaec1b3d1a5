/**
 * The names the tests share: the protected resource, its metadata URL, an issuer that is never
 * dialled, and the well-known paths the loopback issuers serve.
 */

/** The MCP resource the tests protect. Requests go to its path, `/mcp`; nothing dials its host. */
export const RESOURCE = 'https://mcp.example.com/mcp';

/** The RFC 9728 metadata URL of {@link RESOURCE}. */
export const PRM = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

/** An issuer whose keys are given inline or from a loopback JWKS (never discovered). */
export const ISSUER = 'https://issuer.example.com';

/** RFC 8414 authorization-server metadata at the root of an issuer without a path. */
export const OAUTH_METADATA_PATH = '/.well-known/oauth-authorization-server';

/** OpenID Connect Discovery 1.0 metadata at the root of an issuer without a path. */
export const OIDC_METADATA_PATH = '/.well-known/openid-configuration';

/** Where the loopback issuers publish their key set. */
export const JWKS_PATH = '/jwks';
