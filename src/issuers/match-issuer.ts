/**
 * Matching a token's `iss` against the issuer values an issuer accepts (`issuers.<id>.tokenIssuers`):
 * exact strings, or templates with one `{tenant}` placeholder.
 * @module
 */

/** The placeholder a `tokenIssuers` template holds once. */
export const TENANT_PLACEHOLDER = '{tenant}';

/** One tenant id as it may appear in an issuer path segment (no `/`, `.`, `%` or other escapes). */
const TENANT_SEGMENT = /^[A-Za-z0-9-]{1,64}$/;
/** One character of such a tenant id, and how many it may have. */
const TENANT_CHAR = /^[A-Za-z0-9-]$/;
const TENANT_MAX = 64;

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

/**
 * Whether two accepted `iss` values (exact, or `{tenant}` templates) can match one token.
 *
 * @example
 * ```ts
 * issuersOverlap('https://l.example.com/{tenant}/v2', 'https://l.example.com/t-{tenant}/v2'); // true: t-x matches both
 * issuersOverlap('https://{tenant}.auth0.com/', 'https://{tenant}.eu.auth0.com/'); // false: a tenant holds no '.'
 * ```
 */
export function issuersOverlap(a: string, b: string): boolean {
  const ta = a.includes(TENANT_PLACEHOLDER);
  const tb = b.includes(TENANT_PLACEHOLDER);
  if (!ta && !tb) return a === b;
  if (ta !== tb) return matchIssuer(ta ? a : b, ta ? b : a) !== undefined;
  return templatesOverlap(a, b);
}

/**
 * Whether some `iss` matches both templates: for each tenant length of the first, the string
 * both would spell is laid out position by position, and every position must be satisfiable
 * (equal fixed characters, or a fixed character a tenant may hold, or two tenant positions).
 */
function templatesOverlap(a: string, b: string): boolean {
  const [pa = '', sa = ''] = a.split(TENANT_PLACEHOLDER);
  const [pb = '', sb = ''] = b.split(TENANT_PLACEHOLDER);
  /** The fixed character at `i` of a template with a tenant of `length`, or `undefined` inside the tenant. */
  const at = (prefix: string, length: number, suffix: string, i: number) =>
    i < prefix.length
      ? prefix[i]
      : i < prefix.length + length
        ? undefined
        : suffix[i - prefix.length - length];
  for (let la = 1; la <= TENANT_MAX; la++) {
    const total = pa.length + la + sa.length;
    const lb = total - pb.length - sb.length;
    if (lb < 1 || lb > TENANT_MAX) continue;
    let fits = true;
    for (let i = 0; i < total && fits; i++) {
      const x = at(pa, la, sa, i);
      const y = at(pb, lb, sb, i);
      if (x !== undefined && y !== undefined) fits = x === y;
      else if (x !== undefined || y !== undefined) fits = TENANT_CHAR.test((x ?? y)!);
    }
    if (fits) return true;
  }
  return false;
}
