/**
 * Real HTTP servers on 127.0.0.1, port 0, for every test that needs a peer on the network: each
 * one records the requests and connections it receives and how many requests were in flight at
 * once, and every server started here is closed by {@link closeAllServers} (call it in
 * `afterEach`/`afterAll`). {@link listen} puts a server the test built itself (an application
 * under test, a raw socket server) on loopback the same way.
 *
 * Handlers are plain `node:http` handlers; the helpers below build the usual answers (JSON, a
 * route table, a slow drip, a never-answering response, a multi-megabyte stream).
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';

/** One request as a test server received it. */
export interface RecordedRequest {
  readonly method: string;
  /** The request target: path and query. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

/** A request handler; it may answer later (or never). */
export type Handler = (req: IncomingMessage, res: ServerResponse, server: TestServer) => unknown;

/** A server listening on 127.0.0.1. */
export interface Listening {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** Stops listening and drops every open connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Listens with `server` (node:http or a raw node:net server) on 127.0.0.1, port 0 unless `port`
 * is given. `close()` destroys the open connections first, so keep-alive sockets and stalled
 * peers never hold a test up.
 */
export async function listen(server: NetServer, port = 0): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    origin: `http://127.0.0.1:${address}`,
    port: address,
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

/** A running test server. */
export interface TestServer extends Listening {
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Requests received so far, optionally only those for exactly `path`. */
  count(path?: string): number;
  /** Requests received so far, any path (`count()`). */
  hits(): number;
  /** TCP connections accepted so far, even ones that never sent a request. */
  connections(): number;
  /** Requests whose response has not finished or been abandoned yet. */
  readonly inFlight: number;
  /** The largest {@link inFlight} seen. */
  readonly maxInFlight: number;
  /** TCP connections currently open to the server (keep-alive ones included). */
  openConnections(): Promise<number>;
  /** Replaces the handler (e.g. to take an issuer "down" or bring it back). */
  setHandler(handler: Handler): void;
}

const open = new Set<TestServer>();

/**
 * Starts a server on 127.0.0.1 (port 0 unless `port` is given, e.g. to restart an issuer on the
 * port it had before).
 */
export async function startServer(handler: Handler, options: { port?: number } = {}): Promise<TestServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let connections = 0;

  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      inFlight--;
    };
    res.once('finish', finish);
    res.once('close', finish);
    try {
      const result = current(req, res, api);
      if (result instanceof Promise)
        result.catch(() => {
          if (!res.headersSent) res.writeHead(500).end();
          else res.destroy();
        });
    } catch {
      res.writeHead(500).end();
    }
  });
  server.on('connection', () => connections++);
  const listening = await listen(server, options.port);

  const api: TestServer = {
    origin: listening.origin,
    port: listening.port,
    requests,
    count: (path) => (path === undefined ? requests.length : requests.filter((r) => r.path === path).length),
    hits: () => requests.length,
    connections: () => connections,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    openConnections: () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
      ),
    setHandler(next) {
      current = next;
    },
    close() {
      open.delete(api);
      return listening.close();
    },
  };
  open.add(api);
  return api;
}

/**
 * Starts a server answering the route table (see {@link routes}) that `table` builds from the
 * server's own origin, for documents that name their own URLs (metadata, a capture).
 */
export async function startRoutes(
  table: (origin: string) => Record<string, unknown>,
  options: { port?: number } = {},
): Promise<TestServer> {
  const server = await startServer(neverAnswer, options);
  server.setHandler(routes(table(server.origin)));
  return server;
}

/** Closes every server started with {@link startServer} that is still open. */
export async function closeAllServers(): Promise<void> {
  await Promise.all([...open].map((s) => s.close()));
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = await startServer(() => undefined);
  await server.close();
  return server.port;
}

/** The whole request body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// Answers

/** Sends a JSON value (`value` may also be a raw string body). */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = typeof value === 'string' ? value : JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

/** A handler that always answers `status` with `value` as JSON. */
export function jsonHandler(value: unknown, status = 200): Handler {
  return (_req, res) => sendJson(res, status, value);
}

/** A handler that answers with `body` as-is (e.g. HTML, truncated JSON). */
export function rawHandler(body: string, contentType = 'application/json', status = 200): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };
}

/**
 * A route table by exact path (query ignored): a value is sent as JSON with 200, a function is
 * called as a handler. Anything else is 404.
 */
export function routes(table: Record<string, unknown>): Handler {
  return (req, res, server) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!Object.hasOwn(table, path)) return sendJson(res, 404, { error: 'not_found' });
    const entry = table[path];
    if (typeof entry === 'function') return (entry as Handler)(req, res, server);
    return sendJson(res, 200, entry);
  };
}

/** A handler that redirects to `location`. */
export function redirectHandler(location: string, status = 302): Handler {
  return (_req, res) => {
    res.writeHead(status, { location, 'content-length': '0' });
    res.end();
  };
}

/** A handler that receives the request and never answers. */
export const neverAnswer: Handler = () => undefined;

/** A handler that sends headers, then one byte of a JSON object every `everyMs` forever. */
export function dripHandler(everyMs = 20): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{');
    const timer = setInterval(() => res.write(' '), everyMs);
    res.once('close', () => clearInterval(timer));
  };
}

/**
 * A handler that streams `bytes` of a JSON object (a long string member), chunked, honouring
 * back-pressure and stopping when the client goes away. With `declare`, it also states the
 * length in `content-length` up front.
 */
export function hugeJsonHandler(bytes: number, options: { declare?: boolean } = {}): Handler {
  return (_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(options.declare ? { 'content-length': String(bytes) } : {}),
    });
    const head = '{"keys":[],"padding":"';
    const tail = '"}';
    const chunk = 'x'.repeat(64 * 1024);
    let left = bytes - head.length - tail.length;
    res.write(head);
    let stopped = false;
    res.once('close', () => (stopped = true));
    const pump = () => {
      while (!stopped && left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.slice(0, left);
        left -= piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      if (!stopped) res.end(tail);
    };
    pump();
  };
}
