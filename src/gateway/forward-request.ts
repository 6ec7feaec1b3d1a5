/**
 * Sends an authorised request to its upstream and streams the answer back.
 *
 * Built on undici's `Dispatcher.stream()` with the gateway's own `Agent` rather than hand-written
 * `http.request` plumbing: undici writes the upstream body straight into the client's
 * `ServerResponse` (no intermediate `Readable`), honours the writable's backpressure, aborts the
 * upstream request when that writable is destroyed (the client went away), keeps upstream
 * connections alive in its pool, and has distinct, typed header and connect timeouts, which the
 * 502/504 mapping needs. undici is already the library's HTTP client, so nothing new is pulled in.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { clientResponseHeaders } from './forward-headers.js';
import { sendRefusal } from './gateway-response.js';

/** Upstream timeouts of the gateway. */
export interface UpstreamTimeouts {
  /** Time allowed for the upstream's response headers, in ms (then 504). Default 30 000. */
  readonly headersTimeoutMs?: number | undefined;
  /** Time allowed to open a connection, in ms (then 504). Default 10 000. */
  readonly connectTimeoutMs?: number | undefined;
  /**
   * Longest silence allowed between two chunks of the upstream's response body, in ms; then the
   * client's stream is cut (the upstream stalled). Default 0: no limit, since an SSE stream may
   * legitimately stay quiet for long (upstreams usually send keep-alive comments).
   */
  readonly bodyTimeoutMs?: number | undefined;
}

/**
 * The gateway's upstream connection pool. No body timeout unless asked: an SSE stream may stay
 * quiet for long.
 *
 * @example
 * ```ts
 * const agent = createUpstreamAgent({ headersTimeoutMs: 5000 });
 * ```
 */
export function createUpstreamAgent(timeouts: UpstreamTimeouts = {}): Agent {
  return new Agent({
    keepAliveTimeout: 10_000,
    headersTimeout: timeouts.headersTimeoutMs ?? 30_000,
    bodyTimeout: timeouts.bodyTimeoutMs ?? 0,
    connect: { timeout: timeouts.connectTimeoutMs ?? 10_000 },
  });
}

/** One request to forward. */
export interface ForwardRequest {
  readonly origin: string;
  /** Path and query, ready for the request line. */
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  /** The body: the bytes already read, or the client request to stream from. */
  readonly body: Buffer | IncomingMessage | undefined;
  /** Called with the upstream's status as soon as its headers arrive. */
  readonly onStatus?: ((status: number) => void) | undefined;
}

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Forwards `request` and streams the upstream answer into `res`. Resolves with the upstream status
 * (for the access log), or `undefined` when the upstream never answered: then `res` got a 502
 * (refused, reset) or 504 (timed out) with a fixed JSON-RPC error body, or, when the client had
 * already gone, nothing. An upstream that fails mid-stream cuts the client's stream.
 *
 * @example
 * ```ts
 * const status = await forwardRequest(agent, req, res, { origin, path: '/mcp', headers, body: req });
 * ```
 */
export async function forwardRequest(
  dispatcher: Dispatcher,
  req: IncomingMessage,
  res: ServerResponse,
  request: ForwardRequest,
): Promise<number | undefined> {
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);
  let status: number | undefined;
  try {
    await dispatcher.stream(
      {
        origin: request.origin,
        path: request.path,
        method: req.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: (request.body as Buffer | Readable | undefined) ?? null,
        signal: abort.signal,
        opaque: res,
      },
      ({ statusCode, headers, opaque }) => {
        const out = opaque as ServerResponse;
        status = statusCode;
        request.onStatus?.(statusCode);
        out.writeHead(statusCode, clientResponseHeaders(headers));
        // An event stream's headers go out now, not with its first event.
        if (/^text\/event-stream/i.test(String(headers['content-type'] ?? ''))) out.flushHeaders();
        return out;
      },
    );
  } catch (err) {
    if (abort.signal.aborted || res.destroyed) return status;
    const code = (err as { code?: unknown }).code;
    sendRefusal(res, TIMEOUTS.has(String(code)) ? 'upstream_timeout' : 'upstream_unavailable');
    return status;
  } finally {
    res.off('close', onClose);
  }
  return status;
}
