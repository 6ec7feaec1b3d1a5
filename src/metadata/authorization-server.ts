/**
 * Validation of authorization-server metadata (RFC 8414 §2, OpenID Connect Discovery §3) and the
 * MCP readiness findings derived from it.
 * @module
 */
import { DiscoveryError } from '../errors.js';
import { insecureUrlReason, isLoopbackHost, tryParseUrl } from '../lib/url.js';
import { CHECKED_ARRAY_FIELDS, CHECKED_URL_FIELDS, type WireFields } from './authorization-server-fields.js';

/** Authorization-server metadata in its wire (snake_case) form. Unknown fields are kept. */
export interface AuthorizationServerMetadata extends WireFields<
  | 'issuer'
  | 'authorization_endpoint'
  | 'token_endpoint'
  | 'jwks_uri'
  | 'registration_endpoint'
  | 'introspection_endpoint'
  | 'scopes_supported'
  | 'response_types_supported'
  | 'grant_types_supported'
  | 'code_challenge_methods_supported'
  | 'client_id_metadata_document_supported'
> {
  readonly [field: string]: unknown;
}

/** Every code a {@link ReadinessFinding} can carry. */
export type ReadinessCode = (typeof READINESS_CODES)[number];

/** The {@link ReadinessCode}s, frozen. */
export const READINESS_CODES = Object.freeze([
  // any authorization server
  'no_authorization_code_grant',
  'no_authorization_endpoint',
  'no_client_registration',
  'no_code_response_type',
  'no_dynamic_registration',
  'no_jwks_uri',
  'no_s256',
  'no_token_endpoint',
  'opaque_tokens_remote',
  'pkce_not_advertised',
  'pkce_patched',
  'response_types_missing',
  // per provider preset (providers/readiness.ts)
  'auth0_api_identifier',
  'auth0_dynamic_registration',
  'auth0_resource_parameter',
  'cognito_no_audience',
  'entra_resource_parameter',
  'entra_template_issuer',
  'entra_token_version',
  'github_no_audience',
  'keycloak_audience_mapper',
  'keycloak_registration_policy',
  'logto_api_resource',
  'okta_org_authorization_server',
  'okta_registration_needs_api_token',
  'workos_oauth_document',
] as const);

/** One MCP readiness finding about an issuer; reported, never thrown. */
export interface ReadinessFinding {
  /** `error`: MCP clients cannot use this issuer as it is. `warning`: they may, with care. */
  readonly severity: 'error' | 'warning';
  /** A stable code, e.g. `pkce_not_advertised`. */
  readonly code: ReadinessCode;
  readonly message: string;
}

/**
 * Validates a raw metadata document. Checks: it is an object; `issuer` is a string **identical**
 * to `expectedIssuer` when one is given (RFC 8414 §3.3, no normalisation: a trailing slash
 * matters); the known endpoints (`CHECKED_URL_FIELDS`: `authorization_endpoint`, `jwks_uri`, ...)
 * are absolute https (or loopback http) URLs; the known `*_supported` fields
 * (`CHECKED_ARRAY_FIELDS`) are string arrays. Does NOT check: endpoints it never calls for being
 * reachable; `id_token_signing_alg_values_supported`, `subject_types_supported`,
 * `service_documentation` and unknown fields (kept as received).
 *
 * @example
 * ```ts
 * const metadata = validateAuthorizationServerMetadata(json, { expectedIssuer: 'https://as.example' });
 * ```
 * @throws {DiscoveryError} `issuer_mismatch` or `invalid_metadata`
 */
export function validateAuthorizationServerMetadata(
  raw: unknown,
  options: {
    expectedIssuer?: string | undefined;
    url?: string | undefined;
    issuerId?: string | undefined;
  } = {},
): AuthorizationServerMetadata {
  const where = `${options.issuerId ? ` of issuer "${options.issuerId}"` : ''}${options.url ? ` from ${options.url}` : ''}`;
  const details = {
    ...(options.url ? { url: options.url } : {}),
    ...(options.issuerId ? { issuerId: options.issuerId } : {}),
  };
  const invalid = (why: string) =>
    new DiscoveryError('invalid_metadata', `metadata${where} is invalid: ${why}`, details);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('not a JSON object');
  const doc = raw as Record<string, unknown>;
  if (typeof doc.issuer !== 'string' || doc.issuer === '') throw invalid('"issuer" is missing');
  if (options.expectedIssuer !== undefined && doc.issuer !== options.expectedIssuer) {
    throw new DiscoveryError(
      'issuer_mismatch',
      `metadata${where} names another issuer than the configured "${options.expectedIssuer}"; they must be identical (RFC 8414 §3.3)`,
      details,
    );
  }
  for (const field of CHECKED_URL_FIELDS) {
    const value = doc[field];
    if (value === undefined) continue;
    const url = typeof value === 'string' ? tryParseUrl(value) : undefined;
    if (!url) throw invalid(`"${field}" is not an absolute URL`);
    if (insecureUrlReason(url)) throw invalid(`"${field}" is not https`);
  }
  for (const field of CHECKED_ARRAY_FIELDS) {
    const value = doc[field];
    if (value !== undefined && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      throw invalid(`"${field}" is not an array of strings`);
    }
  }
  return doc as AuthorizationServerMetadata;
}

