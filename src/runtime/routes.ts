/**
 * The route table, computed once per runtime: which metadata path serves which resource, and
 * which resource a request path belongs to.
 * @module
 */
import {
  AUTHORIZATION_SERVER_METADATA_ROOT,
  PROTECTED_RESOURCE_METADATA_ROOT,
} from '../metadata/well-known.js';
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

/** Splits a request target into its path and whether its query carries `access_token`. */
export function pathOf(url: string): { path: string; queryToken: boolean } {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const queryToken = q >= 0 && new URLSearchParams(url.slice(q + 1)).has('access_token');
  return { path, queryToken };
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
 * The resource a request path belongs to: the longest resource path that prefixes it. `Host`
 * only breaks a tie between resources with the same path on different origins, so it can never
 * make a protected path unprotected.
 */
export function matchResource(
  resources: readonly CompiledResource[],
  url: string,
  host: string | undefined,
): CompiledResource | undefined {
  const { path } = pathOf(url);
  const requestHost = host?.toLowerCase();
  let best: CompiledResource | undefined;
  for (const resource of resources) {
    const under = resource.path === '' || path === resource.path || path.startsWith(`${resource.path}/`);
    if (!under) continue;
    if (!best || resource.path.length > best.path.length) best = resource;
    else if (resource.path.length === best.path.length && resource.host === requestHost) best = resource;
  }
  return best;
}

/** Of several resources serving one metadata path, the one on the request's host (else the first). */
export function pickByHost(
  candidates: readonly CompiledResource[],
  host: string | undefined,
): CompiledResource {
  const requestHost = host?.toLowerCase();
  return (candidates.length > 1 && candidates.find((r) => r.host === requestHost)) || candidates[0]!;
}
