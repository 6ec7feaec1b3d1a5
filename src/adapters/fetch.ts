/**
 * `mcp-auth-config/fetch`: Web `Request` → `Response` (Hono, Bun, Deno, Workers, Next.js).
 * @module
 */
import { readWebStreamText } from '../lib/read-web-stream.js';
import { assertRuntime } from '../runtime/assert-runtime.js';
import type { McpAuth } from '../runtime/mcp-auth.js';
import { BODY_TOO_LARGE, parseBody } from '../runtime/read-body.js';
import type { CoreRequest, CoreResponse, HandleOptions } from '../runtime/types.js';
import type { AuthInfo } from '../verify/auth-info.js';

// The loader-free compile (manifest objects only) and its lazy getter: on Web APIs alone, this
// entry never reaches node:fs, cosmiconfig or undici.
export { compile } from '../runtime/compile.js';
export type { CompileOptions } from '../runtime/compile.js';
export { compileOnce } from '../runtime/compile-once.js';
export type { CompileSource, GetAuth } from '../runtime/compile-once.js';

function toResponse(response: CoreResponse): Response {
  return new Response(response.body ?? null, { status: response.status, headers: response.headers });
}

/**
 * Reads at most `limit` bytes of a clone of the body (the application gets the request
 * unchanged), or `BODY_TOO_LARGE` as soon as more arrived (reading stops there).
 */
async function readFetchBody(request: Request, limit: number): Promise<unknown> {
  const contentType = request.headers.get('content-type') ?? undefined;
  if (!request.body) return parseBody('', contentType);
  const text = await readWebStreamText(request.clone().body!, limit);
  return text === undefined ? BODY_TOO_LARGE : parseBody(text, contentType);
}

/** The neutral request: the absolute URL as the target (its authority is ignored), the body on demand. */
function toCoreRequest(request: Request): CoreRequest {
  const authorization = request.headers.get('authorization');
  return {
    method: request.method,
    url: request.url,
    host: request.headers.get('host') ?? new URL(request.url).host,
    authorization: authorization === null ? [] : [authorization],
    accessControlRequestMethod: request.headers.get('access-control-request-method') ?? undefined,
    contentLength: request.headers.get('content-length') ?? undefined,
    contentType: request.headers.get('content-type') ?? undefined,
    readBody: (limit) => readFetchBody(request, limit),
  };
}

/** The result of {@link createFetchAuth}'s handler when a request may proceed. */
export interface FetchAuthContext {
  /** The caller's identity; `undefined` for unprotected paths and CORS preflights. */
  readonly auth: AuthInfo | undefined;
}

/** The function {@link createFetchAuth} returns: call it with a request; read the identity after. */
export interface FetchAuth {
  /** A `Response` for metadata routes and refused requests; `undefined` when the application should answer. */
  (request: Request): Promise<Response | undefined>;
  /** The same function, by name. */
  readonly handle: (request: Request) => Promise<Response | undefined>;
  /** The identity established for this request (after the call resolved to `undefined`). */
  readonly authFor: (request: Request) => AuthInfo | undefined;
}

/**
 * A `(request) => Promise<Response | undefined>` function: a `Response` for metadata routes and
 * refused requests; `undefined` when the application should handle the request (then
 * `authFor(request)` gives the identity).
 *
 * @example
 * ```ts
 * const mcpAuth = createFetchAuth(auth);
 * export default { async fetch(request) {
 *   return (await mcpAuth(request)) ?? app(request, mcpAuth.authFor(request));
 * } };
 * ```
 */
export function createFetchAuth(auth: McpAuth, options: HandleOptions = {}): FetchAuth {
  assertRuntime(auth, 'createFetchAuth(auth)');
  const identities = new WeakMap<Request, AuthInfo>();
  const handle = async (request: Request): Promise<Response | undefined> => {
    const result = await auth.handle(toCoreRequest(request), options);
    if (result.response) return toResponse(result.response);
    if (result.auth) identities.set(request, result.auth);
    return undefined;
  };
  const authFor = (request: Request) => identities.get(request);
  return Object.freeze(Object.assign(handle, { handle, authFor }));
}

/**
 * Wraps a fetch handler: metadata and protection first, then `handler(request, { auth }, ...platform)`,
 * where `platform` is whatever the host passed after the request (Workers' `env` and `ctx`,
 * Deno's `info`, Bun's `server`), forwarded untouched.
 *
 * @example
 * ```ts
 * export default { fetch: protectFetchHandler(auth, (request, { auth }, env, ctx) => app.fetch(request, env, ctx)) };
 * ```
 */
export function protectFetchHandler<P extends unknown[]>(
  auth: McpAuth,
  handler: (request: Request, context: FetchAuthContext, ...platform: P) => Response | Promise<Response>,
  options: HandleOptions = {},
): (request: Request, ...platform: P) => Promise<Response> {
  const mcpAuth = createFetchAuth(auth, options);
  return async (request, ...platform) =>
    (await mcpAuth(request)) ?? handler(request, { auth: mcpAuth.authFor(request) }, ...platform);
}

/**
 * The former name of {@link protectFetchHandler}.
 * @deprecated It collides with mcp-handler's `withMcpAuth(handler, verifyToken)`, whose
 * arguments run the other way; use `protectFetchHandler`. Removed in 1.0.
 */
export const withMcpAuth = protectFetchHandler;
