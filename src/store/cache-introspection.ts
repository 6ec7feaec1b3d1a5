/**
 * Introspection results (RFC 7662) shared through the store, so a fleet introspects a token
 * once. Keyed by a SHA-256 of the token; kept no longer than the token's `exp` and
 * `settings.cache.maxAgeSeconds`; versioned and validated when read (a value that is not a
 * version-1 entry for this endpoint, or whose `exp` has passed, is a miss). Only active results
 * are stored: a refusal is never cached, as in the verified-token cache.
 *
 * What it does NOT protect against: a party that can write to the store can write a well-formed
 * entry. Redis is trusted for integrity as the verified-token cache is; validation keeps corrupt,
 * foreign and older-version values from being used. The claim checks (`exp`, `iss`, audience)
 * run on every read, as on a fresh answer.
 * @module
 */
import { z } from 'zod';
import type { Logger } from '../runtime/types.js';
import { hashToken } from './hash-token.js';
import { readEntry } from './read-entry.js';
import type { SharedStore } from './store.js';

/** How a verifier reads and writes shared introspection results. */
export interface IntrospectionCache {
  /**
   * The stored response members for `token` at `endpoint` and when they were answered (epoch
   * ms), or `undefined` (miss, invalid, store down).
   */
  read(
    endpoint: string,
    token: string,
  ): Promise<{ readonly claims: Readonly<Record<string, unknown>>; readonly storedAt: number } | undefined>;
  /** Stores an active response; never rejects, never delays the caller. */
  write(endpoint: string, token: string, claims: Readonly<Record<string, unknown>>): void;
}

const ENTRY = z.strictObject({
  v: z.literal(1),
  endpoint: z.string(),
  storedAt: z.number().int().nonnegative(),
  claims: z.record(z.string(), z.unknown()).refine((c) => c.active === true),
});

/** The store key of a token's introspection result. */
export function introspectionKey(token: string): string {
  return `v1:introspection:${hashToken(token)}`;
}

/**
 * An {@link IntrospectionCache} on `store`. Entries live at most `maxAgeMs` and never past `exp`.
 *
 * @example
 * ```ts
 * const cache = sharedIntrospectionCache(store, { maxAgeMs: 60_000 });
 * const claims = (await cache.read(endpoint, token))?.claims ?? (await introspect());
 * ```
 */
export function sharedIntrospectionCache(
  store: SharedStore,
  options: { readonly maxAgeMs: number; readonly logger?: Logger | undefined },
): IntrospectionCache {
  return Object.freeze({
    async read(endpoint: string, token: string) {
      const entry = await readEntry(store, introspectionKey(token), ENTRY, options.logger, 'introspection');
      if (!entry || entry.endpoint !== endpoint) return undefined;
      const { claims, storedAt } = entry;
      const now = Date.now();
      if (storedAt + options.maxAgeMs <= now) return undefined;
      if (typeof claims.exp === 'number' && claims.exp * 1000 <= now) return undefined;
      return { claims: Object.freeze(claims), storedAt };
    },
    write(endpoint: string, token: string, claims: Readonly<Record<string, unknown>>) {
      const now = Date.now();
      const ttl = Math.min(
        options.maxAgeMs,
        typeof claims.exp === 'number' ? claims.exp * 1000 - now : options.maxAgeMs,
      );
      if (!(ttl > 0)) return;
      const value = JSON.stringify({ v: 1, endpoint, storedAt: now, claims });
      store.set(introspectionKey(token), value, ttl).catch(() => undefined);
    },
  });
}
