/** A small LRU map with per-entry expiry; `get` refreshes recency, expired entries are dropped. */
export class LruCache<V> {
  readonly #max: number;
  readonly #map = new Map<string, { value: V; expiresAt: number }>();

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string, now = Date.now()): V | undefined {
    const entry = this.#map.get(key);
    if (!entry) return undefined;
    this.#map.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.#map.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    if (this.#max <= 0) return;
    this.#map.delete(key);
    this.#map.set(key, { value, expiresAt });
    while (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }
}
