/**
 * The exchanged-token cache: bounded (LRU), keyed by a SHA-256 of the inbound token (never the
 * token itself) and the downstream name, with single-flight so concurrent callers for the same
 * key share one exchange. Failures are not cached.
 * @module
 */
import { LruCache } from '../lib/lru.js';

/** Longest margin before expiry at which a cached token stops being handed out, in ms. */
export const EXPIRY_SKEW_MS = 30_000;

/**
 * The cache key of `(token, name)`: a SHA-256 over both, so the key reveals neither.
 *
 * @example
 * ```ts
 * cacheKey(authInfo.token, 'notes-api'); // 64 hex digits
 * ```
 */
export function cacheKey(token: string, name: string): string {
  // node:crypto looked up at the call, not imported: the module stays Web-API only.
  return process
    .getBuiltinModule('node:crypto')
    .createHash('sha256')
    .update(name)
    .update('\0')
    .update(token)
    .digest('hex');
}

/**
 * Until when a token that expires at `expiresAtMs` may be handed out: 30 s before its expiry, or
 * a tenth of its lifetime before it when that is shorter, and never past `capMs` (the inbound
 * token's own expiry).
 *
 * @example
 * ```ts
 * usableUntil(Date.now(), Date.now() + 3_600_000, authInfo.expiresAt! * 1000);
 * ```
 */
export function usableUntil(nowMs: number, expiresAtMs: number, capMs?: number): number {
  const lifetime = Math.max(0, expiresAtMs - nowMs);
  const until = expiresAtMs - Math.min(EXPIRY_SKEW_MS, lifetime / 10);
  return capMs === undefined ? until : Math.min(until, capMs);
}

/** What a producer returns: the value and until when it may be reused (epoch ms). */
export interface Produced<V> {
  readonly value: V;
  readonly usableUntilMs: number;
}

/**
 * A bounded, single-flight cache of values that expire.
 *
 * @example
 * ```ts
 * const cache = new TokenCache<DownstreamToken>(10_000);
 * const token = await cache.get(cacheKey(auth.token, 'notes-api'), () => exchange());
 * ```
 */
export class TokenCache<V> {
  readonly #lru: LruCache<V>;
  readonly #inflight = new Map<string, Promise<V>>();

  constructor(maxEntries: number) {
    this.#lru = new LruCache<V>(maxEntries);
  }

  /** Entries held (for tests and metrics). */
  get size(): number {
    return this.#lru.size;
  }

  /** The cached value, else the one being produced for `key`, else a new one from `produce`. */
  get(key: string, produce: () => Promise<Produced<V>>): Promise<V> {
    const hit = this.#lru.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const pending = this.#inflight.get(key);
    if (pending) return pending;
    const started = produce().then(({ value, usableUntilMs }) => {
      if (usableUntilMs > Date.now()) this.#lru.set(key, value, usableUntilMs);
      return value;
    });
    const shared = started.finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, shared);
    return shared;
  }

  /** Forgets everything. */
  clear(): void {
    this.#lru.clear();
  }
}
