/**
 * One error tree for the whole library. Every error carries a stable string `code` that callers
 * can `switch` on; messages say what was wrong and what to do, and never carry a token, a secret
 * or text received from an upstream server.
 *
 * @example
 * ```ts
 * try {
 *   await compile('./mcp-auth.config.json');
 * } catch (err) {
 *   if (err instanceof ManifestError) console.error(err.format());
 *   else if (err instanceof DiscoveryError && err.code === 'timeout') retryLater();
 *   else throw err;
 * }
 * ```
 * @module
 */

/** Every code an {@link McpAuthError} can carry. */
export type McpAuthErrorCode =
  | ManifestErrorCode
  | DiscoveryErrorCode
  | TokenErrorCode
  | DownstreamErrorCode
  | StoreErrorCode
  | 'invalid_option';

/**
 * Base class of every error this library throws.
 *
 * @example
 * ```ts
 * if (err instanceof McpAuthError) log.warn(err.code); // a stable string, safe to log
 * ```
 */
export class McpAuthError extends Error {
  /** A stable, machine-readable code. */
  readonly code: McpAuthErrorCode;
  /** The message without the `mcp-auth-config:` prefix, for embedding in another message. */
  readonly detail: string;

  /** `message` is given without the package prefix; it is added here, once. */
  constructor(code: McpAuthErrorCode, message: string, options?: ErrorOptions) {
    const detail = message.startsWith(PREFIX) ? message.slice(PREFIX.length) : message;
    super(`${PREFIX}${detail}`, options);
    this.name = new.target.name;
    this.code = code;
    this.detail = detail;
  }
}

const PREFIX = 'mcp-auth-config: ';

/**
 * Any error this library throws, discriminated by `code` (the code sets of the classes do not
 * overlap), so `switch (err.code)` narrows to the class.
 *
 * @example
 * ```ts
 * if (isMcpAuthError(err)) switch (err.code) { case 'timeout': err.url; break; case 'expired' as never: break; }
 * ```
 */
export type AnyMcpAuthError = OptionError | ManifestError | DiscoveryError | TokenError | DownstreamError;

/**
 * Whether a value is an error of this library (of any of its classes).
 *
 * @example
 * ```ts
 * catch (err) { if (isMcpAuthError(err) && err.code === 'manifest_invalid') console.error(err.format()); }
 * ```
 */
export function isMcpAuthError(value: unknown): value is AnyMcpAuthError {
  return value instanceof McpAuthError;
}

/**
 * Thrown for an invalid option passed to a library function (the message names the option).
 *
 * @example
 * ```ts
 * await fetchServerConfig(issuer, { type: 'saml' as never }); // OptionError: options.type must be "oidc" or "oauth"
 * ```
 */
export class OptionError extends McpAuthError {
  static readonly code = 'invalid_option';
  declare readonly code: 'invalid_option';
  constructor(message: string) {
    super('invalid_option', message);
  }
}

// ---------------------------------------------------------------------------------------------
// Manifest

/**
 * Every code a {@link ManifestIssue} can carry: shape problems (from the schema) and meaning
 * problems (from the cross-field checks), as stable strings.
 *
 * @example
 * ```ts
 * if (issue.code === 'unknown_issuer') suggestIssuerIds();
 * ```
 */
export type ManifestIssueCode = (typeof MANIFEST_ISSUE_CODES)[number];

/** The {@link ManifestIssueCode}s, frozen. */
export const MANIFEST_ISSUE_CODES = Object.freeze([
  // shape (the schema; zod's own issue codes are mapped onto these four and `unknown_key` / `invalid_key`)
  'wrong_type',
  'out_of_range',
  'invalid_format',
  'invalid_value',
  // meaning (cross-field checks, presets, the gateway, env interpolation, file syntax)
  'any_tenant',
  'audience_unchecked',
  'client_key_source',
  'downstream_grant_parameter',
  'downstream_scope',
  'downstream_target',
  'duplicate_issuer',
  'duplicate_metadata_path',
  'entra_default_scope',
  'env_not_string',
  'insecure_url',
  'introspection_ambiguous',
  'introspection_credentials',
  'invalid_key',
  'invalid_url',
  'issuer_overlap',
  'issuer_query',
  'issuer_source',
  'issuer_template',
  'jwk_invalid',
  'jwk_private',
  'jwk_symmetric',
  'jwks_source',
  'no_issuers',
  'offline_access_scope',
  'preset_conflict',
  'preset_guard_changed',
  'preset_parameter',
  'reserved_metadata',
  'reserved_path',
  'resource_not_normalised',
  'resource_query',
  'scope_not_supported',
  'scopes_unavailable',
  'syntax',
  'tenants_required',
  'tokeninfo_ambiguous',
  'tokeninfo_endpoint',
  'unknown_issuer',
  'unknown_key',
  'unset_env',
  'unused_issuer',
  'upstream_missing',
  'upstream_query',
  'url_fragment',
  'url_userinfo',
] as const);

