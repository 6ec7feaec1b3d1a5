/**
 * `mcp-auth-config/node`: a `node:http` handler and a connect-style middleware.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpAuth } from '../runtime/mcp-auth.js';
import type { HandleOptions } from '../runtime/types.js';
import { handleNodeRequest, sendServerError, type NodeRequest } from './node-request.js';

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
