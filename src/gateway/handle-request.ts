/**
 * The gateway's request listener: one more adapter over the compiled runtime. It decides nothing
 * about auth: the runtime serves the metadata routes, matches the resource and authenticates;
 * this file translates, forwards and logs.
 *
 * Order for every request: an ambiguous target (routers could disagree about it) is refused 400;
 * the health routes; the metadata routes; a target under no resource is 404 and never forwarded;
 * then `authenticate` for that resource (every resource is protected in gateway mode, whatever
 * its `protect` says); a CORS preflight is answered here (it carries no credentials, so it is not
 * forwarded); an authorised request is forwarded with the path the guard decided on.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { metadataRequest, sendCoreResponse, toCoreRequest } from '../adapters/node-request.js';
import type { McpAuth } from '../runtime/mcp-auth.js';
import { BODY_TOO_LARGE, isForm } from '../runtime/read-body.js';
import type { CompiledResource } from '../runtime/resource.js';
import { classifyTarget } from '../runtime/classify-request.js';
import { parseRequestTarget } from '../runtime/request-target.js';
import { bodyUnreadable, corsPreflight, payloadTooLarge } from '../runtime/respond.js';
import type { AccessLogger } from './access-log.js';
import { captureBody, type CapturedBody } from './capture-body.js';
import {
  carriesMirroredHeaders,
  checkMirroredHeaders,
  type HeaderMismatch,
} from './check-mirrored-headers.js';
import { hasDuplicateMembers } from './duplicate-members.js';
import { upstreamRequestHeaders } from './forward-headers.js';
import { forwardRequest } from './forward-request.js';
import { sendRefusal, type GatewayRefusal } from './gateway-response.js';
import { readiness, serveHealth, sharedReadiness } from './health.js';
import { upstreamPath, type UpstreamRoute } from './route-upstream.js';

/** What one request is served with; a reload swaps the whole value at once. */
export interface GatewayRuntime {
  readonly auth: McpAuth;
  readonly routes: ReadonlyMap<CompiledResource, UpstreamRoute>;
}

/** A request's hold on the runtime it started with (see `createReloadable`'s leases). */
export interface GatewayRuntimeLease {
  readonly runtime: GatewayRuntime;
  release(): void;
}

/** Parts of {@link createGatewayHandler}. */
export interface GatewayHandlerOptions {
  /**
   * The runtime to serve a new request with, taken once when it arrives and released when its
   * response closes: a reload never changes the runtime under a request (or a stream) in flight.
   */
  readonly acquire: () => GatewayRuntimeLease;
  /** The upstream connection pool. */
  readonly dispatcher: Dispatcher;
  /** Receives one record per request. */
  readonly log?: AccessLogger | undefined;
}

/** What the access log records about one request. */
interface Trace {
  resource: string | null;
  subject: string | null;
  clientId: string | null;
  upstreamStatus: number | null;
}

/**
 * A `node:http` request listener that protects and forwards every resource of the runtime.
 *
 * @example
 * ```ts
 * const auth = await compile('./mcp-auth.config.json');
 * const runtime = { auth, routes: upstreamRoutes(auth) };
 * const acquire = () => ({ runtime, release: () => {} });
 * http.createServer(createGatewayHandler({ acquire, dispatcher: createUpstreamAgent() })).listen(8080);
 * ```
 */
export function createGatewayHandler(
  options: GatewayHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    const trace: Trace = { resource: null, subject: null, clientId: null, upstreamStatus: null };
    const lease = options.acquire();
    res.once('close', () => {
      lease.release();
      options.log?.({
        time: new Date().toISOString(),
        method: req.method ?? 'GET',
        // 499: the client went away before any answer.
        status: res.headersSent ? res.statusCode : 499,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...trace,
      });
    });
    handle(options, lease.runtime, req, res, trace).catch(() => sendRefusal(res, 'internal_error'));
  };
}

