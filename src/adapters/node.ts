/**
 * `mcp-auth-config/node`: a `node:http` handler and a connect-style middleware.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { assertRuntime } from '../runtime/assert-runtime.js';
import type { McpAuth } from '../runtime/mcp-auth.js';
import type { AuthenticateOptions, HandleOptions } from '../runtime/types.js';
import type { AuthInfo } from '../verify/auth-info.js';
import {
  handleNodeRequest,
  sendServerError,
  toCoreRequest,
  toWebResponse,
  type NodeRequest,
} from './node-request.js';

export type { NodeRequest } from './node-request.js';

/** A connect-style middleware. */
export type NodeMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/**
 * Middleware that serves the metadata routes and protects every request that belongs to a
 * protected resource (decided by the runtime on the path as routers read it), setting `req.auth`
 * (what the MCP SDK reads into `extra.authInfo`). When the decision needs the body (per-tool
 * scopes, a form), it reads it once, bounded by `settings.maxBodyBytes`, and leaves it parsed on
 * `req.body`; otherwise the stream is left untouched for the application.
 *
 * @example
 * ```ts
 * const guard = mcpAuthMiddleware(auth);
 * http.createServer((req, res) => guard(req, res, () => transport.handleRequest(req, res, req.body))).listen(3000);
 * ```
 */
export function mcpAuthMiddleware(auth: McpAuth, options: HandleOptions = {}): NodeMiddleware {
  assertRuntime(auth, 'mcpAuthMiddleware(auth)');
  return (req, res, next) => handleNodeRequest(auth, req, res, options, next);
}

/**
 * Wraps a `node:http` request listener: metadata routes and protection first, then `handler`.
 *
 * @example
 * ```ts
 * http.createServer(createNodeHandler(auth, (req, res) => transport.handleRequest(req, res, req.body)));
 * ```
 */
export function createNodeHandler(
  auth: McpAuth,
  handler: (req: NodeRequest, res: ServerResponse) => void | Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const middleware = mcpAuthMiddleware(auth);
  return (req, res) =>
    middleware(req, res, (err) => {
      if (err) return sendServerError(res);
      // An application that throws (synchronously or not) gets the last-resort 500, never a crash.
      new Promise<void>((resolve) => resolve(handler(req as NodeRequest, res))).catch(() =>
        sendServerError(res),
      );
    });
}

/**
 * The outcome of {@link authenticateNode}: `auth` when the request may proceed, `response` (a Web
 * `Response`: 400/401/403/413/503 with the runtime's challenge) when it must be refused with it,
 * neither for a CORS preflight (no credentials by design; the host's CORS handling answers it).
 */
export type NodeAuthResult =
  | { readonly auth: AuthInfo; readonly response?: undefined }
  | { readonly auth?: undefined; readonly response: Response }
  | { readonly auth?: undefined; readonly response?: undefined };

/**
 * Authenticates one `IncomingMessage` for a host that owns the response and asks a hook for the
 * caller's identity (fastmcp's `authenticate(request)`, mcp-proxy): the same decision as the
 * adapters (`auth.authenticate` on the request as the node adapter reads it, every
 * `Authorization` header included), returned instead of written. Throw the `response` from such
 * a hook: mcp-proxy answers a thrown `Response` verbatim, challenge and `resource_metadata`
 * included.
 *
 * It does not serve the metadata routes (mount those with the host's router) and reads a body
 * only when the decision needs it (per-tool scopes): a host that consumed the stream before the
 * hook (fastmcp does) then gets a 400 `invalid_request` for every body-carrying request, never a
 * request let through unchecked.
 *
 * @example
 * ```ts
 * const server = new FastMCP<AuthInfo>({
 *   name: 'notes',
 *   version: '1.0.0',
 *   authenticate: async (req) => {
 *     const result = await authenticateNode(auth, req);
 *     if (result.response) throw result.response;
 *     return result.auth;
 *   },
 * });
 * ```
 */
export async function authenticateNode(
  auth: McpAuth,
  req: IncomingMessage,
  options: AuthenticateOptions = {},
): Promise<NodeAuthResult> {
  const result = await auth.authenticate(toCoreRequest(req), options);
  return result.response ? { response: toWebResponse(result.response) } : result;
}
