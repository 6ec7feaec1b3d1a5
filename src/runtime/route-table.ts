/**
 * The metadata route table, computed once per runtime: which metadata path serves which
 * resource's document, and which of several candidates a request's host gets.
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