async function handle(
  options: GatewayHandlerOptions,
  runtime: GatewayRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  trace: Trace,
): Promise<void> {
  const { auth, routes } = runtime;
  const method = (req.method ?? 'GET').toUpperCase();
  const target = parseRequestTarget(req.url ?? '/');
  if (target.ambiguous) return sendRefusal(res, 'ambiguous_target');
  const health = await serveHealth(target.path, method, res, () =>
    sharedReadiness(routes, () => readiness(auth, routes.values(), options.dispatcher)),
  );
  if (health !== undefined) return;

  const metadata = await auth.handleMetadataRequest(metadataRequest(req));
  if (metadata) return sendCoreResponse(res, metadata);

  // Every resource is protected here: readings that name two different resources (a dot segment
  // climbing from one into another) are refused, never decided for one and forwarded to the other.
  const match = classifyTarget(auth.resources, target, req.headers.host, [], { everyProtected: true });
  if (match.conflict) return sendRefusal(res, 'ambiguous_target');
  const route = match.resource && routes.get(match.resource);
  if (!route) return sendRefusal(res, 'not_found');
  trace.resource = route.resource.resource;
  const path = upstreamPath(route, target);
  // The runtime and the normalised reading disagree about the resource: forward nothing.
  if (path === undefined) return sendRefusal(res, 'ambiguous_target');

  const captured = captureBody(req);
  const result = await auth.authenticate(
    { ...toCoreRequest(req), readBody: captured.read },
    { resource: route.resource.resource },
  );
  if (result.response) return sendCoreResponse(res, result.response);
  if (!result.auth) return sendCoreResponse(res, corsPreflight()); // no credentials by design
  const mirrored = method === 'POST' && carriesMirroredHeaders(req.headers);
  if (mirrored && !captured.bytes()) {
    // The runtime did not need the body, but the mirrored headers must be checked against it.
    const read = await captured.read(auth.manifest.settings.maxBodyBytes).catch(() => undefined);
    if (read === undefined && !captured.bytes()) return sendCoreResponse(res, bodyUnreadable());
    if (read === BODY_TOO_LARGE) return sendCoreResponse(res, payloadTooLarge());
  }
  const bytes = captured.bytes();
  if (bytes) {
    const refused = bodyRefusal(captured, req, route.resource.toolScopes.size > 0 || mirrored);
    if (refused) return sendRefusal(res, refused);
  }
  trace.subject = result.auth.subject ?? null;
  trace.clientId = result.auth.clientId || null;

  // A body the runtime read is forwarded as read; otherwise the client's body is streamed.
  const body = bytes ?? streamedBody(req, method);
  const headers = upstreamRequestHeaders(req.headers, result.auth, {
    peer: req.socket.remoteAddress,
    resource: route.resource,
    bodyLength: bytes?.length,
  });
  await forwardRequest(options.dispatcher, req, res, {
    origin: route.origin,
    path,
    headers,
    body,
    onStatus: (status) => (trace.upstreamStatus = status),
  });
}

const MISMATCH_REFUSAL: Readonly<Record<HeaderMismatch, GatewayRefusal>> = {
  method_mismatch: 'method_header_mismatch',
  name_mismatch: 'name_header_mismatch',
  name_missing: 'name_header_missing',
  version_mismatch: 'version_header_mismatch',
  invalid_value: 'header_value_invalid',
};

/**
 * Why a body the gateway read and decided on must not go upstream, if it must not: text that is
 * not JSON (a lenient upstream parser could still read a tools/call in it), duplicate member
 * names (the runtime read the last, an upstream may read the first), or mirrored `Mcp-Method` /
 * `Mcp-Name` headers that disagree with it.
 */
function bodyRefusal(
  captured: CapturedBody,
  req: IncomingMessage,
  decided: boolean,
): GatewayRefusal | undefined {
  if (!decided || isForm(req.headers['content-type'])) return undefined;
  const parsed = captured.parsed();
  if (typeof parsed === 'string') return 'parse_error';
  if (hasDuplicateMembers(captured.bytes()!.toString('utf8'))) return 'duplicate_members';
  const mismatch = checkMirroredHeaders(req.headers, parsed);
  return mismatch && MISMATCH_REFUSAL[mismatch];
}

/** The client's body to stream upstream, when the request has one. */
function streamedBody(req: IncomingMessage, method: string): IncomingMessage | undefined {
  if (method === 'GET' || method === 'HEAD') return undefined;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
    ? req
    : undefined;
}
