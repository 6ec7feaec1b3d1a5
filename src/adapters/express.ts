/**
 * `mcp-auth-config/express`: a metadata router and `requireAuth` middleware (Express 4 and 5).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { assertRuntime } from '../runtime/assert-runtime.js';
import type { McpAuth } from '../runtime/mcp-auth.js';
import type { AuthenticateOptions } from '../runtime/types.js';
import { applyNodeDecision, metadataRequest, sendCoreResponse, toCoreRequest } from './node-request.js';

/** An Express-compatible middleware (no dependency on Express's types). */
export type ExpressMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/**
 * Serves the Protected Resource Metadata routes (and the opt-in legacy mirror); other paths go
 * to `next()`. Mount at the application root: `app.use(metadataRouter(auth))`.
 *
 * @example
 * ```ts
 * app.use(metadataRouter(auth));
 * ```
 */
export function metadataRouter(auth: McpAuth): ExpressMiddleware {
  assertRuntime(auth, 'metadataRouter(auth)');
  return (req, res, next) => {
    const response = auth.handleMetadataRequest(metadataRequest(req));
    if (!response) return next();
    Promise.resolve(response)
      .then((ready) => (ready ? sendCoreResponse(res, ready) : next()))
      .catch(next);
  };
}

/**
 * Requires a valid bearer token (and the given scopes); sets `req.auth`, which the MCP SDK's
 * Express transport hands to tool handlers as `extra.authInfo`. Per-tool scopes are read from a
 * JSON-RPC `tools/call` body (parsed by `express.json()` if it ran, otherwise read here once and
 * left on `req.body`).
 *
 * @example
 * ```ts
 * app.post('/mcp', express.json(), requireAuth(auth), (req, res) => transport.handleRequest(req, res, req.body));
 * app.post('/admin', requireAuth(auth, { resource: 'https://api.example.com/mcp', scopes: ['admin'] }), handler);
 * ```
 */
export function requireAuth(auth: McpAuth, options: AuthenticateOptions = {}): ExpressMiddleware {
  assertRuntime(auth, 'requireAuth(auth)');
  return (req, res, next) =>
    applyNodeDecision(() => auth.authenticate(toCoreRequest(req), options), req, res, next);
}
