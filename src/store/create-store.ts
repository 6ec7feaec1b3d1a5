/**
 * `settings.store` → a {@link SharedStore}. The Redis client is imported here, and only for
 * `type: "redis"`.
 * @module
 */
import type { Settings } from '../manifest/schema.js';
import type { Logger } from '../runtime/types.js';
import { MemoryStore } from './memory-store.js';
import type { SharedStore } from './store.js';

/**
 * Builds the store a manifest asks for. For Redis the command deadline is
 * `min(store.commandTimeoutMs, fetch.timeoutMs)`, so a slow Redis never holds a request past the
 * fetch deadline.
 *
 * @example
 * ```ts
 * const store = await createStore(manifest.settings, { logger: console });
 * ```
 * @throws {StoreError} `store_client_missing` when Redis is configured and `redis` is not installed
 */
export async function createStore(
  settings: Pick<Settings, 'store' | 'fetch'>,
  options: { readonly cwd?: string | undefined; readonly logger?: Logger | undefined } = {},
): Promise<SharedStore> {
  const store = settings.store;
  if (store.type === 'memory') return new MemoryStore();
  const { RedisStore } = await import('./redis-store.js');
  return RedisStore.connect({
    url: store.url,
    tls: store.tls,
    keyPrefix: store.keyPrefix,
    commandTimeoutMs: Math.min(store.commandTimeoutMs, settings.fetch.timeoutMs),
    cwd: options.cwd,
    logger: options.logger,
  });
}
