/**
 * Store keys for tokens: a SHA-256 of the token, never the token. Whoever reads the store
 * (or its logs, `MONITOR`, a backup) learns no usable token.
 * @module
 */

/**
 * The base64url SHA-256 of a token, as used in store keys.
 *
 * @example
 * ```ts
 * hashToken('opaque-abc'); // 43 characters, e.g. 'k2j...'; the same for the same token
 * ```
 */
export function hashToken(token: string): string {
  // node:crypto looked up at the call, not imported: the module stays Web-API only.
  return process
    .getBuiltinModule('node:crypto')
    .createHash('sha256')
    .update(token, 'utf8')
    .digest('base64url');
}
