/**
 * A bounded map with per-entry expiry and approximate LRU eviction. A hit only moves an entry to
 * the young end once it has aged past half the capacity, so most hits cost one lookup while an
 * entry in use is never the one evicted.
 *
 * With `admission: 'second-sighting'`, a full cache admits a new key only the second time it is
 * set, unless its oldest entry has expired (then that entry makes room). First sightings are
 * remembered for up to `max(64, maxEntries)` of them, then forgotten all at once (a doorkeeper of
 * 32-bit hashes, no allocation per key). A stream of keys that are never asked for again (a flood
 * of one-shot tokens) then evicts nothing: the entries in use stay, and no entry dies in the old
 * generation of the heap for every new key. While there is room, every key is admitted at once.
 */
import { fnv1a } from './hash.js';

export interface LruOptions<V> {
  /** `always` (default) or `second-sighting` (see the class). */
  readonly admission?: 'always' | 'second-sighting';
  /** What is kept for a value that is stored (a copy, say); called only when `set` stores. */
  readonly keep?: ((value: V) => V) | undefined;
}

export class LruCache<V, K extends string | number = string> {
  readonly #max: number;
  readonly #map = new Map<K, { value: V; expiresAt: number; seq: number }>();
  readonly #doorkeeper: Doorkeeper | undefined;
  readonly #keep: ((value: V) => V) | undefined;
  #tick = 0;

  constructor(maxEntries: number, options: LruOptions<V> = {}) {
    this.#max = maxEntries;
    this.#keep = options.keep;
    if (options.admission === 'second-sighting' && maxEntries > 0)
      this.#doorkeeper = new Doorkeeper(maxEntries);
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K, now = Date.now()): V | undefined {
    const entry = this.#map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.#map.delete(key);
      return undefined;
    }
    if (this.#tick - entry.seq > this.#max >> 1) {
      this.#map.delete(key);
      entry.seq = ++this.#tick;
      this.#map.set(key, entry);
    }
    return entry.value;
  }

  /** Stores `value` until `expiresAt`; returns whether it was stored (see `admission`). */
  set(key: K, value: V, expiresAt: number): boolean {
    if (this.#max <= 0) return false;
    const known = this.#map.delete(key);
    if (!known && this.#doorkeeper && this.#map.size >= this.#max && !this.#oldestExpired()) {
      if (this.#doorkeeper.firstSighting(key)) return false;
    }
    this.#map.set(key, { value: this.#keep ? this.#keep(value) : value, expiresAt, seq: ++this.#tick });
    while (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
    return true;
  }

  /** Drops the least recently used entry when it has expired; true when it did. */
  #oldestExpired(): boolean {
    const oldest = this.#map.entries().next().value;
    if (!oldest || oldest[1].expiresAt > Date.now()) return false;
    this.#map.delete(oldest[0]);
    return true;
  }

  delete(key: K): void {
    this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
    this.#doorkeeper?.clear();
  }
}

/**
 * Remembers the 32-bit hashes of keys seen once, in an open-addressed table at most half full
 * (8-16 bytes per cache entry, allocated once). Two keys with the same hash only means the second is
 * admitted early, which is what a cache without a doorkeeper does anyway. Cleared (not aged)
 * after `max(64, maxEntries)` first sightings, so a second sighting just after a clear counts as
 * a first one.
 */
class Doorkeeper {
  readonly #hashes: Uint32Array;
  readonly #mask: number;
  readonly #window: number;
  #count = 0;

  constructor(maxEntries: number) {
    this.#window = Math.max(64, maxEntries);
    let size = 128;
    while (size < this.#window * 2) size *= 2;
    this.#hashes = new Uint32Array(size);
    this.#mask = size - 1;
  }

  /** True (and remembered) when `key` was not seen in this window; false on a later sighting. */
  firstSighting(key: string | number): boolean {
    const h = (typeof key === 'number' ? key : fnv1a(key)) >>> 0 || 1; // 0 marks an empty slot
    let slot = this.#find(h);
    if (this.#hashes[slot] === h) return false;
    if (this.#count >= this.#window) {
      this.clear();
      slot = this.#find(h);
    }
    this.#hashes[slot] = h;
    this.#count++;
    return true;
  }

  /** The slot holding `h`, or the empty slot where it belongs. */
  #find(h: number): number {
    let slot = h & this.#mask;
    while (this.#hashes[slot] !== 0 && this.#hashes[slot] !== h) slot = (slot + 1) & this.#mask;
    return slot;
  }

  clear(): void {
    this.#hashes.fill(0);
    this.#count = 0;
  }
}
