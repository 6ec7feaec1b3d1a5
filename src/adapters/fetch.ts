/**
 * `mcp-auth-config/fetch`: Web `Request` → `Response` (Hono, Bun, Deno, Workers, Next.js).
 * @module
 */
import type { McpAuth } from '../runtime/mcp-auth.js';
import type { AuthenticateOptions, CoreRequest, CoreResponse } from '../runtime/types.js';
import type { AuthInfo } from '../verify/auth-info.js';

function toResponse(response: CoreResponse): Response {
  return new Response(response.body ?? null, { status: response.status, headers: response.headers });
}

/**
 * The neutral request. The body is read from a clone (the application gets the request
 * unchanged) and only when it can matter: a JSON POST to a resource with per-tool scopes, or a
 * form POST (whose `access_token` would be a second credential).
 */
async function toCoreRequest(request: Request, url: URL, toolsMatter: boolean): Promise<CoreRequest> {
  const contentType = request.headers.get('content-type') ?? undefined;
  let body: unknown;
  if (request.method === 'POST' && contentType) {
    if (/application\/x-www-form-urlencoded/i.test(contentType)) {
      const text = await request
        .clone()
        .text()
        .catch(() => '');
      body = Object.fromEntries(new URLSearchParams(text));
    } else if (toolsMatter && /json/i.test(contentType)) {
      body = await request
        .clone()
        .json()
        .catch(() => undefined);
    }
  }
  const authorization = request.headers.get('authorization');
  return {
    method: request.method,
    url: `${url.pathname}${url.search}`,
    host: request.headers.get('host') ?? url.host,
    authorization: authorization === null ? [] : [authorization],
    accessControlRequestMethod: request.headers.get('access-control-request-method') ?? undefined,
    contentType,
    body,
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
export function createFetchAuth(auth: McpAuth, options: AuthenticateOptions = {}): FetchAuth {
  const identities = new WeakMap<Request, AuthInfo>();
  const handle = async (request: Request): Promise<Response | undefined> => {
    const url = new URL(request.url);
    const target = `${url.pathname}${url.search}`;
    const host = request.headers.get('host') ?? url.host;
    const metadata = await auth.handleMetadataRequest({
      method: request.method,
      url: target,
      host,
      authorization: [],
    });
    if (metadata) return toResponse(metadata);
    const resource = options.resource
      ? auth.resources.find((r) => r.resource === options.resource)
      : auth.resourceFor(target, host);
    if (!options.resource && !resource?.protect) return undefined;
    const toolsMatter = (resource?.toolScopes.size ?? 0) > 0;
    const result = await auth.authenticate(await toCoreRequest(request, url, toolsMatter), options);
    if (result.response) return toResponse(result.response);
    if (result.auth) identities.set(request, result.auth);
    return undefined;
  };
  const authFor = (request: Request) => identities.get(request);
  return Object.freeze(Object.assign(handle, { handle, authFor }));
}

/**
 * Wraps a fetch handler: metadata and protection first, then `handler(request, { auth })`.
 *
 * @example
 * ```ts
 * const handler = withMcpAuth(auth, (request, { auth }) => transport.handleRequest(request, { authInfo: auth }));
 * ```
 */
export function withMcpAuth(
  auth: McpAuth,
  handler: (request: Request, context: FetchAuthContext) => Response | Promise<Response>,
  options: AuthenticateOptions = {},
): (request: Request) => Promise<Response> {
  const mcpAuth = createFetchAuth(auth, options);
  return async (request) => (await mcpAuth(request)) ?? handler(request, { auth: mcpAuth.authFor(request) });
}
