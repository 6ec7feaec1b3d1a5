/**
 * How the caller's verified identity travels to the upstream: four request headers set by the
 * gateway from the {@link AuthInfo}, after every incoming `X-MCP-*` header has been removed, so an
 * upstream can trust them exactly as far as it trusts the network path from the gateway.
 *
 * | header | value |
 * |---|---|
 * | `X-MCP-Subject` | the token's `sub` (absent when the token has none) |
 * | `X-MCP-Client-Id` | `client_id` / `azp` / `cid` (absent when empty) |
 * | `X-MCP-Scopes` | the granted scopes, hierarchy applied, space-separated |
 * | `X-MCP-Issuer` | the exact `iss` |
 *
 * Values are percent-encoded where HTTP could not carry them: `%`, control characters and
 * anything outside printable ASCII become UTF-8 `%XX`, so `decodeURIComponent(value)` always
 * gives the original back and a plain value (`user-1`, `auth0|42`) reads as itself.
 * @module
 */
import type { AuthInfo } from '../verify/auth-info.js';

/** The prefix of every identity header; incoming headers with it are always dropped. */
export const IDENTITY_HEADER_PREFIX = 'x-mcp-';

/**
 * A header value that HTTP can carry and that `decodeURIComponent` maps back to `value`.
 *
 * @example
 * ```ts
 * encodeIdentityValue('José 100%'); // 'Jos%C3%A9 100%25'
 * ```
 */
export function encodeIdentityValue(value: string): string {
  return value.replace(/[^\x20-\x24\x26-\x7e]/gu, encodeChar).replace(/^ | $/g, '%20');
}

/** One character as UTF-8 escapes; a lone surrogate (not encodable) as U+FFFD. */
function encodeChar(c: string): string {
  try {
    return encodeURIComponent(c);
  } catch {
    return '%EF%BF%BD';
  }
}

/**
 * The identity headers for a verified request.
 *
 * @example
 * ```ts
 * identityHeaders(authInfo); // { 'x-mcp-subject': 'user-1', 'x-mcp-client-id': 'app', 'x-mcp-scopes': 'read', 'x-mcp-issuer': 'https://as.example' }
 * ```
 */
export function identityHeaders(auth: AuthInfo): Record<string, string> {
  const headers: Record<string, string> = {
    'x-mcp-scopes': encodeIdentityValue(auth.scopes.join(' ')),
    'x-mcp-issuer': encodeIdentityValue(auth.issuer),
  };
  if (auth.subject) headers['x-mcp-subject'] = encodeIdentityValue(auth.subject);
  if (auth.clientId) headers['x-mcp-client-id'] = encodeIdentityValue(auth.clientId);
  return headers;
}
