/**
 * The route table, computed once per runtime: which metadata path serves which resource, and
 * which resource a request path belongs to.
 * @module
 */
import {
  AUTHORIZATION_SERVER_METADATA_ROOT,
  PROTECTED_RESOURCE_METADATA_ROOT,
} from '../metadata/well-known.js';
import { isUnderPath, type RequestTarget } from './request-target.js';
import type { CompiledResource } from './resource.js';

/** One metadata route the runtime serves. */
export interface MetadataRoute {
  readonly path: string;
  readonly kind: 'protected-resource' | 'authorization-server-mirror';
  readonly resource: string;
}

/** The resources a metadata path serves (more than one only for resources on different origins). */
export interface MetadataRow {
  readonly kind: MetadataRoute['kind'];
  readonly candidates: readonly CompiledResource[];
}

/**
 * The metadata routes: each resource's path-inserted document; the root document for an origin
 * that exactly one resource owns; the opt-in authorization-server mirror.
 */
export function buildRouteTable(resources: readonly CompiledResource[]): {
  table: ReadonlyMap<string, MetadataRow>;
  routes: readonly MetadataRoute[];
} {
  const table = new Map<string, { kind: MetadataRoute['kind']; candidates: CompiledResource[] }>();
  const add = (path: string, kind: MetadataRoute['kind'], resource: CompiledResource) => {
    const row = table.get(path) ?? { kind, candidates: [] };
    if (row.kind === kind && !row.candidates.includes(resource)) row.candidates.push(resource);
    table.set(path, row);
  };
  for (const resource of resources) add(resource.metadataPath, 'protected-resource', resource);
  for (const resource of resources) {
    if (resources.filter((r) => r.origin === resource.origin).length === 1) {
      add(PROTECTED_RESOURCE_METADATA_ROOT, 'protected-resource', resource);
    }
    if (resource.mirrorAuthorizationServerMetadata) {
      add(AUTHORIZATION_SERVER_METADATA_ROOT, 'authorization-server-mirror', resource);
    }
  }
  const routes = [...table].flatMap(([path, row]) =>
    row.candidates.map((r) => Object.freeze({ path, kind: row.kind, resource: r.resource })),
  );
  return { table, routes: Object.freeze(routes) };
}

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

/**
 * The resource whose document a metadata path answers for this request: the candidate on the
 * request's host; else, when the host is one the manifest serves other resources on, none (that
 * origin's document is not this one); else (an unknown host, e.g. behind a proxy) the first.
 */
export function pickByHost(
  candidates: readonly CompiledResource[],
  host: string | undefined,
  knownHosts: ReadonlySet<string>,
): CompiledResource | undefined {
  const requestHost = host?.toLowerCase();
  const onHost = candidates.find((r) => r.host === requestHost);
  if (onHost) return onHost;
  return requestHost !== undefined && knownHosts.has(requestHost) ? undefined : candidates[0];
}
