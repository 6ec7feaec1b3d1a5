/**
 * The gateway's own routes, under a prefix no resource may use (start-up refuses one that does):
 * `/.well-known/mcp-auth/healthz` (the process answers) and `/.well-known/mcp-auth/readyz` (every
 * resource's issuers resolved, so its metadata can be served, and every upstream answers HTTP).
 * `GET` and `HEAD` only; never forwarded, never authenticated, no detail beyond booleans.
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { McpAuth } from '../runtime/mcp-auth.js';
import { GATEWAY_PATH_PREFIX, type UpstreamRoute } from './route-upstream.js';

/** The liveness path. */
export const HEALTHZ_PATH = `${GATEWAY_PATH_PREFIX}/healthz`;
/** The readiness path. */
export const READYZ_PATH = `${GATEWAY_PATH_PREFIX}/readyz`;

const READY_TIMEOUT_MS = 2000;

/** Whether a resource's Protected Resource Metadata can be served now (its issuers resolved). */
async function issuersReady(auth: McpAuth, route: UpstreamRoute): Promise<boolean> {
  const { resource } = route;
  const response = await auth.handleMetadataRequest({
    method: 'GET',
    url: resource.metadataPath,
    host: resource.host,
    authorization: [],
  });
  return response?.status === 200;
}

/** Whether an upstream answers HTTP at all (any status counts: it is up). */
async function upstreamReachable(dispatcher: Dispatcher, route: UpstreamRoute): Promise<boolean> {
  try {
    const { body } = await dispatcher.request({
      origin: route.origin,
      path: route.basePath || '/',
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(READY_TIMEOUT_MS),
    });
    await body.dump();
    return true;
  } catch {
    return false;
  }
}

/**
 * Readiness of every resource: `{ ready, resources: [{ resource, issuers, upstream }] }`.
 *
 * @example
 * ```ts
 * const { ready } = await readiness(auth, routes, agent);
 * ```
 */
export async function readiness(
  auth: McpAuth,
  routes: Iterable<UpstreamRoute>,
  dispatcher: Dispatcher,
): Promise<{ ready: boolean; resources: { resource: string; issuers: boolean; upstream: boolean }[] }> {
  const resources = await Promise.all(
    [...routes].map(async (route) => {
      const [issuers, upstream] = await Promise.all([
        issuersReady(auth, route).catch(() => false),
        upstreamReachable(dispatcher, route),
      ]);
      return { resource: route.resource.resource, issuers, upstream };
    }),
  );
  return { ready: resources.every((r) => r.issuers && r.upstream), resources };
}

/** What {@link readiness} answers. */
export type Readiness = Awaited<ReturnType<typeof readiness>>;

/** How long a "ready" answer is given again without probing (a "not ready" one is never reused). */
const READY_REUSE_MS = 1000;
const recent = new WeakMap<object, { answer: Promise<Readiness>; until: number }>();

/**
 * {@link readiness} shared between the probes of one runtime (`key`: its routes): probes that
 * arrive while a check runs get its answer, and a "ready" answer is reused for a second. So
 * `/readyz`, which anyone may call, sends each upstream at most one GET at a time and one a
 * second while all is well, however often it is called. A "not ready" answer is not reused, so
 * recovery shows at the next probe.
 *
 * @example
 * ```ts
 * await serveHealth(path, method, res, () => sharedReadiness(routes, () => readiness(auth, routes.values(), agent)));
 * ```
 */
export function sharedReadiness(key: object, check: () => Promise<Readiness>): Promise<Readiness> {
  const last = recent.get(key);
  if (last && performance.now() < last.until) return last.answer;
  const entry = { answer: check(), until: Infinity };
  recent.set(key, entry);
  entry.answer.then(
    (state) => (entry.until = state.ready ? performance.now() + READY_REUSE_MS : 0),
    () => (entry.until = 0),
  );
  return entry.answer;
}

/**
 * Answers a health route and returns the status sent, or returns `undefined` when `path` is not one.
 *
 * @example
 * ```ts
 * if (await serveHealth(path, req.method, res, () => readiness(auth, routes, agent))) return;
 * ```
 */
export async function serveHealth(
  path: string,
  method: string,
  res: ServerResponse,
  ready: () => Promise<{ ready: boolean }>,
): Promise<number | undefined> {
  if (path !== HEALTHZ_PATH && path !== READYZ_PATH) return undefined;
  let status = 200;
  let value: unknown = { status: 'ok' };
  if (method !== 'GET' && method !== 'HEAD') {
    status = 405;
    value = { error: 'method_not_allowed' };
  } else if (path === READYZ_PATH) {
    const state = await ready();
    status = state.ready ? 200 : 503;
    value = state;
  }
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    ...(status === 405 ? { allow: 'GET, HEAD' } : {}),
  });
  res.end(method === 'HEAD' ? undefined : body);
  return status;
}
