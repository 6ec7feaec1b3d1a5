/**
 * The one outbound HTTP path of the library (discovery, JWKS, introspection): https, or http to
 * loopback only; no redirects; one total deadline over every stage (DNS, connect, TLS, headers
 * and body), whatever the transport's own timeouts are; a size cap enforced while streaming; the
 * body must be a JSON object. Failures are {@link DiscoveryError}s whose messages name the URL and
 * the rule, never the upstream text.
 *
 * Two transports carry these rules, chosen once per process at the first outbound fetch (never at
 * import time) by {@link outboundTransport}:
 * - **undici** on Node.js: keep-alive pools a runtime closes, a connect timeout, the
 *   {@link connectOptions} test seam. It is loaded with a dynamic import that bundlers do not
 *   follow, so a bundle never contains undici (nor the `node:sqlite` it reaches); a bundle that
 *   runs where `undici` cannot be resolved gets the Web path instead.
 * - **Web `fetch`** (the global) on Bun (`globalThis.Bun`), Deno (`globalThis.Deno`),
 *   Cloudflare's workerd (`navigator.userAgent === 'Cloudflare-Workers'`), any host without
 *   `process.versions.node`, and Node when undici cannot be loaded. Same deadline (an
 *   `AbortSignal` plus the settling race), `redirect: 'manual'` with every 3xx (and the opaque
 *   redirect of browsers) refused, the size cap counted on the body stream; the host owns the
 *   sockets, and `connectOptions` does not apply.
 * @module
 */
import type { LookupFunction } from 'node:net';
import type { Agent, Dispatcher, request as undiciRequest } from 'undici';
import { DiscoveryError } from '../errors.js';
import { insecureUrlReason, redactUrl, tryParseUrl } from '../lib/url.js';
import { decodeUtf8, readWebStreamText } from '../lib/read-web-stream.js';

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
 * its own, closed when it ends, with the same deadline. undici transport only.
 *
 * @example
 * ```ts
 * await guardedFetch('https://as.test/jwks', { timeoutMs: 300, [connectOptions]: { lookup } });
 * ```
 */
export const connectOptions: unique symbol = Symbol('mcp-auth-config.connectOptions');

/**
 * Test seam: given as `true` under this symbol, the fetch takes the Web `fetch` path whatever the
 * host, so the rules of that path can be checked on Node.
 *
 * @example
 * ```ts
 * await guardedFetch('http://127.0.0.1:8080/jwks', { [webFetchPath]: true });
 * ```
 */
export const webFetchPath: unique symbol = Symbol('mcp-auth-config.webFetchPath');

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
  /** The runtime's shared connection pool (see {@link createDispatcher}); `close()` releases it. */
  readonly dispatcher?: SharedDispatcher | undefined;
  /**
   * Which of the pool's lanes carries the request: `keys` (default: issuer metadata and key
   * sets), `calls` (the checks of a request's token: introspection, token information) or
   * `downstream` (token requests for downstream APIs, made for verified callers). Each lane has
   * its own sockets, so a flood of tokens that each need a check queues only behind itself,
   * never in front of a key-set fetch or a verified caller's token exchange.
   */
  readonly lane?: Lane | undefined;
  /** Accept these non-2xx statuses as "answered" instead of failing (e.g. 404 during discovery). */
  readonly acceptStatus?: (status: number) => boolean;
  /** Read these non-2xx statuses' bodies too, under the same limits (an OAuth error response). */
  readonly readStatus?: (status: number) => boolean;
  /** See {@link connectOptions}; for tests. */
  readonly [connectOptions]?: ConnectSeam | undefined;
  /** See {@link webFetchPath}; for tests. */
  readonly [webFetchPath]?: boolean | undefined;
}

/** A lane of the shared pool (see {@link GuardedRequest.lane}). */
export type Lane = 'keys' | 'calls' | 'downstream';

