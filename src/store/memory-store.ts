/**
 * The in-memory {@link SharedStore}: the default, for one process. Nothing is shared, so the
 * runtime does not route introspection results through it (its own verified-token cache already
 * holds them); revocations recorded here apply to this process only.
 * @module
 */
import type { SharedStore, StoreListener } from './store.js';

/**
 * A {@link SharedStore} held in this process. Expired keys are dropped when read.
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * await store.set('k', 'v', 1000);
 * await store.get('k'); // 'v'
 * ```
 */
export class MemoryStore implements SharedStore {
  readonly kind = 'memory';
  readonly shared = false;
  readonly #values = new Map<string, { value: string; expiresAt: number }>();
  readonly #hashes = new Map<string, Map<string, string>>();
  readonly #listeners = new Map<string, Set<StoreListener>>();

  get(key: string): Promise<string | undefined> {
    const entry = this.#values.get(key);
    if (entry && entry.expiresAt <= Date.now()) this.#values.delete(key);
    return Promise.resolve(entry && entry.expiresAt > Date.now() ? entry.value : undefined);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#values.set(key, { value, expiresAt: Date.now() + Math.max(1, ttlMs) });
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.#values.delete(key);
    this.#hashes.delete(key);
    return Promise.resolve();
  }

  hashSet(key: string, field: string, value: string): Promise<void> {
    let hash = this.#hashes.get(key);
    if (!hash) this.#hashes.set(key, (hash = new Map()));
    hash.set(field, value);
    return Promise.resolve();
  }

  hashEntries(key: string): Promise<Readonly<Record<string, string>>> {
    return Promise.resolve(Object.fromEntries(this.#hashes.get(key) ?? []));
  }

  hashDelete(key: string, fields: readonly string[]): Promise<void> {
    const hash = this.#hashes.get(key);
    for (const field of fields) hash?.delete(field);
    return Promise.resolve();
  }

  publish(channel: string, message: string): Promise<void> {
    // Delivered after the current turn, as a remote subscriber would receive it.
    for (const listener of this.#listeners.get(channel) ?? []) queueMicrotask(() => listener(message));
    return Promise.resolve();
  }

  subscribe(channel: string, listener: StoreListener): Promise<() => Promise<void>> {
    let set = this.#listeners.get(channel);
    if (!set) this.#listeners.set(channel, (set = new Set()));
    set.add(listener);
    return Promise.resolve(() => {
      set.delete(listener);
      return Promise.resolve();
    });
  }

  close(): Promise<void> {
    this.#values.clear();
    this.#hashes.clear();
    this.#listeners.clear();
    return Promise.resolve();
  }
}
