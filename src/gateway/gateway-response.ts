/**
 * The answers the gateway gives itself (never the upstream's): JSON-RPC error objects with fixed
 * messages, so nothing of a request, a token or an upstream's text is reflected.
 * @module
 */
import type { ServerResponse } from 'node:http';

/**
 * JSON-RPC `HeaderMismatch` (MCP 2026-07-28): mirrored request headers disagree with the body.
 * @see https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http#server-validation
 */
export const HEADER_MISMATCH = -32020;

/** Why the gateway answered a request itself. */
export type GatewayRefusal =
  | 'ambiguous_target'
  | 'not_found'
  | 'parse_error'
  | 'duplicate_members'
  | 'method_header_mismatch'
  | 'name_header_mismatch'
  | 'name_header_missing'
  | 'version_header_mismatch'
  | 'header_value_invalid'
  | 'unsupported_media_type'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'internal_error';

const REFUSALS: Readonly<Record<GatewayRefusal, { status: number; code: number; message: string }>> =
  Object.freeze({
    ambiguous_target: { status: 400, code: -32600, message: 'Ambiguous request target' },
    not_found: { status: 404, code: -32600, message: 'No MCP endpoint at this path' },
    parse_error: { status: 400, code: -32700, message: 'Parse error: the body is not JSON' },
    duplicate_members: {
      status: 400,
      code: -32700,
      message: 'Parse error: the body has an object with duplicate member names',
    },
    method_header_mismatch: {
      status: 400,
      code: HEADER_MISMATCH,
      message: 'Header mismatch: the Mcp-Method header does not match the body',
    },
    name_header_mismatch: {
      status: 400,
      code: HEADER_MISMATCH,
      message: 'Header mismatch: the Mcp-Name header does not match the body',
    },
    name_header_missing: {
      status: 400,
      code: HEADER_MISMATCH,
      message: 'Header mismatch: the Mcp-Name header is required for this method',
    },
    version_header_mismatch: {
      status: 400,
      code: HEADER_MISMATCH,
      message: 'Header mismatch: the MCP-Protocol-Version header does not match the body',
    },
    header_value_invalid: {
      status: 400,
      code: HEADER_MISMATCH,
      message: 'Header mismatch: a mirrored header value is malformed',
    },
    unsupported_media_type: {
      status: 415,
      code: -32600,
      message: 'A request to this endpoint must be sent as application/json',
    },
    upstream_unavailable: { status: 502, code: -32603, message: 'The MCP server is unavailable' },
    upstream_timeout: { status: 504, code: -32603, message: 'The MCP server did not answer in time' },
    internal_error: { status: 500, code: -32603, message: 'Internal error' },
  });

/**
 * The status and JSON-RPC error body for a refusal.
 *
 * @example
 * ```ts
 * refusal('upstream_unavailable'); // { status: 502, body: '{"jsonrpc":"2.0","id":null,"error":{...}}' }
 * ```
 */
export function refusal(kind: GatewayRefusal): { status: number; body: string } {
  const { status, code, message } = REFUSALS[kind];
  return { status, body: JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }) };
}

/**
 * Writes a refusal (or, once headers went out, cuts the stream: a half-sent answer cannot change).
 *
 * @example
 * ```ts
 * sendRefusal(res, 'not_found');
 * ```
 */
export function sendRefusal(res: ServerResponse, kind: GatewayRefusal): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, body } = refusal(kind);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
  });
  res.end(body);
}
