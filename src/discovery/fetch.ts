/**
 * The one outbound HTTP path of the library (discovery, JWKS, introspection): https, or http to
 * loopback only; no redirects; one total deadline over every stage (DNS, connect, TLS, headers
 * and body), whatever undici's own timeouts are; a size cap enforced while streaming; the body
 * must be a JSON object. Failures are {@link DiscoveryError}s whose messages name the URL and the
 * rule, never the upstream text.
 * @module
 */
import type { LookupFunction } from 'node:net';
import { Agent, request, type Dispatcher } from 'undici';
import { DiscoveryError } from '../errors.js';
import { insecureUrlReason, tryParseUrl } from '../lib/url.js';

/** Limits of one guarded fetch. */
export interface FetchLimits {
  /** Total deadline of the whole exchange (DNS, connect, TLS, headers, body), in ms. Default 5000. */
  readonly timeoutMs?: number | undefined;
  /** Largest accepted body in bytes. Default 1 MiB. */
  readonly maxBytes?: number | undefined;
}

/**
 * Test seam: connection options for one guarded fetch, given under this symbol (a `lookup` that
 * resolves through a chosen DNS server, a CA to trust). The fetch then uses a connection pool of
 * its own, closed when it ends, with the same deadline.
 *
 * @example
 * ```ts
 * await guardedFetch('https://as.test/jwks', { timeoutMs: 300, [connectOptions]: { lookup } });
 * ```
 */
export const connectOptions: unique symbol = Symbol('mcp-auth-config.connectOptions');

/**
 * What {@link connectOptions} may set.
 *
 * @example
 * ```ts
 * const seam: ConnectSeam = { ca: readFileSync('test-ca.pem', 'utf8') };
 * ```
 */
export interface ConnectSeam {
  /** Resolves host names instead of `dns.lookup`. */
  readonly lookup?: LookupFunction;
  /** Certificate authorities to trust (PEM) instead of the default ones. */
  readonly ca?: string | readonly string[];
}

/** A guarded request. */
export interface GuardedRequest extends FetchLimits {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The undici dispatcher to use (the runtime owns one so `close()` releases its sockets). */
  readonly dispatcher?: Dispatcher | undefined;
  /** Accept these non-2xx statuses as "answered" instead of failing (e.g. 404 during discovery). */
  readonly acceptStatus?: (status: number) => boolean;
  /** Read these non-2xx statuses' bodies too, under the same limits (an OAuth error response). */
  readonly readStatus?: (status: number) => boolean;
  /** See {@link connectOptions}; for tests. */
  readonly [connectOptions]?: ConnectSeam | undefined;
}

/** The answer of a guarded fetch: its status and, for 2xx, the parsed JSON object. */
export interface GuardedResponse {
  readonly status: number;
  readonly json: Record<string, unknown> | undefined;
}

/** The defaults of {@link FetchLimits}. */
export const FETCH_DEFAULTS = Object.freeze({ timeoutMs: 5000, maxBytes: 1024 * 1024 });

/**
 * Creates the keep-alive dispatcher a runtime shares between its fetches. Its connect timeout
 * (DNS, TCP and TLS) is the fetch deadline, so a stalled handshake never holds a socket longer
 * than a request waits for it.
 *
 * @example
 * ```ts
 * const dispatcher = createDispatcher({ connectTimeoutMs: manifest.settings.fetch.timeoutMs });
 * await guardedFetch(url, { dispatcher });
 * await dispatcher.close();
 * ```
 */
export function createDispatcher(options: { connectTimeoutMs?: number | undefined } = {}): Agent {
  return new Agent({
    keepAliveTimeout: 10_000,
    connections: 16,
    connect: { timeout: options.connectTimeoutMs ?? FETCH_DEFAULTS.timeoutMs },
  });
}

/** Checks that a URL may be fetched at all; throws `insecure_url` otherwise. */
export function assertFetchableUrl(value: string | URL): URL {
  const url = typeof value === 'string' ? tryParseUrl(value) : value;
  if (!url) throw new DiscoveryError('insecure_url', `"${String(value)}" is not an absolute URL`);
  const reason = insecureUrlReason(url);
  if (reason)
    throw new DiscoveryError('insecure_url', `refusing to fetch ${url.href}: ${reason}`, { url: url.href });
  if (url.username || url.password) {
    throw new DiscoveryError(
      'insecure_url',
      `refusing to fetch ${url.origin}: URLs with credentials are not fetched`,
      {
        url: url.origin,
      },
    );
  }
  return url;
}

