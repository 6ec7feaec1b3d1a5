/**
 * A bounded map with per-entry expiry and approximate LRU eviction. A hit only moves an entry to
 * the young end once it has aged past half the capacity, so most hits cost one lookup while an
 * entry in use is never the one evicted.
 */
export class LruCache<V> {
  readonly #max: number;
  readonly #map = new Map<string, { value: V; expiresAt: number; seq: number }>();
  #tick = 0;

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string, now = Date.now()): V | undefined {
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

  set(key: string, value: V, expiresAt: number): void {
    if (this.#max <= 0) return;
    this.#map.delete(key);
    this.#map.set(key, { value, expiresAt, seq: ++this.#tick });
    while (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }
}
