/* eslint-disable no-control-regex -- control bytes in request targets are exactly what these patterns look for */
/**
 * The request target read the way routers read it. Protection is decided on these paths, never
 * on the raw target, so a path spelled differently (`/%6Dcp`, `/MCP`, `/x/../mcp`,
 * `http://other/mcp`, `/mcp#x`) cannot walk around the guard.
 *
 * Two readings are made:
 * - the **routed path**: absolute-form reduced to its path (the authority never chooses
 *   anything), fragment dropped, percent-encoded characters decoded except `/`, `\` and `%`
 *   (which stay encoded, as find-my-way and Express keep them), repeated slashes collapsed, dot
 *   segments resolved (also `%2e`), as WHATWG `URL` does;
 * - for an **ambiguous** target (encoded `/` or `\`, a raw `\`, `;` parameters, NUL or other
 *   control bytes, double or invalid percent-encoding, trailing white space), also the most
 *   lenient reading a router could make: everything decoded (repeatedly), `\` as `/`, `;…`
 *   parameters and control bytes removed, white space trimmed from each segment;
 * - for a target with a dot segment (`.` or `..`, also `%2e`), also the readings of the routers
 *   that do not resolve them as the routed path does: dot segments kept as names (Express,
 *   find-my-way and code reading `req.url` route `/mcp/..` under `/mcp`), and dot segments
 *   resolved without first collapsing repeated slashes (WHATWG `URL` reads `/mcp//..` as `/mcp/`).
 *   A dot segment that climbs out of a protected path therefore still counts as that path.
 *
 * Resources are matched against each reading both as spelled and case-insensitively (Express
 * routes case-insensitively, Fastify does not), and the protected answer wins: over-protecting
 * a router only turns its 404 into a 401.
 * @module
 */

/** A request target as the application's router will read it. */
export interface RequestTarget {
  /** The routed path: decoded (but `%2F`, `%5C`, `%25`), dot segments resolved, slashes collapsed. */
  readonly path: string;
  /** The query with its `?`, or `''`. */
  readonly search: string;
  /**
   * True when routers could disagree about this target beyond its dot segments (see the module
   * notes): a proxy cannot forward it faithfully. Dot segments alone only add readings: a proxy
   * forwards the routed path, which has none.
   */
  readonly ambiguous: boolean;
  /** The paths to match resources against: the routed path, then for an ambiguous or dotted target the others. */
  readonly readings: readonly string[];
}

/** Characters whose presence sends a target down the slow path. */
const NEEDS_WORK = /[%\\;#\x00-\x20\x7f-\uffff]|\/\/|\/\.|^[^/]/;
/** A `.` or `..` segment (in a path whose escapes other than `/`, `\`, `%` are decoded). */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;
/** Characters that make a target ambiguous between routers. */
const AMBIGUOUS_RAW = /[\\;\x00-\x1f\x7f]/;
const AMBIGUOUS_ESCAPE = /%(?:2f|5c|25|3b|20|[01][0-9a-f]|7f)/i;
const INVALID_ESCAPE = /%(?![0-9a-f]{2})/i;
const ESCAPE_RUN = /(?:%[0-9a-f]{2})+/gi;

/**
 * Reads a request target (origin-form, absolute-form or anything else a server passed on).
 *
 * @example
 * ```ts
 * parseRequestTarget('http://evil.example/x/../%6Dcp?a=1#f');
 * // { path: '/mcp', search: '?a=1', ambiguous: false, readings: ['/mcp'] }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-3.2
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-5.2.4
 */
export function parseRequestTarget(target: string): RequestTarget {
  let rest = target;
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const search = q >= 0 ? rest.slice(q) : '';
  let raw = q >= 0 ? rest.slice(0, q) : rest;
  if (!NEEDS_WORK.test(raw)) {
    return { path: raw, search, ambiguous: false, readings: [raw] };
  }
  raw = pathOfTarget(raw);
  const decoded = decodeKeepingDelimiters(raw);
  const dotted = DOT_SEGMENT.test(decoded);
  const ambiguous = AMBIGUOUS_RAW.test(raw) || AMBIGUOUS_ESCAPE.test(raw) || INVALID_ESCAPE.test(raw);
  const path = normalizeSegments(decoded, true);
  if (!ambiguous && !dotted) return { path, search, ambiguous, readings: [path] };
  const readings = new Set([path]);
  if (ambiguous) readings.add(normalizeSegments(lenientDecode(raw), true));
  if (dotted) {
    readings.add(decoded.replace(/\/{2,}/g, '/')); // dot segments kept as names
    readings.add(normalizeSegments(decoded, false)); // WHATWG: empty segments kept
  }
  return { path, search, ambiguous, readings: [...readings] };
}

/** The path of an absolute-form target (its authority dropped); any other target gets a leading `/`. */
function pathOfTarget(raw: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(raw);
  if (scheme) raw = raw.slice(scheme[0].length);
  return raw.startsWith('/') ? raw : `/${raw}`;
}

/** Decodes every valid escape except those of `/`, `\` and `%`, which keep (upper-case) encoding. */
function decodeKeepingDelimiters(raw: string): string {
  return raw.replace(ESCAPE_RUN, (run) => {
    let text: string;
    try {
      text = decodeURIComponent(run);
    } catch {
      return run.toUpperCase(); // not UTF-8: left as it is (the target is ambiguous)
    }
    return text.replace(/[/\\%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  });
}

/**
 * The most lenient reading: cut at an invalid escape, decoded until stable, `\` as `/`,
 * parameters and control bytes gone, white space trimmed from segment ends.
 */
function lenientDecode(raw: string): string {
  // An invalid escape ends the path for a decoder that gives up there.
  const invalid = raw.search(INVALID_ESCAPE);
  let text = invalid >= 0 ? raw.slice(0, invalid) : raw;
  for (let i = 0; i < 4; i++) {
    const next = text.replace(ESCAPE_RUN, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      }
    });
    if (next === text) break;
    text = next;
  }
  return text
    .replace(/\\/g, '/')
    .replace(/;[^/]*/g, '')
    .replace(/[\x00-\x1f\x7f]/g, '')
    .replace(/\s+(?=\/|$)/g, '');
}

/**
 * Resolves `.` and `..` segments (RFC 3986 §5.2.4), collapsing repeated slashes first when
 * `collapse` is set (a `..` then removes a named segment, never an empty one).
 */
function normalizeSegments(path: string, collapse: boolean): string {
  const segments = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..') out.pop();
      if (last) out.push('');
    } else if (segment !== '' || last || !collapse) {
      out.push(segment);
    }
  }
  return `/${out.join('/')}`;
}

/**
 * Whether a request path is a resource's path or lies below it. `resourcePath` has no trailing
 * slash; `''` is the origin root, which holds every path.
 */
export function isUnderPath(path: string, resourcePath: string): boolean {
  return (
    resourcePath === '' ||
    (path.startsWith(resourcePath) &&
      (path.length === resourcePath.length || path.charCodeAt(resourcePath.length) === 47))
  );
}

/**
 * A resource path (from a configured resource URL) in the form request paths are matched in:
 * decoded like a routed path, without a trailing slash.
 */
export function routedFormOfPath(pathname: string): string {
  return parseRequestTarget(pathname).path.replace(/\/+$/, '');
}
