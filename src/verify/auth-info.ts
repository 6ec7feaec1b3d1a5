/**
 * The identity of an authenticated request, in the shape the official MCP TypeScript SDK uses
 * (`req.auth` → `extra.authInfo` in tool handlers), plus the issuer, subject, audience and claims.
 *
 * A type alias rather than an interface, so it is assignable to `Record<string, unknown>`: the
 * session constraint of hosts such as fastmcp (`new FastMCP<AuthInfo>`).
 *
 * @example
 * ```ts
 * server.tool('whoami', async (_args, extra) => ({
 *   content: [{ type: 'text', text: `${extra.authInfo?.clientId} as ${(extra.authInfo as AuthInfo).subject}` }],
 * }));
 * ```
 */
export type AuthInfo = {
  /** The access token as sent. */
  readonly token: string;
  /** `client_id` (or `azp`, or `cid`) of the token; empty when the token names none. */
  readonly clientId: string;
  /** The token's scopes, then those they imply through the manifest's scope hierarchy. */
  readonly scopes: string[];
  /** Expiry in seconds since the epoch. */
  readonly expiresAt?: number;
  /** The protected resource the token was verified for. */
  readonly resource?: URL;
  /** Free-form extra information (`verify` hooks may read it). */
  readonly extra?: Record<string, unknown>;
  /** The issuer that issued the token (exact `iss`). */
  readonly issuer: string;
  /** `sub` of the token, when present. */
  readonly subject: string | undefined;
  /** The audience values of the token. */
  readonly audience: readonly string[];
  /** Every claim of the token (or of the introspection response), own properties only. */
  readonly claims: Readonly<Record<string, unknown>>;
};

/**
 * Copies claims into a frozen null-prototype object, so `__proto__` and friends stay plain data.
 * The copy starts from `setPrototypeOf({}, null)` rather than `Object.create(null)`: V8 keeps such
 * objects in fast mode with maps shared across tokens with the same claim names, ~310 bytes for
 * eight claims against ~740 for a dictionary-mode `Object.create(null)` object or ~570 for a
 * parsed object frozen after `setPrototypeOf` (measured with `test/bench/cache-entry.ts`).
 *
 * @example
 * ```ts
 * const claims = safeClaims(JSON.parse(payload)); // Object.getPrototypeOf(claims) === null
 * ```
 */
export function safeClaims(claims: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const out = Object.setPrototypeOf({}, null) as Record<string, unknown>;
  for (const key of Object.keys(claims)) out[key] = claims[key];
  return Object.freeze(out);
}

const CLIENT_ID_CLAIMS = ['client_id', 'azp', 'cid', 'appid'] as const;

/**
 * The client id of a token: `client_id`, else `azp`, else Okta's `cid`, else `appid` (Entra
 * v1.0 access tokens), so that `revoke({ clientId })` and `allowedClientIds` see every format.
 */
export function clientIdOf(claims: Readonly<Record<string, unknown>>): string {
  for (const name of CLIENT_ID_CLAIMS) {
    const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
    if (typeof value === 'string') return value;
  }
  return '';
}
