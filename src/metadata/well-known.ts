/**
 * Well-known URL rules: where authorization-server metadata (RFC 8414, OpenID Connect Discovery)
 * and protected-resource metadata (RFC 9728) live.
 * @module
 */

/** How an issuer's metadata is found. */
export type DiscoveryType = 'oidc' | 'oauth' | 'auto';

const OAUTH_AS = '/.well-known/oauth-authorization-server';
const OIDC = '/.well-known/openid-configuration';
const PRM = '/.well-known/oauth-protected-resource';

/** The issuer's path without its trailing slash (`/` alone becomes empty). */
function issuerPath(issuer: URL): string {
  return issuer.pathname.replace(/\/+$/, '');
}

/**
 * The candidate metadata URLs for an issuer, in the order they are tried.
 *
 * - `oauth`: RFC 8414 §3.1 path insertion: `https://as.example/t1` → `https://as.example/.well-known/oauth-authorization-server/t1`.
 * - `oidc`: OpenID Connect Discovery §4 appended: `https://as.example/t1` → `https://as.example/t1/.well-known/openid-configuration`.
 * - `auto`: the MCP client order: OAuth path insertion, OIDC path insertion, OIDC appended
 *   (duplicates removed, e.g. for an issuer without a path).
 *
 * Every candidate stays on the issuer's origin.
 *
 * @example
 * ```ts
 * wellKnownUrls('https://as.example/tenant1', 'auto').map(String);
 * // [ 'https://as.example/.well-known/oauth-authorization-server/tenant1',
 * //   'https://as.example/.well-known/openid-configuration/tenant1',
 * //   'https://as.example/tenant1/.well-known/openid-configuration' ]
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.1
 */
export function wellKnownUrls(issuer: string | URL, type: DiscoveryType): URL[] {
  const base = new URL(issuer);
  const path = issuerPath(base);
  // Set the path on the origin rather than resolving it as a reference: an issuer path such as
  // `//other.example` would otherwise be read as a scheme-relative URL and leave the origin.
  const at = (pathname: string) => {
    const url = new URL(base.origin);
    url.pathname = pathname;
    return url;
  };
  const oauth = at(`${OAUTH_AS}${path}`);
  const oidcAppended = at(`${path}${OIDC}`);
  if (type === 'oauth') return [oauth];
  if (type === 'oidc') return [oidcAppended];
  const candidates = [oauth, at(`${OIDC}${path}`), oidcAppended];
  return candidates.filter((url, i) => candidates.findIndex((other) => other.href === url.href) === i);
}

/**
 * The path of a resource's Protected Resource Metadata: `/.well-known/oauth-protected-resource`
 * followed by the resource's path (a trailing slash dropped), per RFC 9728 §3.1.
 *
 * @example
 * ```ts
 * protectedResourceMetadataPath(new URL('https://api.example.com/notes')); // '/.well-known/oauth-protected-resource/notes'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.1
 */
export function protectedResourceMetadataPath(resource: URL): string {
  const path = issuerPath(resource);
  return `${PRM}${path}`;
}

/** The root Protected Resource Metadata path. */
export const PROTECTED_RESOURCE_METADATA_ROOT = PRM;
/** The RFC 8414 metadata path on an origin, used by the 2025-03-26 legacy mirror. */
export const AUTHORIZATION_SERVER_METADATA_ROOT = OAUTH_AS;
