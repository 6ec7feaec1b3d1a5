/**
 * The library's own HTTP answers other than token challenges (those are built by
 * `verify/challenge.ts`): metadata documents, 405, 413, 400 for targets or bodies that cannot be
 * decided on, the 503 of an unresolved issuer, the gateway's CORS preflight and the adapters'
 * last-resort 500. Every error
 * answer carries `Cache-Control: no-store` and a fixed text: nothing from the request or an
 * upstream server.
 * @module
 */
import type { TokenError } from '../errors.js';
import { unavailableAnswer } from '../verify/challenge.js';
import type { CoreResponse } from './types.js';

/** Counts UTF-8 bytes with Web APIs alone (no `Buffer` on workerd and in browsers). */
const UTF8 = new TextEncoder();

/** A JSON response with `content-length`; `head` drops the body (HEAD requests). */
export function jsonResponse(
  status: number,
  value: unknown,
  headers: Readonly<Record<string, string>> = {},
  head = false,
): CoreResponse {
  const body = JSON.stringify(value);
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(UTF8.encode(body).byteLength),
      ...headers,
    },
    body: head ? undefined : body,
  };
}

const NO_STORE = { 'cache-control': 'no-store' } as const;

/** 413: a body over `settings.maxBodyBytes` on a resource whose decision needs the body. */
export function payloadTooLarge(): CoreResponse {
  return jsonResponse(
    413,
    { error: 'invalid_request', error_description: 'The request body is too large' },
    { ...NO_STORE, connection: 'close' },
  );
}

/** 400: a request target whose readings name different protected resources. */
export function ambiguousTarget(): CoreResponse {
  return jsonResponse(
    400,
    { error: 'invalid_request', error_description: 'The request target is ambiguous' },
    NO_STORE,
  );
}

/** 400: a body that a form parser and a JSON parser would read differently (`BODY_AMBIGUOUS`). */
export function ambiguousBody(): CoreResponse {
  return jsonResponse(
    400,
    { error: 'invalid_request', error_description: 'The request body is ambiguous' },
    NO_STORE,
  );
}

/** 400: a body the decision needed could not be read (the client went away or sent garbage). */
export function bodyUnreadable(): CoreResponse {
  return jsonResponse(
    400,
    { error: 'invalid_request', error_description: 'The request body could not be read' },
    { ...NO_STORE, connection: 'close' },
  );
}

/** 405 on a metadata route. */
export function methodNotAllowed(allow: string): CoreResponse {
  return jsonResponse(405, { error: 'method_not_allowed' }, { allow, ...NO_STORE });
}

/** 503 while an issuer needed for the answer is unresolved: the same answer as a token check's 503. */
export function temporarilyUnavailable(error: TokenError, head = false): CoreResponse {
  const { retryAfter, body } = unavailableAnswer(error);
  return jsonResponse(503, body, { 'retry-after': retryAfter, ...NO_STORE }, head);
}

/**
 * 204 to a CORS preflight where no application answers it (the gateway): any origin may send
 * the MCP methods with the headers MCP clients use, the bearer token included.
 */
export function corsPreflight(): CoreResponse {
  return {
    status: 204,
    headers: {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST, DELETE',
      'access-control-allow-headers':
        'Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Mcp-Method, Mcp-Name',
      'access-control-max-age': '86400',
    },
    body: undefined,
  };
}

/** 500: an adapter's last resort when the application's chain failed before answering. */
export function serverError(): CoreResponse {
  return jsonResponse(500, { error: 'server_error' }, NO_STORE);
}
