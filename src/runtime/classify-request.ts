/**
 * Which resource a request belongs to, decided once for every adapter on the readings of its
 * target that `request-target.ts` makes: each matched as spelled and case-insensitively, the
 * longest resource path winning, the protected answer winning over an unprotected one.
 * @module
 */
import type { RequestTarget } from './request-target.js';
import type { CompiledResource } from './resource.js';

/**
 * Which resource a request belongs to: `resource` (possibly `undefined`: no resource covers it),
 * or `conflict` when readings of an ambiguous target name different protected resources (the
 * request must be refused, 400).
 */
export type TargetMatch =
  | { readonly resource: CompiledResource | undefined; readonly conflict?: undefined }
  | { readonly resource?: undefined; readonly conflict: true };

/** Resources by routed path, as spelled and in lower case, built once per resource list. */
interface ResourceIndex {
  readonly exact: ReadonlyMap<string, readonly CompiledResource[]>;
  readonly lower: ReadonlyMap<string, readonly CompiledResource[]>;
}

const indexes = new WeakMap<readonly CompiledResource[], ResourceIndex>();

function indexOf(resources: readonly CompiledResource[]): ResourceIndex {
  let index = indexes.get(resources);
  if (!index) {
    const exact = new Map<string, CompiledResource[]>();
    const lower = new Map<string, CompiledResource[]>();
    for (const r of resources) {
      (exact.get(r.routedPath) ?? exact.set(r.routedPath, []).get(r.routedPath)!).push(r);
      (lower.get(r.routedPathLower) ?? lower.set(r.routedPathLower, []).get(r.routedPathLower)!).push(r);
    }
    index = { exact, lower };
    indexes.set(resources, index);
  }
  return index;
}

/**
 * The resource a path lies under: the longest resource path, found by walking the path's own
 * prefixes (so the cost grows with the path's segments, not with the number of resources);
 * `Host` breaks ties between resources with the same path on different origins.
 */
function longestMatch(
  byPath: ReadonlyMap<string, readonly CompiledResource[]>,
  path: string,
  host: string | undefined,
): CompiledResource | undefined {
  let prefix = path.endsWith('/') ? path.slice(0, -1) : path;
  for (;;) {
    const found = byPath.get(prefix);
    if (found) return (found.length > 1 && found.find((r) => r.host === host)) || found[0];
    if (prefix === '') return undefined;
    prefix = prefix.slice(0, Math.max(0, prefix.lastIndexOf('/')));
  }
}

/**
 * Classifies a request by the resource it belongs to, from every reading of its target (and any
 * route pattern the framework matched), each matched as spelled and case-insensitively. When the
 * readings disagree the protected resource wins; two different protected resources are a
 * conflict. `Host` only breaks a tie between resources with the same path on different
 * origins, so it can never make a protected path unprotected.
 */
export function classifyTarget(
  resources: readonly CompiledResource[],
  target: RequestTarget,
  host: string | undefined,
  routePatterns: readonly string[] = [],
): TargetMatch {
  const requestHost = host?.toLowerCase();
  const { exact, lower } = indexOf(resources);
  const paths = routePatterns.length ? [...target.readings, ...routePatterns] : target.readings;
  let found: CompiledResource | undefined;
  for (const path of paths) {
    const lowerPath = path.toLowerCase();
    for (const candidate of lowerPath === path
      ? [longestMatch(lower, path, requestHost)]
      : [longestMatch(exact, path, requestHost), longestMatch(lower, lowerPath, requestHost)]) {
      if (!candidate || candidate === found) continue;
      if (!found || (!found.protect && candidate.protect)) found = candidate;
      else if (found.protect && candidate.protect) return { conflict: true };
    }
  }
  return { resource: found };
}
