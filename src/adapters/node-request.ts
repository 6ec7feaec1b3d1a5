/**
 * Translation between `node:http` (also Express) requests and the neutral core. No policy: the
 * runtime decides what is protected, whether the body is needed and how it is parsed.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpAuth } from '../runtime/mcp-auth.js';
import { BODY_TOO_LARGE, parseBody } from '../runtime/read-body.js';
import { serverError } from '../runtime/respond.js';
import type { AuthResult, CoreRequest, CoreResponse, HandleOptions } from '../runtime/types.js';
import type { AuthInfo } from '../verify/auth-info.js';

/** A Node request that may carry a parsed body (Express, or set by this adapter) and the identity. */
export type NodeRequest = IncomingMessage & {
  body?: unknown;
  auth?: AuthInfo;
  originalUrl?: string;
  baseUrl?: string;
};

/**
 * The path Express will route on when an earlier middleware rewrote `req.url` (a prefix strip,
 * an alias: `/v1/mcp` → `/mcp`), as a second reading; `undefined` when nothing was rewritten.
 */
function rewrittenPath(req: NodeRequest): readonly string[] | undefined {
  if (req.originalUrl === undefined || req.url === undefined) return undefined;
  const routed = `${req.baseUrl ?? ''}${req.url}`;
  if (routed === req.originalUrl) return undefined;
  const query = routed.indexOf('?');
  return [query < 0 ? routed : routed.slice(0, query)];
}

/**
 * Every `Authorization` header value as received. Node keeps only the first of duplicated
 * `Authorization` headers in `req.headers`, so the raw list is read (cheaper than `headersDistinct`).
 */
export function authorizationHeaders(req: IncomingMessage): string[] {
  const raw = req.rawHeaders;
  const values: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') values.push(raw[i + 1]!);
  }
  return values;
}

/**
 * The bytes of a request body, at most `limit` of them, or `BODY_TOO_LARGE`: over the limit
 * reading stops and the stream is paused, not destroyed (the request is then answered 413 with
 * `Connection: close`, so no application sees a half-read stream). A stream someone else
 * already consumed, or one closed before its end, rejects.
 */
export function readNodeBytes(req: IncomingMessage, limit: number): Promise<Buffer | typeof BODY_TOO_LARGE> {
  if (req.readableEnded) return Promise.reject(new Error('request body already consumed'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      done();
      req.pause();
      resolve(BODY_TOO_LARGE);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onClose = () => {
      done();
      reject(new Error('request closed before its body ended'));
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * Reads and parses a body for the runtime and leaves the value on `req.body` (what
 * `express.json()` would have left, and what the MCP SDK transport's
 * `handleRequest(req, res, req.body)` takes).
 */
export async function readNodeBody(req: NodeRequest, limit: number): Promise<unknown> {
  const bytes = await readNodeBytes(req, limit);
  if (bytes === BODY_TOO_LARGE) return bytes;
  req.body = parseBody(bytes.toString('utf8'), req.headers['content-type']);
  return req.body;
}

/**
 * The neutral request for a Node request. The target is Express's `originalUrl` when present
 * (a mounted router sees a shortened `req.url`), else `req.url`, and a `req.url` an earlier
 * middleware rewrote is classified too (protected when either is); a body the framework parsed is
 * passed on, otherwise the runtime may ask for it through `readBody`.
 *
 * A `req.body` on a stream nobody has read is not the body: body-parser 1.x (Express 4) sets
 * `req.body = {}` on a request whose content type it cannot parse (`application/json;`), and
 * an MCP transport that reads the stream itself would then run a `tools/call` the runtime never
 * saw. Such a `req.body` is ignored, and the runtime reads the bytes. A request object that is
 * no stream (no `readableEnded`) keeps its `req.body`.
 */
export function toCoreRequest(req: NodeRequest): CoreRequest {
  return {
    method: req.method ?? 'GET',
    url: req.originalUrl ?? req.url ?? '/',
    routePatterns: rewrittenPath(req),
    host: req.headers.host,
    authorization: authorizationHeaders(req),
    accessControlRequestMethod: req.headers['access-control-request-method'],
    contentLength: req.headers['content-length'],
    contentType: req.headers['content-type'],
    body: req.readableEnded === false ? undefined : req.body,
    readBody: (limit) => readNodeBody(req, limit),
  };
}

/** The part of a request the metadata routes need (no header scan, no body). */
export function metadataRequest(req: NodeRequest): CoreRequest {
  return {
    method: req.method ?? 'GET',
    url: req.originalUrl ?? req.url ?? '/',
    host: req.headers.host,
    authorization: [],
  };
}

/** Writes a core response. */
export function sendCoreResponse(res: ServerResponse, response: CoreResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

/** A core response as a Web `Response` (what hosts such as mcp-proxy accept thrown from a hook). */
export function toWebResponse(response: CoreResponse): Response {
  return new Response(response.body ?? null, { status: response.status, headers: response.headers });
}

/** The runtime's last-resort 500, or a destroyed socket when the answer has already started. */
export function sendServerError(res: ServerResponse): void {
  if (res.headersSent) res.destroy();
  else sendCoreResponse(res, serverError());
}

/**
 * Runs one runtime decision connect style: answers the request (metadata, refusal) or sets
 * `req.auth` and calls `next()`. A decision made synchronously (a reused token) costs no
 * promise turn.
 */
export function applyNodeDecision(
  decide: () => AuthResult | Promise<AuthResult>,
  req: NodeRequest,
  res: ServerResponse,
  next: (err?: unknown) => void,
): void {
  const apply = (result: AuthResult) => {
    if (result.response) return sendCoreResponse(res, result.response);
    if (result.auth) req.auth = result.auth;
    next();
  };
  let result: AuthResult | Promise<AuthResult>;
  try {
    result = decide();
  } catch (err) {
    return next(err);
  }
  if (result instanceof Promise) result.then(apply, next);
  else apply(result);
}

/** The "protect every path" decision for a Node request (see {@link McpAuth.handle}). */
export function handleNodeRequest(
  auth: McpAuth,
  req: NodeRequest,
  res: ServerResponse,
  options: HandleOptions,
  next: (err?: unknown) => void,
): void {
  applyNodeDecision(() => auth.handle(toCoreRequest(req), options), req, res, next);
}
