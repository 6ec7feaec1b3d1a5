/**
 * Matching a token's `iss` against the issuer values an issuer accepts (`issuers.<id>.tokenIssuers`):
 * exact strings, or templates with one `{tenant}` placeholder.
 * @module
 */

/** The placeholder a `tokenIssuers` template holds once. */
export const TENANT_PLACEHOLDER = '{tenant}';

/** One tenant id as it may appear in an issuer path segment (no `/`, `.`, `%` or other escapes). */
const TENANT_SEGMENT = /^[A-Za-z0-9-]{1,64}$/;

/** What a match found: `tenant` is set when `iss` matched a template. */
export interface IssuerMatch {
  readonly tenant?: string;
}

/**
 * Whether `iss` is accepted by `pattern`: identical to it, or, for a template, identical apart
 * from the placeholder, which stands for exactly one tenant segment.
 *
 * @example
 * ```ts
 * matchIssuer('https://login.microsoftonline.com/{tenant}/v2.0', 'https://login.microsoftonline.com/72f9.../v2.0');
 * // { tenant: '72f9...' }
 * matchIssuer('https://as.example/', 'https://as.example'); // undefined: exact comparison
 * ```
 */
export function matchIssuer(pattern: string, iss: string): IssuerMatch | undefined {
  const at = pattern.indexOf(TENANT_PLACEHOLDER);
  if (at === -1) return pattern === iss ? {} : undefined;
  const prefix = pattern.slice(0, at);
  const suffix = pattern.slice(at + TENANT_PLACEHOLDER.length);
  if (iss.length <= prefix.length + suffix.length || !iss.startsWith(prefix) || !iss.endsWith(suffix))
    return undefined;
  const tenant = iss.slice(prefix.length, iss.length - suffix.length);
  return TENANT_SEGMENT.test(tenant) ? { tenant } : undefined;
}
