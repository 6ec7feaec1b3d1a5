/**
 * Exchanged downstream tokens shared through the store, so a fleet exchanges a caller's token
 * once per downstream API rather than once per instance. Keyed by the broker's cache key (a
 * SHA-256 of the inbound token and the downstream name, never either itself); kept until the
 * token stops being usable (shortly before its expiry, never past the inbound token's); versioned
 * and validated when read.
 *
 * What it does NOT protect against: whoever can read the store can read these access tokens
 * (they are bearer tokens for the downstream APIs). Give Redis the protection of a secret store:
 * TLS, auth, no shared tenancy. Integrity is trusted as for introspection results.
 * @module
 */
import { z } from 'zod';
import type { DownstreamToken } from '../downstream/broker.js';
import type { Logger } from '../runtime/types.js';
import { readEntry } from './read-entry.js';
import type { SharedStore } from './store.js';

/** A downstream token as the broker hands it out. */
export type SharedDownstreamToken = DownstreamToken;

/** How the broker reads and writes shared downstream tokens. */
export interface DownstreamTokenCache {
  /** The stored token under `key` with until when it is usable, or `undefined` (miss, invalid, store down). */
  read(key: string): Promise<{ value: SharedDownstreamToken; usableUntilMs: number } | undefined>;
  /** Stores a token until `usableUntilMs`; never rejects, never delays the caller. */
  write(key: string, value: SharedDownstreamToken, usableUntilMs: number): void;
}

const ENTRY = z.strictObject({
  v: z.literal(1),
  usableUntilMs: z.number().int().positive(),
  token: z.strictObject({
    accessToken: z.string().regex(/^[\x21-\x7e]+$/),
    tokenType: z.enum(['Bearer', 'N_A']),
    expiresAt: z.number().int().positive(),
    issuedTokenType: z.string().max(200).optional(),
  }),
});

/** The store key of an exchanged token. */
export function downstreamKey(cacheKey: string): string {
  return `v1:downstream:${cacheKey}`;
}

/**
 * A {@link DownstreamTokenCache} on `store`.
 *
 * @example
 * ```ts
 * const shared = sharedDownstreamCache(store);
 * const hit = await shared.read(cacheKey(authInfo.token, 'notes-api'));
 * ```
 */
export function sharedDownstreamCache(
  store: SharedStore,
  options: { readonly logger?: Logger | undefined } = {},
): DownstreamTokenCache {
  return Object.freeze({
    async read(key: string) {
      const entry = await readEntry(store, downstreamKey(key), ENTRY, options.logger, 'downstream');
      if (!entry) return undefined;
      if (entry.usableUntilMs <= Date.now()) return undefined;
      const { issuedTokenType, ...token } = entry.token;
      const value: DownstreamToken = Object.freeze({
        ...token,
        ...(issuedTokenType === undefined ? {} : { issuedTokenType }),
      });
      return { value, usableUntilMs: entry.usableUntilMs };
    },
    write(key: string, value: SharedDownstreamToken, usableUntilMs: number) {
      const ttl = usableUntilMs - Date.now();
      if (!(ttl > 0)) return;
      const entry = { v: 1, usableUntilMs: Math.floor(usableUntilMs), token: value };
      store.set(downstreamKey(key), JSON.stringify(entry), Math.ceil(ttl)).catch(() => undefined);
    },
  });
}
