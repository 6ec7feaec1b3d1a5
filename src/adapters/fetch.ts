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

async function toCoreRequest(request: Request, wantsBody: boolean): Promise<CoreRequest> {
  const url = new URL(request.url);
  const authorization = request.headers.get('authorization');
  let body: unknown;
  if (wantsBody && request.method === 'POST' && /json/i.test(request.headers.get('content-type') ?? '')) {
    // Read a clone: the application receives the request unchanged.
    body = await request
      .clone()
      .json()
      .catch(() => undefined);
  }
  // A form-body `access_token` next to the header is two credentials (RFC 6750 §2): 400.
  let bodyToken = false;
  if (
    request.method === 'POST' &&
    /application\/x-www-form-urlencoded/i.test(request.headers.get('content-type') ?? '')
  ) {
    const text = await request
      .clone()
      .text()
      .catch(() => '');
    bodyToken = new URLSearchParams(text).has('access_token');
  }
  return {
    method: request.method,
    url: `${url.pathname}${url.search}`,
    host: request.headers.get('host') ?? url.host,
    authorization: authorization === null ? [] : [authorization],
    accessControlRequestMethod: request.headers.get('access-control-request-method') ?? undefined,
    body,
    bodyToken,
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
    const core = await toCoreRequest(request, false);
    const metadata = await auth.handleMetadataRequest(core);
    if (metadata) return toResponse(metadata);
    const resource = options.resource ? undefined : auth.resourceFor(core.url, core.host);
    if (!options.resource && !resource?.protect) return undefined;
    const wantsBody =
      (resource ?? auth.resources.find((r) => r.resource === options.resource))?.toolScopes.size ?? 0;
    const result = await auth.authenticate(wantsBody ? await toCoreRequest(request, true) : core, options);
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