/** Codes of {@link ManifestError}. */
export type ManifestErrorCode = 'manifest_invalid' | 'manifest_not_found' | 'manifest_unreadable';

/** Where a manifest problem sits in a file. Lines and columns are 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One problem found in a manifest. */
export interface ManifestIssue {
  /** `error` fails validation; `warning` is reported but accepted (unless the CLI runs `--strict`). */
  readonly severity: 'error' | 'warning';
  /** A stable code for the kind of problem, e.g. `unknown_key`, `unknown_issuer`, `insecure_url`. */
  readonly code: ManifestIssueCode;
  /** The JSON path of the offending value, e.g. `["resources", 0, "token", "audience"]`. */
  readonly path: readonly (string | number)[];
  /** What is wrong and, where there is one, how to fix it. */
  readonly message: string;
  /** Where the value sits in the manifest file, when it came from JSON, JSONC or YAML. */
  readonly location?: SourceLocation;
}

/**
 * Formats a JSON path the way people read it.
 *
 * @example
 * ```ts
 * formatPath(['resources', 0, 'token', 'audience']); // 'resources[0].token.audience'
 * ```
 */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/**
 * Formats one issue as a single line: `file:line:col severity path: message [code]`.
 *
 * @example
 * ```ts
 * validateManifest(value).issues.forEach((issue) => console.error(formatIssue(issue)));
 * ```
 */
export function formatIssue(issue: ManifestIssue): string {
  const where = issue.location
    ? `${issue.location.file}:${issue.location.line}:${issue.location.column} `
    : '';
  return `${where}${issue.severity} ${formatPath(issue.path)}: ${issue.message} [${issue.code}]`;
}

/**
 * A manifest that cannot be used: it was not found, could not be read or parsed, or failed
 * validation. `issues` lists every problem (not only the first), each with its JSON path.
 *
 * @example
 * ```ts
 * try { parseManifest(value); } catch (err) { if (err instanceof ManifestError) console.error(err.format()); }
 * ```
 */
export class ManifestError extends McpAuthError {
  /** Every code this class can carry. */
  static readonly codes: readonly ManifestErrorCode[] = Object.freeze([
    'manifest_invalid',
    'manifest_not_found',
    'manifest_unreadable',
  ]);
  declare readonly code: ManifestErrorCode;
  /** Every problem found, errors first. Warnings are included for context. */
  readonly issues: readonly ManifestIssue[];
  /** The file the manifest came from, when it came from a file. */
  readonly file: string | undefined;

  constructor(
    code: ManifestErrorCode,
    issues: readonly ManifestIssue[],
    options: { file?: string | undefined; message?: string; cause?: unknown } = {},
  ) {
    const errors = issues.filter((i) => i.severity === 'error');
    const head =
      options.message ??
      `invalid manifest${options.file ? ` ${options.file}` : ''} (${errors.length} error${errors.length === 1 ? '' : 's'})`;
    super(code, [head, ...errors.map((i) => `  ${formatIssue(i)}`)].join('\n'), { cause: options.cause });
    this.issues = Object.freeze([...issues]);
    this.file = options.file;
  }

  /** Every issue, one per line, in `file:line:col severity path: message` form. */
  format(): string {
    return this.issues.map(formatIssue).join('\n');
  }
}

// ---------------------------------------------------------------------------------------------
// Discovery and outbound fetches

/** Codes of {@link DiscoveryError}. */
export type DiscoveryErrorCode =
  | 'timeout'
  | 'too_large'
  | 'redirect'
  | 'http_status'
  | 'not_json'
  | 'network'
  | 'insecure_url'
  | 'issuer_mismatch'
  | 'invalid_metadata'
  | 'transpile_failed'
  | 'not_found'
  | 'invalid_jwks';

