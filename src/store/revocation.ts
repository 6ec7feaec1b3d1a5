/**
 * The revocation list: `auth.revoke({ jti } | { sub } | { clientId }, { until })` records an
 * entry in the store and publishes it; every instance keeps a local copy, updated at once by
 * the published message and re-read from the store at least every
 * `settings.revocation.maxStalenessSeconds`, and checks it synchronously on every accepted token
 * (verified-token cache hits included). Requests never wait for the store.
 *
 * Entries are versioned and validated when read (store or message); an invalid one is dropped.
 * An entry refuses every matching token until `until`, tokens minted after the revocation
 * included (so a revoked `sub` stays out until then). The list only grows until entries expire:
 * a refresh adds what the store has and keeps what this instance already knew, so a Redis that
 * lost its data does not un-revoke anything an instance has seen.
 *
 * When the copy is older than the bound (the store unreachable or slow), `fail-closed` answers
 * 503 `revocation_unavailable` with `Retry-After`, and `fail-open` accepts with a warning (at
 * most one per bound). A known revocation is refused (401) in both cases.
 * @module
 */
import { z } from 'zod';
import { OptionError, StoreError, TokenError } from '../errors.js';
import type { Logger } from '../runtime/types.js';
import type { AuthInfo } from '../verify/auth-info.js';
import type { SharedStore } from './store.js';

/** What to revoke: one token (`jti`), every token of a subject (`sub`) or of a client (`clientId`). */
export type RevocationSelector =
  | { readonly jti: string; readonly sub?: never; readonly clientId?: never }
  | { readonly sub: string; readonly jti?: never; readonly clientId?: never }
  | { readonly clientId: string; readonly jti?: never; readonly sub?: never };

/** Options of a revocation. */
export interface RevokeOptions {
  /**
   * Until when matching tokens are refused: a `Date`, milliseconds since the epoch or an ISO
   * 8601 string. Default: 24 hours from now. At most 366 days ahead.
   */
  readonly until?: Date | number | string | undefined;
}

/** One recorded revocation. */
export interface RevocationEntry {
  readonly kind: 'jti' | 'sub' | 'clientId';
  readonly value: string;
  /** Milliseconds since the epoch until which matching tokens are refused. */
  readonly until: number;
  /** When it was recorded (milliseconds since the epoch). */
  readonly at: number;
}

/** `settings.revocation`. */
export interface RevocationSettings {
  readonly maxStalenessSeconds: number;
  readonly onStoreUnavailable: 'fail-closed' | 'fail-open';
}

const HASH_KEY = 'v1:revocations';
const CHANNEL = 'v1:revocations';
const DEFAULT_UNTIL_MS = 24 * 3600_000;
const MAX_UNTIL_MS = 366 * 86400_000;

const ENTRY = z.strictObject({
  v: z.literal(1),
  kind: z.enum(['jti', 'sub', 'clientId']),
  value: z.string().min(1).max(1024),
  until: z.number().int().positive(),
  at: z.number().int().positive(),
});

const fieldOf = (entry: Pick<RevocationEntry, 'kind' | 'value'>) => `${entry.kind}:${entry.value}`;
const serialise = (entry: RevocationEntry) => JSON.stringify({ v: 1, ...entry });

/** A stored or published value as an entry, or `undefined` when it is not a valid one. */
function parseEntry(raw: string, field?: string): RevocationEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = ENTRY.safeParse(value);
  if (!parsed.success) return undefined;
  const { kind, value: v, until, at } = parsed.data;
  const entry = Object.freeze({ kind, value: v, until, at });
  return field === undefined || field === fieldOf(entry) ? entry : undefined;
}

