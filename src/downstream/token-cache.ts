/**
 * The exchanged-token cache: bounded (LRU), keyed by a SHA-256 of the inbound token (never the
 * token itself) and the downstream name, with single-flight so concurrent callers for the same
 * key share one exchange. Failures are not cached.
 * @module
 */
import { NODE_CRYPTO, type NodeCrypto } from '../lib/builtin.js';
import { LruCache } from '../lib/lru.js';

/** Longest margin before expiry at which a cached token stops being handed out, in ms. */
export const EXPIRY_SKEW_MS = 30_000;

/**
 * The cache key of `(token, name)`: a SHA-256 over both, so the key reveals neither; 64 hex
 * digits. `name` says what the token is for (the broker passes its entry's name with every
 * parameter of the exchange). With `node:crypto` (`nodeCrypto`, the runtime's by default) it is
 * computed at once; without it (workerd without `nodejs_compat`) by WebCrypto, as a promise of the
 * same digits, so instances on different runtimes share a store's entries.
 *
 * @example
 * ```ts
 * const key = await cacheKey(authInfo.token, 'notes-api');
 * ```
 */
export function cacheKey(
  token: string,
  name: string,
  nodeCrypto: NodeCrypto | null = NODE_CRYPTO,
): string | Promise<string> {
  if (nodeCrypto)
    return nodeCrypto.createHash('sha256').update(name).update('\0').update(token).digest('hex');
  return crypto.subtle
    .digest('SHA-256', new TextEncoder().encode(`${name}\0${token}`))
    .then((digest) => Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join(''));
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
 * const token = await cache.get(await cacheKey(auth.token, 'notes-api'), () => exchange());
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
