/**
 * The shared-store interface: what several instances of a protected server share. Two
 * implementations: {@link MemoryStore} (the default; one process) and {@link RedisStore}.
 * Keys and channels given here are relative: an implementation adds its own prefix.
 * @module
 */

/** Receives one message published on a channel. */
export type StoreListener = (message: string) => void;

/**
 * A small key-value store with expiry, one hash per name, and publish/subscribe. Every method
 * may reject (a store that is down or slow); callers decide what a failure means, and no method
 * ever waits longer than the store's command deadline.
 *
 * Values are strings the caller has serialised; whatever is read back is untrusted input (another
 * process, an older version or an attacker with access to the store may have written it), so
 * callers validate every value they read.
 *
 * @example
 * ```ts
 * const store: SharedStore = new MemoryStore();
 * await store.set('greeting', 'hello', 60_000);
 * await store.get('greeting'); // 'hello' (undefined after 60 s)
 * const stop = await store.subscribe('news', (message) => console.log(message));
 * await store.publish('news', 'revoked');
 * await stop();
 * ```
 */
export interface SharedStore {
  /** `memory` or `redis`. */
  readonly kind: 'memory' | 'redis';
  /** True when the values are shared with other processes (Redis). */
  readonly shared: boolean;
  /** The value of `key`, or `undefined` when there is none (or it expired). */
  get(key: string): Promise<string | undefined>;
  /** Sets `key` to `value` for `ttlMs` milliseconds (at least 1). */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Removes `key`. */
  delete(key: string): Promise<void>;
  /** Sets one field of the hash `key`. */
  hashSet(key: string, field: string, value: string): Promise<void>;
  /** Every field of the hash `key` (empty when there is none). */
  hashEntries(key: string): Promise<Readonly<Record<string, string>>>;
  /** Removes fields of the hash `key`. */
  hashDelete(key: string, fields: readonly string[]): Promise<void>;
  /** Sends `message` to every subscriber of `channel`, in every process sharing the store. */
  publish(channel: string, message: string): Promise<void>;
  /**
   * Calls `listener` with each message published on `channel` from now on; the subscription
   * survives reconnections. Resolves with a function that ends it.
   */
  subscribe(channel: string, listener: StoreListener): Promise<() => Promise<void>>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
