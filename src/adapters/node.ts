/**
 * `mcp-auth-config/node`: a `node:http` handler and a connect-style middleware.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpAuth } from '../runtime/mcp-auth.js';
import type { AuthenticateOptions } from '../runtime/types.js';
import {
  isProtectedPath,
  metadataRequest,
  protectNodeRequest,
  sendCoreResponse,
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
 * Middleware that serves the metadata routes and protects every request under a protected
 * resource's path, setting `req.auth` (what the MCP SDK reads into `extra.authInfo`). For a JSON
 * POST it reads the body once and leaves it parsed on `req.body`.
 *
 * @example
 * ```ts
 * const guard = mcpAuthMiddleware(auth);
 * http.createServer((req, res) => guard(req, res, () => transport.handleRequest(req, res, req.body))).listen(3000);
 * ```
 */
export function mcpAuthMiddleware(
  auth: McpAuth,
  options: AuthenticateOptions & { protectAll?: boolean } = {},
): NodeMiddleware {
  return (req, res, next) => {
    const protect = () => {
      if (!options.resource && !(options.protectAll ?? isProtectedPath(auth, req))) return next();
      protectNodeRequest(auth, req, res, options, next);
    };
    const metadata = auth.handleMetadataRequest(metadataRequest(req));
    if (!metadata) return protect();
    Promise.resolve(metadata).then((ready) => (ready ? sendCoreResponse(res, ready) : protect()), next);
  };
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
      if (err) {
        if (!res.headersSent)
          sendCoreResponse(res, {
            status: 500,
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body: '{"error":"server_error"}',
          });
        else res.destroy();
        return;
      }
      void Promise.resolve(handler(req as NodeRequest, res)).catch(() => res.destroy());
    });
}
