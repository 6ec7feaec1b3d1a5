/**
 * Translation between `node:http` (also Express) requests and the neutral core. No policy.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpAuth } from '../runtime/mcp-auth.js';
import type { AuthenticateOptions, AuthResult, CoreRequest, CoreResponse } from '../runtime/types.js';
import type { AuthInfo } from '../verify/auth-info.js';

/** The largest body read to find the called tools; a larger one is flagged (see `bodyTooLarge`). */
const MAX_BODY = 4 * 1024 * 1024;
const TOO_LARGE = Symbol('mcp-auth-config.bodyTooLarge');

/** A Node request that may carry a parsed body (Express, or set by this adapter) and the identity. */
export type NodeRequest = IncomingMessage & { body?: unknown; auth?: AuthInfo; [TOO_LARGE]?: true };

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

/** The neutral request for a Node request. */
export function toCoreRequest(req: NodeRequest): CoreRequest {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    host: req.headers.host,
    authorization: authorizationHeaders(req),
    accessControlRequestMethod: req.headers['access-control-request-method'],
    contentType: req.headers['content-type'],
    body: req.body,
    bodyTooLarge: req[TOO_LARGE] === true,
  };
}

/**
 * Reads and parses a body once and leaves it on `req.body`, so per-tool scopes (JSON) and a
 * form-body `access_token` sent next to the header (RFC 6750 §2: one method only) can be seen,
 * and the application (e.g. the MCP SDK transport's `handleRequest(req, res, req.body)`) gets
 * the same value. Only for POST with a JSON or `application/x-www-form-urlencoded` content type
 * and no body parsed yet (a form becomes a plain object, as `express.urlencoded()` makes it).
 */
export function ensureJsonBody(req: NodeRequest): Promise<void> | undefined {
  if (req.body !== undefined || req.method !== 'POST') return undefined;
  const type = req.headers['content-type'] ?? '';
  const form = /application\/x-www-form-urlencoded/i.test(type);
  return form || /json/i.test(type) ? readBody(req, form) : undefined;
}

async function readBody(req: NodeRequest, form: boolean): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) {
      req[TOO_LARGE] = true;
      return;
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (form) {
    req.body = Object.fromEntries(new URLSearchParams(text));
    return;
  }
  try {
    req.body = JSON.parse(text);
  } catch {
    req.body = text;
  }
}

/** The part of a request the metadata routes need (no header scan, no body). */
export function metadataRequest(req: IncomingMessage): CoreRequest {
  return { method: req.method ?? 'GET', url: req.url ?? '/', host: req.headers.host, authorization: [] };
}

/** Writes a core response. */
export function sendCoreResponse(res: ServerResponse, response: CoreResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

/** Whether a request is under a resource the runtime protects by default. */
export function isProtectedPath(auth: McpAuth, req: IncomingMessage): boolean {
  return auth.resourceFor(req.url ?? '/', req.headers.host)?.protect === true;
}

/**
 * Authenticates a Node request, connect style: reads the body once when needed, then either
 * answers the request (refused) or sets `req.auth` and calls `next()`. A reused token is decided
 * without a promise turn.
 */
export function protectNodeRequest(
  auth: McpAuth,
  req: NodeRequest,
  res: ServerResponse,
  options: AuthenticateOptions,
  next: (err?: unknown) => void,
): void {
  const apply = (result: AuthResult) => {
    if (result.response) return sendCoreResponse(res, result.response);
    if (result.auth) req.auth = result.auth;
    next();
  };
  const decide = () => {
    let result: AuthResult | Promise<AuthResult>;
    try {
      result = auth.authenticate(toCoreRequest(req), options);
    } catch (err) {
      return next(err);
    }
    if (result instanceof Promise) result.then(apply, next);
    else apply(result);
  };
  const reading = ensureJsonBody(req);
  if (reading) reading.then(decide, next);
  else decide();
}