/**
 * Refuses validated metadata fetched from a host other than loopback when one of its endpoints
 * (`CHECKED_URL_FIELDS`) is plain http (which validation allows only to loopback) on a port of
 * this host that the fetched document named in plain http: a remote issuer never points this
 * process at a plain-http service on its own host. The manifest's transpile hook may point an
 * endpoint at a local service of its own (another port), or repair one to https; a hook that
 * only edits the path or query, or respells the loopback host, changes nothing.
 *
 * @example
 * ```ts
 * refuseLocalHttpFromRemote(metadata, fetchedEndpoints(json), 'https://as.example/.well-known/oauth-authorization-server', 'main');
 * ```
 * @throws {DiscoveryError} `invalid_metadata`
 */
export function refuseLocalHttpFromRemote(
  metadata: AuthorizationServerMetadata,
  fetched: Readonly<Record<string, unknown>>,
  url: string,
  issuerId?: string,
): void {
  const source = tryParseUrl(url);
  if (!source || isLoopbackHost(source.hostname)) return;
  const named = new Set(
    Object.values(fetched)
      .map(plainHttpOrigin)
      .filter((o) => o !== undefined),
  );
  for (const field of CHECKED_URL_FIELDS) {
    const origin = plainHttpOrigin(metadata[field]);
    if (origin === undefined || !named.has(origin)) continue;
    throw new DiscoveryError(
      'invalid_metadata',
      `metadata${issuerId ? ` of issuer "${issuerId}"` : ''} from ${url} is invalid: "${field}" is plain http to loopback, named by a document from another host`,
      { url, ...(issuerId ? { issuerId } : {}) },
    );
  }
}

/**
 * Where a plain-http URL points, else `undefined`: its origin, with every loopback spelling as
 * one host (`localhost`, 127/8, `[::1]` are the same service to this process), so a hook that
 * only respells the host (`localhost` → `127.0.0.1`) changes nothing.
 */
function plainHttpOrigin(value: unknown): string | undefined {
  const url = typeof value === 'string' ? tryParseUrl(value) : undefined;
  if (url?.protocol !== 'http:') return undefined;
  return isLoopbackHost(url.hostname) ? `http://loopback:${url.port || '80'}` : url.origin;
}

/**
 * The endpoint values (`CHECKED_URL_FIELDS`) of a document as fetched, kept before a transpile
 * hook may change the document, for {@link refuseLocalHttpFromRemote}.
 *
 * @example
 * ```ts
 * const fetched = fetchedEndpoints(json);
 * ```
 */
export function fetchedEndpoints(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(CHECKED_URL_FIELDS.map((field) => [field, raw[field]]));
}

/**
 * What MCP clients need from an authorization server, as findings (never thrown): the `code`
 * response type, the `authorization_code` grant (absent `grant_types_supported` means the
 * RFC 8414 default, which includes it), PKCE `S256`, a way to register (Dynamic Client
 * Registration or Client ID Metadata Documents) and a `jwks_uri` for local JWT verification.
 *
 * @example
 * ```ts
 * for (const f of mcpReadiness(metadata)) console.log(f.severity, f.code, f.message);
 * ```
 */
export function mcpReadiness(metadata: AuthorizationServerMetadata): ReadinessFinding[] {
  const findings: ReadinessFinding[] = [];
  const add = (severity: ReadinessFinding['severity'], code: ReadinessCode, message: string) =>
    findings.push({ severity, code, message });
  const responseTypes = metadata.response_types_supported;
  if (!responseTypes)
    add(
      'warning',
      'response_types_missing',
      '"response_types_supported" is missing (required by RFC 8414); MCP clients need "code"',
    );
  else if (!responseTypes.includes('code'))
    add('error', 'no_code_response_type', '"response_types_supported" lacks "code", which MCP clients use');
  const grants = metadata.grant_types_supported;
  if (grants && !grants.includes('authorization_code')) {
    add('error', 'no_authorization_code_grant', '"grant_types_supported" lacks "authorization_code"');
  }
  if (!metadata.authorization_endpoint)
    add('error', 'no_authorization_endpoint', 'no "authorization_endpoint"');
  if (!metadata.token_endpoint) add('error', 'no_token_endpoint', 'no "token_endpoint"');
  const pkce = metadata.code_challenge_methods_supported;
  if (!pkce) {
    add(
      'warning',
      'pkce_not_advertised',
      '"code_challenge_methods_supported" is absent, so MCP clients will refuse this server; some providers (Entra ID, Cognito) accept PKCE without advertising it: add `"transpile": { "code_challenge_methods_supported": ["S256"] }` if yours does',
    );
  } else if (!pkce.includes('S256')) {
    add('error', 'no_s256', '"code_challenge_methods_supported" lacks "S256", which MCP clients require');
  }
  if (!metadata.registration_endpoint && metadata.client_id_metadata_document_supported !== true) {
    add(
      'warning',
      'no_client_registration',
      'neither "registration_endpoint" nor "client_id_metadata_document_supported": MCP clients need a pre-registered client id',
    );
  }
  if (!metadata.jwks_uri)
    add(
      'warning',
      'no_jwks_uri',
      'no "jwks_uri": JWT access tokens cannot be verified locally (give issuers.<id>.jwks, or use introspection)',
    );
  return findings;
}