/** The answer of a guarded fetch: its status and, for 2xx, the parsed JSON object. */
export interface GuardedResponse {
  readonly status: number;
  readonly json: Record<string, unknown> | undefined;
  /** An accepted 429's or 503's `Retry-After`, in ms (see `DiscoveryError.retryAfterMs`). */
  readonly retryAfterMs?: number | undefined;
}

/** The defaults of {@link FetchLimits}. */
export const FETCH_DEFAULTS = Object.freeze({ timeoutMs: 5000, maxBytes: 1024 * 1024 });

/** The undici pieces the undici transport uses. */
interface Undici {
  readonly Agent: typeof Agent;
  readonly request: typeof undiciRequest;
}

/** The transport chosen for this process; see the module comment. */
let chosen: Promise<Undici | undefined> | undefined;

/** Whether the host is one whose own `fetch` is the transport (never undici there). */
function isWebHost(): boolean {
  const host = globalThis as { Bun?: unknown; Deno?: unknown; navigator?: { userAgent?: unknown } };
  if (host.Bun !== undefined || host.Deno !== undefined) return true;
  if (host.navigator?.userAgent === 'Cloudflare-Workers') return true;
  const versions = (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions;
  return typeof versions?.node !== 'string';
}

/** undici, loaded once on first use; `undefined` where the Web path is the transport. */
function undici(): Promise<Undici | undefined> {
  chosen ??= isWebHost()
    ? Promise.resolve(undefined)
    : // A specifier bundlers cannot follow: undici is resolved at run time, from node_modules.
      import(/* webpackIgnore: true */ /* @vite-ignore */ UNDICI).then(
        (m: Partial<Undici>) =>
          typeof m.Agent === 'function' && typeof m.request === 'function'
            ? { Agent: m.Agent, request: m.request }
            : undefined,
        () => undefined,
      );
  return chosen;
}
const UNDICI: string = ['un', 'dici'].join('');

/**
 * Which transport this process's outbound fetches take (see the module comment): `'undici'` on
 * Node.js with undici installed, `'web'` (the global `fetch`) elsewhere. Chosen once; calling it
 * loads undici where it applies.
 *
 * @example
 * ```ts
 * console.log(`outbound fetches through ${await outboundTransport()}`); // 'undici' on Node
 * ```
 */
export async function outboundTransport(): Promise<'undici' | 'web'> {
  return (await undici()) ? 'undici' : 'web';
}

/**
 * The connection pool a runtime shares between its fetches: undici `Agent`s (one per
 * {@link GuardedRequest.lane}, 16 sockets per origin each), each created at the first fetch that
 * needs it (nothing at all on the Web path), whose connect timeout (DNS, TCP and TLS) is the
 * fetch deadline, so a stalled handshake never holds a socket longer than a request waits for it.
 *
 * @example
 * ```ts
 * const dispatcher: SharedDispatcher = createDispatcher({ connectTimeoutMs: 5000 });
 * await dispatcher.close();
 * ```
 */
export interface SharedDispatcher {
  /** Closes the pool once requests in flight finish. */
  close(): Promise<void>;
  /** Closes the pool now, failing requests in flight. */
  destroy(): Promise<void>;
}

class LazyDispatcher implements SharedDispatcher {
  readonly #connectTimeoutMs: number;
  readonly #agents = new Map<Lane, Agent>();
  #closed = false;

  constructor(connectTimeoutMs: number) {
    this.#connectTimeoutMs = connectTimeoutMs;
  }

  /** The lane's pool, created on first use; once closed, a pool that fails its fetches as undici's would. */
  agent(lib: Undici, lane: Lane): Agent {
    let agent = this.#agents.get(lane);
    if (!agent) {
      agent = new lib.Agent({
        keepAliveTimeout: 10_000,
        connections: 16,
        connect: { timeout: this.#connectTimeoutMs },
      });
      this.#agents.set(lane, agent);
      if (this.#closed) void agent.close();
    }
    return agent;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#agents.values()].map((agent) => agent.close()));
  }

  async destroy(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#agents.values()].map((agent) => agent.destroy()));
  }
}

/**
 * Creates the connection pool a runtime shares between its fetches (see {@link SharedDispatcher}).
 * Creating one loads nothing: the undici `Agent` behind it is made at the first fetch.
 *
 * @example
 * ```ts
 * const dispatcher = createDispatcher({ connectTimeoutMs: manifest.settings.fetch.timeoutMs });
 * await guardedFetch(url, { dispatcher });
 * await dispatcher.close();
 * ```
 */
export function createDispatcher(options: { connectTimeoutMs?: number | undefined } = {}): SharedDispatcher {
  return new LazyDispatcher(options.connectTimeoutMs ?? FETCH_DEFAULTS.timeoutMs);
}

/** Checks that a URL may be fetched at all; throws `insecure_url` otherwise. */
export function assertFetchableUrl(value: string | URL): URL {
  // No message names a URL's user information: it may be a password.
  const url = typeof value === 'string' ? tryParseUrl(value) : value;
  if (!url) throw new DiscoveryError('insecure_url', `"${redactUrl(String(value))}" is not an absolute URL`);
  if (url.username || url.password) {
    throw new DiscoveryError(
      'insecure_url',
      `refusing to fetch ${url.origin}: URLs with credentials are not fetched`,
      { url: url.origin },
    );
  }
  const reason = insecureUrlReason(url);
  if (reason)
    throw new DiscoveryError('insecure_url', `refusing to fetch ${url.href}: ${reason}`, { url: url.href });
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
  // Loading undici (once per process) is not part of the exchange: it happens before the clock starts.
  const lib = options[webFetchPath] ? undefined : await undici();
  const controller = new AbortController();
  const signal = controller.signal;
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
  let own: Agent | undefined;
  const run = async (): Promise<GuardedResponse> => {
    if (!lib)
      return settle(href, options, signal, timedOut, await webExchange(href, options, signal, timedOut));
    const seam = options[connectOptions];
    own = seam
      ? new lib.Agent({
          connect: {
            timeout: timeoutMs,
            ...(seam.lookup ? { lookup: seam.lookup } : {}),
            ...(seam.ca ? { ca: seam.ca as string | string[] } : {}),
          },
        })
      : undefined;
    const shared =
      options.dispatcher instanceof LazyDispatcher
        ? options.dispatcher.agent(lib, options.lane ?? 'keys')
        : undefined;
    const answer = await undiciExchange(href, options, signal, timedOut, lib, own ?? shared);
    return settle(href, options, signal, timedOut, answer);
  };
  try {
    return await Promise.race([run(), deadline]);
  } finally {
    clearTimeout(timer);
    own?.destroy().catch(() => undefined);
  }
}

/** A response whose headers arrived, before its body is read: what both transports give. */
interface Answer {
  readonly status: number;
  readonly contentLength: string | undefined;
  /** The `Retry-After` header, when there is one. */
  readonly retryAfter: string | undefined;
  /** Reads the body as UTF-8 text, dropping the connection past `maxBytes` (`too_large`). */
  readonly read: (maxBytes: number) => Promise<string>;
  /** Drops a body that will not be read. */
  readonly discard: () => void;
}

/** The request through undici, aborted through `signal`. */
async function undiciExchange(
  href: string,
  options: GuardedRequest,
  signal: AbortSignal,
  timedOut: () => DiscoveryError,
  lib: Undici,
  dispatcher: Dispatcher | undefined,
): Promise<Answer> {
  let response: Dispatcher.ResponseData;
  try {
    response = await lib.request(href, {
      method: options.method ?? 'GET',
      headers: requestHeaders(options),
      body: options.body ?? null,
      signal,
      ...(dispatcher ? { dispatcher } : {}),
    });
  } catch (err) {
    if (signal.aborted || networkReason(err) === 'UND_ERR_CONNECT_TIMEOUT') throw timedOut();
    throw unreachable(href, err);
  }
  const { body } = response;
  const length = response.headers['content-length'];
  const retryAfter = response.headers['retry-after'];
  return {
    status: response.statusCode,
    contentLength: typeof length === 'string' ? length : undefined,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
    read: (maxBytes) => readNodeBody(body, maxBytes, href),
    discard: () => discardNodeBody(body),
  };
}

/** The request through the host's global `fetch`, aborted through `signal`; redirects are answers. */
async function webExchange(
  href: string,
  options: GuardedRequest,
  signal: AbortSignal,
  timedOut: () => DiscoveryError,
): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(href, {
      method: options.method ?? 'GET',
      headers: requestHeaders(options),
      ...(options.body === undefined ? {} : { body: options.body }),
      // Never followed: a 3xx comes back as the answer (browsers give an opaque redirect, status 0).
      redirect: 'manual',
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw timedOut();
    throw unreachable(href, err);
  }
  const status = response.type === 'opaqueredirect' ? 302 : response.status;
  const stream = response.body;
  const discard = () => void stream?.cancel().catch(() => undefined);
  return {
    status,
    contentLength: response.headers.get('content-length') ?? undefined,
    retryAfter: response.headers.get('retry-after') ?? undefined,
    read: (maxBytes) => (stream ? readWebBody(stream, maxBytes, href) : Promise.resolve('')),
    discard,
  };
}

function requestHeaders(options: GuardedRequest): Record<string, string> {
  return { accept: 'application/json', 'user-agent': 'mcp-auth-config', ...options.headers };
}

function unreachable(href: string, err: unknown): DiscoveryError {
  return new DiscoveryError('network', `could not reach ${href} (${networkReason(err)})`, {
    url: href,
    cause: err,
  });
}

/** The rules applied to an answer, whichever transport brought it. */
async function settle(
  href: string,
  options: GuardedRequest,
  signal: AbortSignal,
  timedOut: () => DiscoveryError,
  answer: Answer,
): Promise<GuardedResponse> {
  const { status } = answer;
  const maxBytes = options.maxBytes ?? FETCH_DEFAULTS.maxBytes;
  if (signal.aborted) {
    answer.discard();
    throw timedOut();
  }
  if (status >= 300 && status < 400) {
    answer.discard();
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
    answer.discard();
    const asked = status === 429 || status === 503 ? retryAfterMs(answer.retryAfter) : undefined;
    if (options.acceptStatus?.(status)) return { status, json: undefined, retryAfterMs: asked };
    throw new DiscoveryError('http_status', `${href} answered HTTP ${status}`, {
      url: href,
      status,
      retryAfterMs: asked,
    });
  }
  const declared = Number(answer.contentLength);
  if (Number.isFinite(declared) && declared > maxBytes) {
    answer.discard();
    throw new DiscoveryError('too_large', `${href} sent more than ${maxBytes} bytes`, { url: href });
  }
  let text: string;
  try {
    text = await answer.read(maxBytes);
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

/**
 * A `Retry-After` value in ms from now (RFC 9110: delay-seconds or an HTTP date); `undefined`
 * when absent, malformed or already past.
 */
function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** Reads an undici body as UTF-8 text, stopping (and dropping the connection) past `maxBytes`. */
async function readNodeBody(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
  href: string,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      discardNodeBody(body);
      throw new DiscoveryError('too_large', `${href} sent more than ${maxBytes} bytes`, { url: href });
    }
    chunks.push(chunk);
  }
  return decodeUtf8(chunks, size);
}

/** Reads a Web body stream as UTF-8 text, cancelling it past `maxBytes`. */
async function readWebBody(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  href: string,
): Promise<string> {
  const text = await readWebStreamText(stream, maxBytes);
  if (text === undefined)
    throw new DiscoveryError('too_large', `${href} sent more than ${maxBytes} bytes`, { url: href });
  return text;
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
function discardNodeBody(body: Dispatcher.ResponseData['body']): void {
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
