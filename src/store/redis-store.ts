/**
 * The Redis {@link SharedStore}, on node-redis (the `redis` package).
 *
 * Why node-redis rather than ioredis: it is the client Redis itself maintains and documents, it
 * is written in TypeScript, its core (`@redis/client`) has no dependencies, and it has what this
 * store needs built in: `rediss://` and TLS options, ACL user/password in the URL, a per-command
 * `timeout`, `disableOfflineQueue` (a command sent while disconnected fails at once instead of
 * waiting for the connection to return) and subscriptions that are restored after a reconnect.
 *
 * The package is an optional peer dependency, imported only when `settings.store.type` is
 * `redis`, through a specifier bundlers do not follow: users without Redis install nothing and
 * bundle nothing.
 * @module
 */
import { StoreError } from '../errors.js';
import type { Logger } from '../runtime/types.js';
import type { SharedStore, StoreListener } from './store.js';

/** What the runtime needs to connect. */
export interface RedisStoreOptions {
  /** `redis://` or `rediss://`; may carry `user:password@`. Never logged. */
  readonly url: string;
  /** Connect over TLS, optionally trusting this CA file (relative to `cwd`). */
  readonly tls?: { readonly caFile?: string | undefined } | undefined;
  /** Prefix of every key and channel. */
  readonly keyPrefix: string;
  /** Deadline of one command, in milliseconds. */
  readonly commandTimeoutMs: number;
  readonly cwd?: string | undefined;
  readonly logger?: Logger | undefined;
}

/** The part of a node-redis client this store uses (kept local so no type of `redis` leaks). */
interface Client {
  connect(): Promise<unknown>;
  sendCommand(args: string[], options?: { timeout?: number }): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  unsubscribe(channel: string, listener: (message: string) => void): Promise<void>;
  duplicate(overrides?: Record<string, unknown>): Client;
  on(event: 'error' | 'ready', listener: (err?: unknown) => void): unknown;
  destroy(): void;
}

/** The `redis` package, loaded on first use. */
async function loadClientFactory(): Promise<(options: Record<string, unknown>) => Client> {
  // A variable specifier: bundlers leave it alone, and Node resolves it only when Redis is used.
  const specifier = 'redis';
  try {
    const mod = (await import(specifier)) as { createClient: (options: Record<string, unknown>) => Client };
    return mod.createClient;
  } catch (err) {
    throw new StoreError(
      'store_client_missing',
      'settings.store.type "redis" needs the redis package: run `npm install redis`',
      { cause: err },
    );
  }
}

/** The CA file's bytes; `node:fs` is imported only here, so a bundle without Redis never needs it. */
async function readCa(file: string, cwd: string | undefined): Promise<Uint8Array> {
  // Looked up, not imported, so bundles for Web-API hosts never see a node: specifier.
  const { readFile } = process.getBuiltinModule('node:fs/promises');
  const { resolve } = process.getBuiltinModule('node:path');
  return readFile(resolve(cwd ?? process.cwd(), file));
}

/**
 * Rejects with `StoreError('store_unavailable')` when `promise` has not settled within `ms`.
 * The client's own command timeout frees its queue; this bound holds whatever the client does.
 */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new StoreError('store_unavailable', 'the store did not answer in time')),
      ms,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * A {@link SharedStore} on Redis: one connection for commands and one for subscriptions, both
 * reconnecting with a capped backoff. Commands fail (never wait) while disconnected and never
 * take longer than `commandTimeoutMs`. Connection failures are logged once per outage, without
 * the URL or the server's text.
 *
 * @example
 * ```ts
 * const store = await RedisStore.connect({ url: process.env.REDIS_URL!, keyPrefix: 'mcp-auth:', commandTimeoutMs: 500 });
 * await store.set('k', 'v', 60_000);
 * await store.close();
 * ```
 */
export class RedisStore implements SharedStore {
  readonly kind = 'redis';
  readonly shared = true;
  readonly #client: Client;
  readonly #subscriber: Client;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  #closed = false;

  private constructor(client: Client, subscriber: Client, options: RedisStoreOptions) {
    this.#client = client;
    this.#subscriber = subscriber;
    this.#prefix = options.keyPrefix;
    this.#timeoutMs = options.commandTimeoutMs;
  }

