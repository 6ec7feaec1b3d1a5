/**
 * The MCP 2026-07-28 request metadata headers: `Mcp-Method` mirrors the JSON-RPC `method`,
 * `Mcp-Name` mirrors `params.name` (`tools/call`, `prompts/get`) or `params.uri`
 * (`resources/read`), and `MCP-Protocol-Version` mirrors `params._meta` ›
 * `io.modelcontextprotocol/protocolVersion`. Intermediaries behind the gateway may route or
 * rate-limit on the headers while the upstream acts on the body, so when a client sends them the
 * gateway reads the body and refuses any disagreement (400, JSON-RPC `-32020` HeaderMismatch).
 *
 * What it checks: `Mcp-Method` equals `method` exactly (values are case-sensitive); `Mcp-Name`,
 * after decoding the `=?base64?…?=` form, equals the body's name or URI, and is not sent for a
 * method that has none; a request that sends `Mcp-Method` for a named method also sends
 * `Mcp-Name`; header values are visible ASCII, space or tab; `MCP-Protocol-Version` equals the
 * body's `_meta` version when both are present (only on requests carrying `Mcp-Method` or
 * `Mcp-Name`, which are the requests whose body the gateway reads for this).
 *
 * What it does NOT check: a request without `Mcp-Method` and `Mcp-Name` (older protocol
 * revisions do not send them; the upstream enforces its own revision's rules), and
 * `Mcp-Param-*` headers (they depend on each tool's `inputSchema`, which the gateway does not
 * know; they are forwarded untouched).
 * @module
 * @see https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http#server-validation
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Why mirrored headers were refused. */
export type HeaderMismatch =
  'method_mismatch' | 'name_mismatch' | 'name_missing' | 'version_mismatch' | 'invalid_value';

/** The body field `Mcp-Name` mirrors, per method (a `Map`: no inherited keys). */
const NAME_FIELD: ReadonlyMap<string, string> = new Map([
  ['tools/call', 'name'],
  ['prompts/get', 'name'],
  ['resources/read', 'uri'],
]);

const VERSION_META = 'io.modelcontextprotocol/protocolVersion';
const HEADER_SAFE = /^[\t\x20-\x7e]*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Whether the request carries `Mcp-Method` or `Mcp-Name`, so its body must be read and checked.
 *
 * @example
 * ```ts
 * carriesMirroredHeaders({ 'mcp-method': 'tools/list' }); // true
 * ```
 */
export function carriesMirroredHeaders(headers: IncomingHttpHeaders): boolean {
  return headers['mcp-method'] !== undefined || headers['mcp-name'] !== undefined;
}

/**
 * A header value in the Base64 sentinel form decoded, a plain one as is; `undefined` when the
 * value has characters a header may not carry or its Base64 is not valid UTF-8 Base64.
 *
 * @example
 * ```ts
 * decodeMirroredValue('=?base64?SGVsbG8sIOS4lueVjA==?='); // 'Hello, 世界'
 * decodeMirroredValue('get_weather'); // 'get_weather'
 * ```
 */
export function decodeMirroredValue(value: string): string | undefined {
  if (!HEADER_SAFE.test(value)) return undefined;
  if (!(value.startsWith('=?base64?') && value.endsWith('?=') && value.length >= 11)) return value;
  const payload = value.slice(9, -2);
  if (!BASE64.test(payload)) return undefined;
  try {
    return UTF8.decode(Buffer.from(payload, 'base64'));
  } catch {
    return undefined;
  }
}

/**
 * The first disagreement between the mirrored headers and the parsed JSON-RPC body, or
 * `undefined` when they agree (or none is sent).
 *
 * @example
 * ```ts
 * checkMirroredHeaders({ 'mcp-method': 'tools/call', 'mcp-name': 'echo' },
 *   { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'delete_all' } }); // 'name_mismatch'
 * ```
 */
export function checkMirroredHeaders(
  headers: IncomingHttpHeaders,
  body: unknown,
): HeaderMismatch | undefined {
  const method = headerValue(headers['mcp-method']);
  const name = headerValue(headers['mcp-name']);
  if (method === undefined && name === undefined) return undefined;
  // A batch, or anything but one JSON-RPC object, has no single method the headers could mirror.
  const message =
    body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const bodyMethod = typeof message?.method === 'string' ? message.method : undefined;
  if (method !== undefined) {
    if (!HEADER_SAFE.test(method)) return 'invalid_value';
    if (method !== bodyMethod) return 'method_mismatch';
  }
  const params =
    message?.params && typeof message.params === 'object' && !Array.isArray(message.params)
      ? (message.params as Record<string, unknown>)
      : undefined;
  const field = bodyMethod === undefined ? undefined : NAME_FIELD.get(bodyMethod);
  const bodyName = field !== undefined && typeof params?.[field] === 'string' ? params[field] : undefined;
  if (name === undefined) {
    if (method !== undefined && bodyName !== undefined) return 'name_missing';
  } else {
    const decoded = decodeMirroredValue(name);
    if (decoded === undefined) return 'invalid_value';
    // Also refused: a name for a method that names nothing, or a body without the value.
    if (bodyName === undefined || decoded !== bodyName) return 'name_mismatch';
  }
  const meta = params?._meta;
  const bodyVersion =
    meta && typeof meta === 'object' ? (meta as Record<string, unknown>)[VERSION_META] : undefined;
  const version = headerValue(headers['mcp-protocol-version']);
  if (typeof bodyVersion === 'string' && version !== undefined && version !== bodyVersion)
    return 'version_mismatch';
  return undefined;
}
