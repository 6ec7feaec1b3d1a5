/**
 * The metadata routes of a runtime: Protected Resource Metadata (RFC 9728) at each resource's
 * path-inserted URL and, where one resource owns an origin, at the root; plus the opt-in
 * authorization-server mirror. Headers are computed once, here, at compile time.
 * @module
 */
import { TokenError } from '../errors.js';
import type { IssuerRuntime } from '../issuers/issuer-runtime.js';
import { parseRequestTarget } from './request-target.js';
import { protectedResourceMetadata, type CompiledResource } from './resource.js';
import { jsonResponse, methodNotAllowed, temporarilyUnavailable } from './respond.js';
import { buildRouteTable, pickByHost, type MetadataRoute, type MetadataRow } from './route-table.js';
import type { CoreRequest, CoreResponse } from './types.js';

const CORS_METADATA = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'Authorization, MCP-Protocol-Version, Content-Type',
  'access-control-max-age': '86400',
});

/** The answer to a metadata request: a response, or `undefined` (not a metadata route). */
export type MetadataAnswer = CoreResponse | undefined | Promise<CoreResponse | undefined>;

/** Serves the metadata routes of one runtime. Immutable once built. */
export class MetadataRoutes {
  /** Every metadata route served. */
  readonly routes: readonly MetadataRoute[];
  readonly #table: ReadonlyMap<string, MetadataRow>;
  readonly #hosts: ReadonlySet<string>;
  readonly #issuers: ReadonlyMap<string, IssuerRuntime>;
  readonly #documentHeaders: Readonly<Record<string, string>>;

  constructor(
    resources: readonly CompiledResource[],
    issuers: ReadonlyMap<string, IssuerRuntime>,
    maxAgeSeconds: number,
  ) {
    const { table, routes } = buildRouteTable(resources);
    this.#table = table;
    this.routes = routes;
    this.#hosts = new Set(resources.map((r) => r.host));
    this.#issuers = issuers;
    this.#documentHeaders = Object.freeze({
      'cache-control': `public, max-age=${maxAgeSeconds}`,
      ...CORS_METADATA,
    });
    Object.freeze(this);
  }

  /**
   * Answers a metadata request, or `undefined` when the path is not a metadata route (the
   * application handles it). One trailing slash is tolerated; never a redirect. While an issuer
   * is unresolved (lazy start-up) the answer waits for it, or is 503 with `Retry-After`.
   */
  handle(request: CoreRequest): MetadataAnswer {
    const { path } = parseRequestTarget(request.url);
    const row =
      this.#table.get(path) ?? (path.endsWith('/') ? this.#table.get(path.slice(0, -1)) : undefined);
    if (!row) return undefined;
    const resource = pickByHost(row.candidates, request.host, this.#hosts);
    if (!resource) return undefined;
    const method = request.method.toUpperCase();
    if (method === 'OPTIONS') return { status: 204, headers: CORS_METADATA, body: undefined };
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed('GET, HEAD, OPTIONS');
    const head = method === 'HEAD';
    if (row.kind === 'protected-resource') {
      const issuers = this.#issuerStrings(resource);
      if (issuers)
        return jsonResponse(200, protectedResourceMetadata(resource, issuers), this.#documentHeaders, head);
    }
    return this.#afterResolving(resource, row.kind, head);
  }

  /** The issuers' identifiers for a resource's PRM, or `undefined` while one is unknown (lazy start-up). */
  #issuerStrings(resource: CompiledResource): string[] | undefined {
    const out: string[] = [];
    for (const id of resource.issuerIds) {
      const issuer = this.#issuers.get(id)?.issuer;
      if (issuer === undefined) return undefined;
      out.push(issuer);
    }
    return out;
  }

  async #afterResolving(
    resource: CompiledResource,
    kind: MetadataRoute['kind'],
    head: boolean,
  ): Promise<CoreResponse> {
    try {
      const resolved = await Promise.all(resource.issuerIds.map((id) => this.#issuers.get(id)!.resolved()));
      const document =
        kind === 'authorization-server-mirror'
          ? resolved[0]!.metadata
          : protectedResourceMetadata(
              resource,
              resolved.map((r) => r.issuer),
            );
      return jsonResponse(200, document, this.#documentHeaders, head);
    } catch (err) {
      const error = err instanceof TokenError ? err : new TokenError('unavailable', 'issuer_unavailable');
      return temporarilyUnavailable(error, head);
    }
  }
}