  /**
   * Creates the clients and starts connecting; resolves once connected or after one command
   * deadline, whichever is first (an unreachable Redis does not stop start-up: every command
   * then fails until it is back).
   *
   * @throws {StoreError} `store_client_missing` when the `redis` package is not installed
   */
  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    const createClient = await loadClientFactory();
    const ca = options.tls?.caFile ? await readCa(options.tls.caFile, options.cwd) : undefined;
    const client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: Math.max(options.commandTimeoutMs, 1000),
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000),
        ...(options.tls ? { tls: true } : {}),
        ...(ca ? { ca } : {}),
      },
    });
    // The subscriber queues while offline, so a subscription asked for during an outage is sent on reconnect.
    const subscriber = client.duplicate({ disableOfflineQueue: false });
    const store = new RedisStore(client, subscriber, options);
    let down = false;
    for (const c of [client, subscriber]) {
      // An 'error' listener is required (node-redis emits one per failed attempt); one warning per outage.
      c.on('error', () => {
        if (down || store.#closed) return;
        down = true;
        options.logger?.warn('mcp-auth-config: the shared store is unreachable; retrying');
      });
      c.on('ready', () => {
        down = false;
      });
    }
    const connected = Promise.all([client.connect(), subscriber.connect()]);
    connected.catch(() => undefined);
    await withDeadline(connected, options.commandTimeoutMs).catch(() => undefined);
    return store;
  }

  #send(args: string[]): Promise<unknown> {
    if (this.#closed) return Promise.reject(new StoreError('store_unavailable', 'the store is closed'));
    let sent: Promise<unknown>;
    try {
      sent = this.#client.sendCommand(args, { timeout: this.#timeoutMs });
    } catch (err) {
      sent = Promise.reject(err as Error);
    }
    return withDeadline(sent, this.#timeoutMs).catch((err: unknown) => {
      if (err instanceof StoreError) throw err;
      throw new StoreError('store_unavailable', 'the store could not be reached', { cause: err });
    });
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.#send(['GET', this.#prefix + key]);
    return typeof value === 'string' ? value : undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#send(['SET', this.#prefix + key, value, 'PX', String(Math.max(1, Math.ceil(ttlMs)))]);
  }

  async delete(key: string): Promise<void> {
    await this.#send(['DEL', this.#prefix + key]);
  }

  async hashSet(key: string, field: string, value: string): Promise<void> {
    await this.#send(['HSET', this.#prefix + key, field, value]);
  }

  async hashEntries(key: string): Promise<Readonly<Record<string, string>>> {
    const reply = await this.#send(['HGETALL', this.#prefix + key]);
    // RESP2 answers a flat array [field, value, ...]; a map is accepted too.
    const out: Record<string, string> = Object.create(null) as Record<string, string>;
    if (Array.isArray(reply)) {
      for (let i = 0; i + 1 < reply.length; i += 2) {
        if (typeof reply[i] === 'string' && typeof reply[i + 1] === 'string')
          out[reply[i] as string] = reply[i + 1] as string;
      }
    } else if (reply && typeof reply === 'object') {
      for (const [field, value] of Object.entries(reply)) if (typeof value === 'string') out[field] = value;
    }
    return out;
  }

  async hashDelete(key: string, fields: readonly string[]): Promise<void> {
    if (fields.length) await this.#send(['HDEL', this.#prefix + key, ...fields]);
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.#send(['PUBLISH', this.#prefix + channel, message]);
  }

  async subscribe(channel: string, listener: StoreListener): Promise<() => Promise<void>> {
    const name = this.#prefix + channel;
    const wrapped = (message: string) => listener(message);
    // node-redis keeps the listener across reconnects and subscribes again once connected, so a
    // subscription made while Redis is down starts working when it returns.
    await withDeadline(this.#subscriber.subscribe(name, wrapped), this.#timeoutMs).catch(() => undefined);
    return async () => {
      await withDeadline(this.#subscriber.unsubscribe(name, wrapped), this.#timeoutMs).catch(() => undefined);
    };
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#client.destroy();
    this.#subscriber.destroy();
    return Promise.resolve();
  }
}