/** Checks `auth.revoke()`'s arguments; `OptionError` names the wrong one. */
function entryFor(selector: RevocationSelector, options: RevokeOptions, now: number): RevocationEntry {
  const given = (['jti', 'sub', 'clientId'] as const).filter(
    (k) => (selector as Record<string, unknown> | null)?.[k] !== undefined,
  );
  if (given.length !== 1)
    throw new OptionError('revoke() takes exactly one of { jti }, { sub } or { clientId }');
  const kind = given[0]!;
  const value = (selector as Record<string, unknown>)[kind];
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024)
    throw new OptionError(`revoke(): ${kind} must be a non-empty string of at most 1024 characters`);
  const raw = options.until;
  const until =
    raw === undefined
      ? now + DEFAULT_UNTIL_MS
      : raw instanceof Date
        ? raw.getTime()
        : typeof raw === 'number'
          ? raw
          : Date.parse(raw);
  if (!Number.isFinite(until) || until <= now || until > now + MAX_UNTIL_MS)
    throw new OptionError('revoke(): options.until must be a time in the future, at most 366 days ahead');
  return Object.freeze({ kind, value, until: Math.ceil(until), at: now });
}

/**
 * Records a revocation in the store and publishes it, without a runtime (the `mcp-auth revoke`
 * command). Instances apply it within `maxStalenessSeconds`.
 *
 * @example
 * ```ts
 * await recordRevocation(store, { sub: 'user-42' }, { until: '2030-01-01T00:00:00Z' });
 * ```
 * @throws {OptionError} for a bad selector or `until`; {@link StoreError} when the store did not answer
 */
export async function recordRevocation(
  store: SharedStore,
  selector: RevocationSelector,
  options: RevokeOptions = {},
): Promise<RevocationEntry> {
  const entry = entryFor(selector, options, Date.now());
  try {
    await store.hashSet(HASH_KEY, fieldOf(entry), serialise(entry));
    await store.publish(CHANNEL, serialise(entry));
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError('store_unavailable', 'the revocation could not be recorded', { cause: err });
  }
  return entry;
}

/**
 * One runtime's copy of the revocation list. Created by `compile()`; see the module comment.
 *
 * @example
 * ```ts
 * const list = await RevocationList.start(store, { maxStalenessSeconds: 5, onStoreUnavailable: 'fail-closed' });
 * const refusal = list.refusal(authInfo); // a TokenError to throw, or undefined
 * await list.revoke({ jti: 'abc' });
 * ```
 */
