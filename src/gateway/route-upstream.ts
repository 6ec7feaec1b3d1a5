/**
 * Where a request goes: the resource the runtime matched, the path below it as the guard read it,
 * and the upstream URL that path is appended to. Nothing here comes from the request's authority.
 * @module
 */
import { ManifestError, type ManifestIssue } from '../errors.js';
import type { Locator } from '../manifest/locate.js';
import type { McpAuth } from '../runtime/mcp-auth.js';
import type { CompiledResource } from '../runtime/resource.js';
import { isUnderPath, type RequestTarget } from '../runtime/request-target.js';

/** Paths under this prefix belong to the gateway itself (health); never forwarded. */
export const GATEWAY_PATH_PREFIX = '/.well-known/mcp-auth';

/** One resource's forwarding: its upstream origin and base path, parsed once. */
export interface UpstreamRoute {
  readonly resource: CompiledResource;
  /** The upstream's origin, e.g. `http://127.0.0.1:3001`. */
  readonly origin: string;
  /** The upstream URL's path without a trailing slash (`''` for the root). */
  readonly basePath: string;
}

/**
 * Each resource's upstream, keyed by the compiled resource. Throws a {@link ManifestError} listing
 * every resource without an `upstream` and every resource path under the gateway's own prefix,
 * each at its `file:line:column` when `locate` (the manifest file's locator) is given.
 *
 * @example
 * ```ts
 * const routes = upstreamRoutes(await compile('./mcp-auth.config.json'));
 * ```
 */
export function upstreamRoutes(
  auth: McpAuth,
  locate?: Locator | undefined,
): ReadonlyMap<CompiledResource, UpstreamRoute> {
  const issues: ManifestIssue[] = [];
  const routes = new Map<CompiledResource, UpstreamRoute>();
  auth.manifest.resources.forEach((entry, index) => {
    const resource = auth.resources[index]!;
    if (isUnderPath(`${resource.routedPathLower}/`, GATEWAY_PATH_PREFIX))
      issues.push({
        severity: 'error',
        code: 'reserved_path',
        path: ['resources', index, 'resource'],
        message: `paths under ${GATEWAY_PATH_PREFIX} are the gateway's own (health checks); choose another resource path`,
      });
    if (!entry.upstream) {
      issues.push({
        severity: 'error',
        code: 'upstream_missing',
        path: ['resources', index],
        message: '`mcp-auth serve` needs an "upstream" for every resource: where to forward its requests',
      });
      return;
    }
    const url = new URL(entry.upstream.url);
    routes.set(resource, {
      resource,
      origin: url.origin,
      basePath: url.pathname.replace(/\/+$/, ''),
    });
  });
  if (issues.length)
    throw new ManifestError(
      'manifest_invalid',
      locate ? issues.map((issue) => ({ ...issue, location: locate(issue.path) })) : issues,
    );
  return routes;
}

/**
 * The upstream path and query for a request target under `route`'s resource, or `undefined` when
 * the guard's reading of the path is not under the resource (then nothing is forwarded). The path
 * is the normalised one (dot segments resolved, unreserved escapes decoded), re-encoded for the
 * request line, so the upstream routes on exactly what the guard decided on.
 *
 * @example
 * ```ts
 * upstreamPath(route, parseRequestTarget('/mcp/./x?a=1')); // '/mcp/x?a=1' for upstream http://127.0.0.1:3001/mcp
 * ```
 */
export function upstreamPath(route: UpstreamRoute, target: RequestTarget): string | undefined {
  // Matched as the runtime matches: on the routed path, case-insensitively.
  const base = route.resource.routedPathLower;
  if (!isUnderPath(target.path.toLowerCase(), base)) return undefined;
  const rest = target.path.slice(base.length);
  const path = `${route.basePath}${rest}` || '/';
  return `${encodePath(path.startsWith('/') ? path : `/${path}`)}${target.search}`;
}

/** Escapes what a request-line path cannot carry; kept escapes (`%2F`, `%5C`, `%25`) stay. */
function encodePath(path: string): string {
  return path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '%EF%BF%BD';
    }
  });
}