/**
 * An outbound fetch (discovery, JWKS, introspection) or the document it returned failed.
 * The message names the URL we asked and what went wrong; it never quotes the upstream body.
 *
 * @example
 * ```ts
 * catch (err) { if (err instanceof DiscoveryError && err.transient) scheduleRetry(); }
 * ```
 */
export class DiscoveryError extends McpAuthError {
  /** Every code this class can carry. */
  static readonly codes: readonly DiscoveryErrorCode[] = Object.freeze([
    'timeout',
    'too_large',
    'redirect',
    'http_status',
    'not_json',
    'network',
    'insecure_url',
    'issuer_mismatch',
    'invalid_metadata',
    'transpile_failed',
    'not_found',
    'invalid_jwks',
  ]);
  declare readonly code: DiscoveryErrorCode;
  /** The URL that was requested, when there was one. */
  readonly url: string | undefined;
  /** The HTTP status received, for `http_status` and `redirect`. */
  readonly status: number | undefined;
  /** The manifest id of the issuer concerned, when known. */
  readonly issuerId: string | undefined;
  /**
   * How long the server asked us to wait before trying again, in ms: its `Retry-After` (seconds
   * or an HTTP date) on an HTTP 429 or 503 answer. The library's backoffs wait at least this
   * long, never past their cap.
   */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: DiscoveryErrorCode,
    message: string,
    details: {
      url?: string;
      status?: number;
      issuerId?: string;
      retryAfterMs?: number | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(code, message, { cause: details.cause });
    this.url = details.url;
    this.status = details.status;
    this.issuerId = details.issuerId;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** True for failures that may heal by themselves (network, timeouts, 429, 5xx): worth a retry. */
  get transient(): boolean {
    const status = this.status ?? 0;
    return (
      this.code === 'timeout' ||
      this.code === 'network' ||
      (this.code === 'http_status' && (status >= 500 || status === 429))
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Tokens

/**
 * Codes of {@link TokenError}. The first four are the RFC 6750 / MCP error outcomes; `unavailable`
 * means the authorization server, its metadata or its keys could not be reached (HTTP 503).
 */
export type TokenErrorCode =
  'missing_token' | 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'unavailable';

/**
 * A request's credentials were refused. `reason` is a short fixed-vocabulary string (never token
 * contents) naming the failed check, e.g. `expired`, `audience`, `signature`. Throw one from a
 * `verify` hook to refuse a token with a proper challenge.
 *
 * @example
 * ```ts
 * token: { verify: (info) => { if (revoked.has(String(info.claims.jti))) throw new TokenError('invalid_token', 'rejected'); } }
 * ```
 */
export class TokenError extends McpAuthError {
  /** Every code this class can carry. */
  static readonly codes: readonly TokenErrorCode[] = Object.freeze([
    'missing_token',
    'invalid_request',
    'invalid_token',
    'insufficient_scope',
    'unavailable',
  ]);
  declare readonly code: TokenErrorCode;
  /** The check that failed, from a fixed vocabulary (see {@link TokenErrorReason}). */
  readonly reason: TokenErrorReason;
  /** For `insufficient_scope`: every scope the request needs. */
  readonly requiredScopes: readonly string[];
  /** For `unavailable`: seconds after which a retry may succeed. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: TokenErrorCode,
    reason: TokenErrorReason,
    options: { requiredScopes?: readonly string[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(code, `${code} (${reason})`, { cause: options.cause });
    this.reason = reason;
    this.requiredScopes = Object.freeze([...(options.requiredScopes ?? [])]);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The fixed vocabulary of failed checks reported by {@link TokenError.reason}. */
export type TokenErrorReason =
  | 'no_credentials'
  | 'malformed_header'
  | 'multiple_credentials'
  | 'token_too_long'
  | 'malformed_token'
  | 'unsupported_algorithm'
  | 'unknown_issuer'
  | 'unknown_key'
  | 'signature'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'missing_exp'
  | 'invalid_claims'
  | 'audience'
  | 'typ'
  | 'bound_token'
  | 'crit'
  | 'inactive'
  | 'scope'
  | 'rejected'
  | 'issuer_unavailable'
  | 'revoked'
  | 'revocation_unavailable';

// ---------------------------------------------------------------------------------------------
// Downstream tokens (token broker)

/**
 * Codes of {@link DownstreamError}: the authorization server refused the exchange (its `error`
 * code is in {@link DownstreamError.oauthError}); it could not be reached, timed out, redirected
 * or failed (5xx); it answered something that is not a usable token response; or the downstream
 * name is not in the manifest.
 */
export type DownstreamErrorCode =
  'exchange_refused' | 'exchange_unavailable' | 'exchange_invalid_response' | 'downstream_unknown';

/**
 * The OAuth `error` codes an authorization server may answer a token request with (RFC 6749
 * §5.2, RFC 8693 §2.2.2, RFC 8707 §2, OpenID Connect Core §3.1.2.6 for on-behalf-of flows). Any
 * other value is reported as `unrecognized`, so nothing chosen by the server reaches a message.
 */
export const OAUTH_TOKEN_ERRORS = Object.freeze([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'interaction_required',
  'consent_required',
  'login_required',
] as const);

/** One of {@link OAUTH_TOKEN_ERRORS}, or `unrecognized` for any other (or no) `error` value. */
export type OAuthTokenErrorCode = (typeof OAUTH_TOKEN_ERRORS)[number] | 'unrecognized';

/**
 * Getting a token for a downstream API failed. The message names the downstream entry and the
 * outcome; it never carries the inbound token, the exchanged token, a client secret or
 * assertion, nor any text of the authorization server's answer (`error_description` included).
 *
 * @example
 * ```ts
 * try {
 *   const { accessToken } = await auth.downstreamToken(extra.authInfo, 'notes-api');
 * } catch (err) {
 *   if (err instanceof DownstreamError && err.code === 'exchange_refused' && err.oauthError === 'invalid_grant')
 *     return { isError: true, content: [{ type: 'text', text: 'please sign in again' }] };
 *   throw err;
 * }
 * ```
 */
export class DownstreamError extends McpAuthError {
  /** Every code this class can carry. */
  static readonly codes: readonly DownstreamErrorCode[] = Object.freeze([
    'exchange_refused',
    'exchange_unavailable',
    'exchange_invalid_response',
    'downstream_unknown',
  ]);
  declare readonly code: DownstreamErrorCode;
  /** The downstream entry concerned (its key in the manifest's `downstream`). */
  readonly downstream: string;
  /** For `exchange_refused`: the authorization server's `error` code, when it is a known one. */
  readonly oauthError: OAuthTokenErrorCode | undefined;
  /** The HTTP status received, when there was an answer. */
  readonly status: number | undefined;

  constructor(
    code: DownstreamErrorCode,
    downstream: string,
    message: string,
    details: { oauthError?: OAuthTokenErrorCode; status?: number; cause?: unknown } = {},
  ) {
    super(code, `downstream "${downstream}": ${message}`, { cause: details.cause });
    this.downstream = downstream;
    this.oauthError = details.oauthError;
    this.status = details.status;
  }
}

// ---------------------------------------------------------------------------------------------
// Shared store (Redis)

/**
 * Codes of {@link StoreError}: the store did not answer within `settings.store.commandTimeoutMs`
 * or could not be reached (`store_unavailable`); the `redis` package is not installed
 * (`store_client_missing`).
 */
export type StoreErrorCode = 'store_unavailable' | 'store_client_missing';

/**
 * The shared store (`settings.store`) failed. Thrown by `auth.revoke()` when the revocation
 * could not be recorded, and by `compile()` when the Redis client is not installed. Requests
 * never see it: on the request path a store failure is a cache miss, or (for revocation) the
 * `settings.revocation.onStoreUnavailable` rule. The message never carries the store URL (it may
 * hold a password).
 *
 * @example
 * ```ts
 * try {
 *   await auth.revoke({ sub: 'user-42' });
 * } catch (err) {
 *   if (err instanceof StoreError && err.code === StoreError.code) retryLater();
 * }
 * ```
 */
export class StoreError extends McpAuthError {
  /** The code of a store that did not answer. */
  static readonly code = 'store_unavailable';
  /** Every code this class can carry. */
  static readonly codes: readonly StoreErrorCode[] = Object.freeze([
    'store_unavailable',
    'store_client_missing',
  ]);
  declare readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: ErrorOptions) {
    super(code, `mcp-auth-config: ${message}`, options);
  }
}