export class RevocationList {
  readonly #store: SharedStore;
  readonly #settings: RevocationSettings;
  readonly #logger: Logger | undefined;
  readonly #boundMs: number;
  readonly #byKind = {
    jti: new Map<string, number>(),
    sub: new Map<string, number>(),
    clientId: new Map<string, number>(),
  };
  #size = 0;
  /** When the last successful refresh started; 0 before the first. */
  #syncedAt = 0;
  #refreshing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  #warnedAt = 0;

  private constructor(store: SharedStore, settings: RevocationSettings, logger: Logger | undefined) {
    this.#store = store;
    this.#settings = settings;
    this.#logger = logger;
    this.#boundMs = settings.maxStalenessSeconds * 1000;
  }

  /** Subscribes, loads the list once (bounded by the store's deadline) and starts the refresh timer. */
  static async start(
    store: SharedStore,
    settings: RevocationSettings,
    logger?: Logger | undefined,
  ): Promise<RevocationList> {
    const list = new RevocationList(store, settings, logger);
    list.#unsubscribe = await store.subscribe(CHANNEL, (message) => {
      const entry = parseEntry(message);
      if (entry) list.#add(entry);
    });
    await list.refresh();
    // Re-read well within the bound, so one slow refresh does not make a healthy copy stale.
    list.#timer = setInterval(() => void list.refresh(), list.refreshIntervalMs);
    // A number on workerd and in browsers: only Node-style timers can be unreferenced.
    (list.#timer as { unref?: () => void }).unref?.();
    return list;
  }

  /** How often the list is re-read from the store. */
  get refreshIntervalMs(): number {
    return Math.max(200, Math.floor(this.#boundMs / 3));
  }

  /** Entries currently known (expired ones included until the next refresh prunes them). */
  get size(): number {
    return this.#size;
  }

  /**
   * Why `info` must be refused now, or `undefined`: `TokenError('invalid_token', 'revoked')` for
   * a matching entry; `TokenError('unavailable', 'revocation_unavailable')` when the copy is older
   * than the bound and the rule is `fail-closed`. Synchronous and allocation-free on the common
   * path (no entries, fresh copy).
   */
  refusal(info: Pick<AuthInfo, 'clientId' | 'subject' | 'claims'>): TokenError | undefined {
    if (!this.#size && !this.#store.shared) return undefined; // nothing to match, no copy to age
    const now = Date.now();
    if (this.#size) {
      const jti = info.claims.jti;
      const until = Math.max(
        (typeof jti === 'string' && this.#byKind.jti.get(jti)) || 0,
        (info.subject !== undefined && this.#byKind.sub.get(info.subject)) || 0,
        (info.clientId && this.#byKind.clientId.get(info.clientId)) || 0,
      );
      if (until > now) return new TokenError('invalid_token', 'revoked');
    }
    if (!this.#store.shared || now - this.#syncedAt <= this.#boundMs) return undefined;
    if (this.#settings.onStoreUnavailable === 'fail-closed') {
      return new TokenError('unavailable', 'revocation_unavailable', {
        retryAfterSeconds: Math.max(1, Math.ceil(this.refreshIntervalMs / 1000)),
      });
    }
    if (now - this.#warnedAt > this.#boundMs) {
      this.#warnedAt = now;
      this.#logger?.warn(
        'mcp-auth-config: the revocation list could not be read from the store; accepting tokens (fail-open)',
        { staleSeconds: this.#syncedAt ? Math.round((now - this.#syncedAt) / 1000) : undefined },
      );
    }
    return undefined;
  }

  /**
   * Revokes locally at once, then records the entry in the store and publishes it.
   *
   * @throws {OptionError} for a bad selector or `until`; {@link StoreError} when the store did not
   * answer (this instance refuses matching tokens anyway; retry to reach the others)
   */
  async revoke(selector: RevocationSelector, options: RevokeOptions = {}): Promise<RevocationEntry> {
    const entry = entryFor(selector, options, Date.now());
    this.#add(entry);
    if (!this.#store.shared) return entry;
    try {
      await this.#store.hashSet(HASH_KEY, fieldOf(entry), serialise(entry));
      await this.#store.publish(CHANNEL, serialise(entry));
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError('store_unavailable', 'the revocation could not be recorded', { cause: err });
    }
    return entry;
  }

  /** Re-reads the list from the store (one at a time); a failure leaves the copy as it was. */
  refresh(): Promise<void> {
    if (!this.#store.shared) return Promise.resolve();
    this.#refreshing ??= this.#load().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async #load(): Promise<void> {
    const started = Date.now();
    let stored: Readonly<Record<string, string>>;
    try {
      stored = await this.#store.hashEntries(HASH_KEY);
    } catch {
      return; // stale from now on, once the bound passes
    }
    const expired: string[] = [];
    for (const [field, raw] of Object.entries(stored)) {
      const entry = parseEntry(raw, field);
      // An invalid value (another writer, an older version, tampering) is ignored, never trusted.
      if (!entry) continue;
      if (entry.until <= started) expired.push(field);
      else this.#add(entry);
    }
    this.#prune(started);
    this.#syncedAt = started;
    if (expired.length) this.#store.hashDelete(HASH_KEY, expired).catch(() => undefined);
  }

  #add(entry: RevocationEntry): void {
    if (entry.until <= Date.now()) return;
    const map = this.#byKind[entry.kind];
    const known = map.get(entry.value);
    if (known === undefined) this.#size++;
    if (known === undefined || known < entry.until) map.set(entry.value, entry.until);
  }

  #prune(now: number): void {
    for (const map of Object.values(this.#byKind)) {
      for (const [value, until] of map) {
        if (until <= now) {
          map.delete(value);
          this.#size--;
        }
      }
    }
  }

  /** Stops the timer and the subscription. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#unsubscribe?.();
  }
}
