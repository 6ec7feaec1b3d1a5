/**
 * Which resource a request belongs to, decided once for every adapter on the readings of its
 * target that `request-target.ts` makes: each matched as spelled and case-insensitively, the
 * longest resource path winning, the protected answer winning over an unprotected one.
 * @module
 */
import { isUnderPath, type RequestTarget } from './request-target.js';
import type { CompiledResource } from './resource.js';

/**
 * Which resource a request belongs to: `resource` (possibly `undefined`: no resource covers it),
 * or `conflict` when readings of an ambiguous target name different protected resources (the
 * request must be refused, 400).
 */
export type TargetMatch =
  | { readonly resource: CompiledResource | undefined; readonly conflict?: undefined }
  | { readonly resource?: undefined; readonly conflict: true };

/** The resource a path lies under: the longest resource path; `Host` breaks ties between origins. */
function longestMatch(
  resources: readonly CompiledResource[],
  path: string,
  lower: boolean,
  host: string | undefined,
): CompiledResource | undefined {
  let best: CompiledResource | undefined;
  for (const resource of resources) {
    if (!isUnderPath(path, lower ? resource.routedPathLower : resource.routedPath)) continue;
    if (!best || resource.routedPath.length > best.routedPath.length) best = resource;
    else if (resource.routedPath.length === best.routedPath.length && resource.host === host) best = resource;
  }
  return best;
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
  const paths = routePatterns.length ? [...target.readings, ...routePatterns] : target.readings;
  let found: CompiledResource | undefined;
  for (const path of paths) {
    const lowerPath = path.toLowerCase();
    for (const candidate of lowerPath === path
      ? [longestMatch(resources, path, true, requestHost)]
      : [
          longestMatch(resources, path, false, requestHost),
          longestMatch(resources, lowerPath, true, requestHost),
        ]) {
      if (!candidate || candidate === found) continue;
      if (!found || (!found.protect && candidate.protect)) found = candidate;
      else if (found.protect && candidate.protect) return { conflict: true };
    }
  }
  return { resource: found };
}
