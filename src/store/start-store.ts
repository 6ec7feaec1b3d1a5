/**
 * What `compile()` builds from `settings.store` and `settings.revocation`: the store, the
 * runtime's revocation list and, for a shared store, the shared introspection cache.
 * @module
 */
import type { Settings } from '../manifest/schema.js';
import type { Logger } from '../runtime/types.js';
import type { DownstreamTokenCache } from './cache-downstream.js';
import type { IntrospectionCache } from './cache-introspection.js';
import { createStore } from './create-store.js';
import { RevocationList } from './revocation.js';
import type { SharedStore } from './store.js';

/** The store-backed parts of one runtime. */
export interface StoreParts {
  readonly store: SharedStore;
  readonly revocation: RevocationList;
  /** Only when the store is shared: the verified-token cache already covers one process. */
  readonly introspectionCache: IntrospectionCache | undefined;
  /** Only when the store is shared: exchanged downstream tokens (the broker's own cache covers one process). */
  readonly downstreamCache: DownstreamTokenCache | undefined;
  /** Stops the revocation timer and subscription, then closes the store. */
  close(): Promise<void>;
}

/**
 * Connects the store and loads the revocation list (each bounded by the store's command
 * deadline: an unreachable Redis does not stop start-up).
 *
 * @example
 * ```ts
 * const parts = await startStore(manifest.settings, { logger });
 * parts.revocation.refusal(authInfo);
 * await parts.close();
 * ```
 * @throws {StoreError} `store_client_missing` when Redis is configured and `redis` is not installed
 */
export async function startStore(
  settings: Pick<Settings, 'store' | 'fetch' | 'revocation' | 'cache'>,
  options: { readonly cwd?: string | undefined; readonly logger?: Logger | undefined } = {},
): Promise<StoreParts> {
  const store = await createStore(settings, options);
  const revocation = await RevocationList.start(store, settings.revocation, options.logger);
  // Imported only for a shared store (it hashes with node:crypto).
  const introspectionCache = store.shared
    ? (await import('./cache-introspection.js')).sharedIntrospectionCache(store, {
        maxAgeMs: settings.cache.maxAgeSeconds * 1000,
        logger: options.logger,
      })
    : undefined;
  const downstreamCache = store.shared
    ? (await import('./cache-downstream.js')).sharedDownstreamCache(store, { logger: options.logger })
    : undefined;
  return Object.freeze({
    store,
    revocation,
    introspectionCache,
    downstreamCache,
    async close() {
      await revocation.close();
      await store.close();
    },
  });
}