/**
 * Fetches a JSON object under the guard rules.
 *
 * @example
 * ```ts
 * const { json } = await guardedFetch('https://auth.example.com/.well-known/oauth-authorization-server', { timeoutMs: 3000 });
 * ```
 * @throws {DiscoveryError} `insecure_url`, `timeout`, `too_large`, `redirect`, `http_status`, `not_json`, `network`
 */
export async function guardedFetch(
  target: string | URL,
  options: GuardedRequest = {},
): Promise<GuardedResponse> {
  const url = assertFetchableUrl(target);
  const href = url.href;
  const timeoutMs = options.timeoutMs ?? FETCH_DEFAULTS.timeoutMs;
  const timedOut = () =>
    new DiscoveryError('timeout', `${href} did not answer within ${timeoutMs} ms`, { url: href });
  const seam = options[connectOptions];
  const own = seam
    ? new Agent({
        connect: {
          timeout: timeoutMs,
          ...(seam.lookup ? { lookup: seam.lookup } : {}),
          ...(seam.ca ? { ca: seam.ca as string | string[] } : {}),
        },
      })
    : undefined;
  const controller = new AbortController();
  // undici only acts on an abort once a socket is assigned (a pending DNS lookup, connect or TLS
  // handshake runs to its own connect timeout), so the deadline also settles the fetch itself.
  let expire!: () => void;
  const deadline = new Promise<never>((_resolve, reject) => {
    expire = () => reject(timedOut());
  });
  const timer = setTimeout(() => {
    controller.abort();
    expire();
  }, timeoutMs);
  try {
    return await Promise.race([
      exchange(href, options, controller.signal, own ?? options.dispatcher, timedOut),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    own?.destroy().catch(() => undefined);
  }
}

/** The request and the body read of {@link guardedFetch}, aborted through `signal`. */
async function exchange(
  href: string,
  options: GuardedRequest,
  signal: AbortSignal,
  dispatcher: Dispatcher | undefined,
  timedOut: () => DiscoveryError,
): Promise<GuardedResponse> {
  const maxBytes = options.maxBytes ?? FETCH_DEFAULTS.maxBytes;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(href, {
      method: options.method ?? 'GET',
      headers: { accept: 'application/json', 'user-agent': 'mcp-auth-config', ...options.headers },
      body: options.body ?? null,
      signal,
      ...(dispatcher ? { dispatcher } : {}),
    });
  } catch (err) {
    if (signal.aborted || networkReason(err) === 'UND_ERR_CONNECT_TIMEOUT') throw timedOut();
    throw new DiscoveryError('network', `could not reach ${href} (${networkReason(err)})`, {
      url: href,
      cause: err,
    });
  }
  const { statusCode: status, body } = response;
  if (signal.aborted) {
    discard(body);
    throw timedOut();
  }
  if (status >= 300 && status < 400) {
    discard(body);
    throw new DiscoveryError(
      'redirect',
      `${href} answered with a redirect (${status}); redirects are not followed`,
      {
        url: href,
        status,
      },
    );
  }
  if ((status < 200 || status >= 300) && !options.readStatus?.(status)) {
    discard(body);
    if (options.acceptStatus?.(status)) return { status, json: undefined };
    throw new DiscoveryError('http_status', `${href} answered HTTP ${status}`, { url: href, status });
  }
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(body);
    throw new DiscoveryError('too_large', `${href} sent more than ${maxBytes} bytes`, { url: href });
  }
  let text: string;
  try {
    text = await readLimited(body, maxBytes, href);
  } catch (err) {
    if (err instanceof DiscoveryError) throw err;
    if (signal.aborted) throw timedOut();
    throw new DiscoveryError('network', `the connection to ${href} failed while reading`, {
      url: href,
      cause: err,
    });
  }
  return { status, json: parseJsonObject(text, href) };
}

/** Reads a body as UTF-8 text, stopping (and dropping the connection) past `maxBytes`. */
async function readLimited(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
  href: string,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      discard(body);
      throw new DiscoveryError('too_large', `${href} sent more than ${maxBytes} bytes`, { url: href });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a body that must be a JSON object; the message never quotes the body. */
function parseJsonObject(text: string, href: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DiscoveryError('not_json', `${href} did not return JSON`, { url: href });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new DiscoveryError('not_json', `${href} did not return a JSON object`, { url: href });
  }
  return json as Record<string, unknown>;
}

/**
 * Drops a body that will not be read. Destroying an unread undici body emits an `AbortError` on
 * it; without a listener that error would be an uncaught exception that can take the process down.
 */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** A short, fixed description of a network error (a code such as ECONNREFUSED, never a message). */
function networkReason(err: unknown): string {
  const code =
    (err as { code?: unknown; cause?: { code?: unknown } }).code ??
    (err as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'connection failed';
}
