/**
 * Reading one versioned entry from the store: a miss, a store that is down or slow, unparsable
 * JSON and a value that fails its schema all come back as `undefined` (the caller then asks the
 * authorization server itself); nothing read from the store is trusted before the schema passed.
 * @module
 */
import type { z } from 'zod';
import type { Logger } from '../runtime/types.js';
import type { SharedStore } from './store.js';

/**
 * The entry under `key` if it is one `schema` accepts, else `undefined`.
 *
 * @example
 * ```ts
 * const entry = await readEntry(store, 'v1:introspection:abc', ENTRY, logger, 'introspection');
 * ```
 */
export async function readEntry<S extends z.ZodType>(
  store: SharedStore,
  key: string,
  schema: S,
  logger: Logger | undefined,
  kind: string,
): Promise<z.infer<S> | undefined> {
  let raw: string | undefined;
  try {
    raw = await store.get(key);
  } catch {
    return undefined; // store down or slow
  }
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const entry = schema.safeParse(parsed);
  if (!entry.success) {
    logger?.debug?.(`mcp-auth-config: ignored an invalid ${kind} entry in the store`);
    return undefined;
  }
  return entry.data;
}
