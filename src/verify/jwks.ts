/**
 * One issuer's signing keys: fetched through the guarded fetch, single-flight, refetched on an
 * unknown `kid` at most once per cooldown, backed off after failures ({@link backoffDelayMs}, with
 * its own floor whatever the cooldown), and stale-if-error for known `kid`s within a bounded
 * window. Symmetric, private, encryption, malformed and weak RSA keys are dropped on import and
 * never used; a key set that has entries but not one usable key is a failed fetch, so the last
 * good keys keep serving.
 * @module
 */
import type { JsonWebKey as NodeJwk } from 'node:crypto';
import type { JWK } from 'jose';
import { DiscoveryError, TokenError } from '../errors.js';
import { guardedFetch, type GuardedRequest } from '../discovery/guarded-fetch.js';
import { BACKOFF_DEFAULTS, backoffDelayMs } from '../lib/backoff.js';
import { NODE_CRYPTO } from '../lib/builtin.js';
import { prepareKey, type Offload, type PreparedKey } from './prepare-key.js';

/** Timing policy of a {@link KeyStore} (milliseconds). */
export interface KeyStorePolicy {
  /** Least time between two refetches triggered by an unknown `kid`. Default 30 000. */
  readonly cooldownMs: number;
  /** Keys older than this are refreshed on next use. Default 600 000. */
  readonly maxAgeMs: number;
  /** How long the last good keys serve known `kid`s while refreshes fail. Default 3 600 000. */
  readonly staleMs: number;
}

/** Where the keys come from: a URL (fetched) or inline keys (never fetched). */
export type KeySource = { readonly uri: string } | { readonly keys: readonly JWK[] };

/** The header fields used to pick a key. */
export interface KeyQuery {
  readonly alg: string;
  readonly kid?: string | undefined;
}

/**
 * A key ready to check one algorithm's signatures, prepared once per JWK and `alg`
 * ({@link PreparedKey}: a `node:crypto` `KeyObject`, or a WebCrypto `CryptoKey` where the runtime
 * has no `node:crypto`).
 *
 * @example
 * ```ts
 * const keys: VerificationKey[] = await store.getKeys({ alg: 'ES256' });
 * ```
 */
export type VerificationKey = PreparedKey;

/**
 * At most this many keys are tried for one token whose header does not single one out (no
 * `kid`, several keys of its type), as jose's local JWKS does.
 *
 * @example
 * ```ts
 * (await store.getKeys({ alg: 'RS256' })).length <= MAX_KEY_CANDIDATES; // true
 * ```
 */
export const MAX_KEY_CANDIDATES = 5;

interface KeyEntry {
  readonly jwk: JWK;
  /** {@link jwkIdentity} of `jwk`, computed once: how a refresh finds the key again. */
  readonly identity: string | undefined;
  /** Preparations per `alg`, started once. */
  readonly imported: Map<string, Promise<VerificationKey>>;
  /** The same once settled, so a request that finds its key ready awaits nothing. */
  readonly ready: Map<string, VerificationKey>;
}

const FAMILY: Readonly<Record<string, string>> = { RS: 'RSA', PS: 'RSA', ES: 'EC', Ed: 'OKP' };

/** The curves a JWS `alg` signs with (RFC 7518 §3.4, RFC 8037 §3.1); absent = no curve. */
const CURVES: Readonly<Record<string, readonly string[]>> = {
  ES256: ['P-256'],
  ES384: ['P-384'],
  ES512: ['P-521'],
  EdDSA: ['Ed25519', 'Ed448'],
  Ed25519: ['Ed25519'],
};

const SIGNING_CURVES = new Set(['P-256', 'P-384', 'P-521', 'Ed25519', 'Ed448']);

/**
 * Bits of an RSA modulus given as base64url, with Web APIs alone (no `Buffer` on workerd). Read
 * as Node's `Buffer` reads it (characters of neither base64 alphabet skipped, the first `=` ends
 * it, a lone trailing character dropped), so the same keys pass this check on every runtime; the
 * import then decides whether the key is well formed. Leading zero bytes do not count.
 */
function rsaBits(n: string): number {
  const sextets = n
    .split('=', 1)[0]!
    .replace(/[^A-Za-z0-9+/_-]/g, '')
    .replace(/-/g, '+')
    .replace(/_/g, '/');
  const bytes = atob(sextets.length % 4 === 1 ? sextets.slice(0, -1) : sextets);
  let i = 0;
  while (i < bytes.length && bytes.charCodeAt(i) === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes.charCodeAt(i)));
}

/**
 * Whether the JWK is a well-formed public key (the members its `kty` needs, decodable). Without
 * `node:crypto` the check is left to the import, which drops a key that fails it.
 */
function isWellFormedPublicKey(jwk: Record<string, unknown>): boolean {
  if (!NODE_CRYPTO) return true;
  try {
    NODE_CRYPTO.createPublicKey({ key: jwk as NodeJwk, format: 'jwk' });
    return true;
  } catch {
    return false;
  }
}

/** The largest RSA modulus accepted, in bits: a check with a larger one costs more than any issuer needs. */
const MAX_RSA_BITS = 16384;
/** The largest RSA public exponent accepted, in bits (issuers use 65537): a huge one makes every check slow. */
const MAX_RSA_EXPONENT_BITS = 32;

/**
 * Whether a JWK may verify access-token signatures at all: a well-formed public RSA (2048 to
 * 16384 bits, a public exponent of at most 32 bits), EC or OKP signing key, not marked for
 * encryption only. The bounds keep a published key from making each forged token (a junk
 * signature naming its `kid`) cost milliseconds of the event loop.
 *
 * @example
 * ```ts
 * const usable = jwks.keys.filter((k) => isUsableVerificationKey(k));
 * ```
 */
export function isUsableVerificationKey(jwk: Record<string, unknown>): boolean {
  if (typeof jwk.kty !== 'string' || jwk.kty === 'oct') return false;
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) return false; // private or symmetric material
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return false;
  if (jwk.kty === 'RSA') {
    if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return false;
    const bits = rsaBits(jwk.n);
    if (bits < 2048 || bits > MAX_RSA_BITS || rsaBits(jwk.e) > MAX_RSA_EXPONENT_BITS) return false;
  } else if (jwk.kty === 'EC' || jwk.kty === 'OKP') {
    if (typeof jwk.crv !== 'string' || !SIGNING_CURVES.has(jwk.crv)) return false;
  } else {
    return false;
  }
  return isWellFormedPublicKey(jwk);
}

/**
 * A string equal for two JWKs exactly when every member is equal, or `undefined` for a JWK with
 * a member that is an object (nothing a verification key needs), which is then never matched.
 */
function jwkIdentity(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const names = Object.keys(jwk).sort();
  const members: unknown[] = [];
  for (const name of names) {
    const value = jwk[name];
    const flat = Array.isArray(value)
      ? value.every((item) => item === null || typeof item !== 'object')
      : value === null || typeof value !== 'object';
    if (!flat) return undefined;
    members.push(name, value);
  }
  return JSON.stringify(members);
}

function familyOf(alg: string): string | undefined {
  return alg === 'EdDSA' || alg === 'Ed25519' ? 'OKP' : FAMILY[alg.slice(0, 2)];
}

function isKeyObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A key set with the caching rules above. `getKeys` throws `TokenError('invalid_token',
 * 'unknown_key')` when no key fits the header (after at most one refetch per cooldown), and
 * `TokenError('unavailable')` when the keys cannot be obtained at all.
 *
 * @example
 * ```ts
 * const store = new KeyStore({ uri: 'https://as.example.com/jwks' }, { cooldownMs: 30_000, maxAgeMs: 600_000, staleMs: 3_600_000 });
 * await verifyWithKeyStore({ alg: 'RS256', kid, data, signature }, store, 'auto');
 * ```
 */
export class KeyStore {
  readonly #policy: KeyStorePolicy;
  readonly #fetchOptions: GuardedRequest;
  /** Where keys are fetched from; undefined for inline keys. */
  #uri: string | undefined;
  #keys: KeyEntry[] = [];
  /** Entries in the last key set accepted (usable or not). */
  #published = 0;
  #loadedAt = 0;
  #lastAttempt = -Infinity;
  #failures = 0;
  #retryAt = 0;
  #inflight: Promise<void> | undefined;
  /** Number of fetches started (for tests and diagnostics). */
  fetchCount = 0;

  constructor(source: KeySource, policy: KeyStorePolicy, fetchOptions: GuardedRequest = {}) {
    this.#policy = policy;
    this.#fetchOptions = fetchOptions;
    if ('keys' in source) {
      this.#keys = this.#accept(source.keys);
      this.#loadedAt = Infinity;
    } else {
      this.#uri = source.uri;
    }
  }

  /** Seconds until a fetch may be tried again, for `Retry-After`. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.#retryAt - Date.now()) / 1000));
  }

  /** The number of usable keys currently held. */
  get size(): number {
    return this.#keys.length;
  }

  /** The URL keys are fetched from (undefined for inline keys). */
  get uri(): string | undefined {
    return this.#uri;
  }

  /**
   * Fetches the key set now (inline keys: none to fetch) and describes it: how many entries it
   * published and the signing keys this store would use. For diagnostics (`mcp-auth check`);
   * the request path never calls it.
   *
   * @throws {DiscoveryError} when the set cannot be fetched, is not a JWK Set, or holds entries but no usable key
   */
  async inspect(): Promise<{ published: number; usable: readonly JWK[] }> {
    await this.#fetch();
    return { published: this.#published, usable: this.#keys.map((k) => k.jwk) };
  }

  /**
   * Moves later fetches to `uri` (the issuer's metadata now names another `jwks_uri`). The keys
   * held so far become due for refresh: they serve known `kid`s, within the stale window, until
   * the new location answers; the cooldown and backoff start afresh for the new location.
   */
  retarget(uri: string): void {
    if (this.#uri === undefined || this.#uri === uri) return;
    this.#uri = uri;
    if (this.#loadedAt > 0) this.#loadedAt = Math.min(this.#loadedAt, Date.now() - this.#policy.maxAgeMs);
    this.#lastAttempt = -Infinity;
    this.#failures = 0;
    this.#retryAt = 0;
  }

  /**
   * The usable keys of a key set as entries. A key published unchanged since the last set (every
   * member equal) keeps its entry and so its prepared keys: a refresh costs no import, and the
   * first token after it no promise turn. A key that changed in any member is a new entry.
   */
  #accept(keys: readonly unknown[]): KeyEntry[] {
    this.#published = keys.length;
    const held = new Map(this.#keys.map((entry) => [entry.identity, entry]));
    return keys
      .filter((k): k is JWK => isKeyObject(k) && isUsableVerificationKey(k))
      .map((jwk) => {
        const identity = jwkIdentity(jwk);
        const same = identity === undefined ? undefined : held.get(identity);
        return same ?? { jwk, identity, imported: new Map(), ready: new Map() };
      });
  }

  #fetch(): Promise<void> {
    if (this.#inflight) return this.#inflight;
    const uri = this.#uri;
    if (uri === undefined) return Promise.resolve();
    this.#lastAttempt = Date.now();
    this.fetchCount++;
    this.#inflight = guardedFetch(uri, this.#fetchOptions)
      .then(({ json }) => {
        const keys = json?.keys;
        if (!Array.isArray(keys))
          throw new DiscoveryError('invalid_jwks', `${uri} is not a JWK Set`, { url: uri });
        const accepted = this.#accept(keys);
        // Entries, none usable (`[null]`, wrong shapes, unsupported types): a broken answer, not a
        // rotation to "no keys"; the last good keys stay. An empty set is taken as published.
        if (keys.length > 0 && accepted.length === 0) {
          throw new DiscoveryError('invalid_jwks', `${uri} holds no usable signing key`, { url: uri });
        }
        if (uri !== this.#uri) return; // answered for a location that was left meanwhile
        this.#keys = accepted;
        this.#loadedAt = Date.now();
        this.#failures = 0;
        this.#retryAt = 0;
      })
      .catch((err: unknown) => {
        if (uri === this.#uri) {
          this.#failures++;
          this.#retryAt = Date.now() + backoffDelayMs(this.#failures, BACKOFF_DEFAULTS, err);
        }
        throw err;
      })
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }

  /** True while the last good keys may still be used despite failing refreshes. */
  #fresh(now: number): boolean {
    return now - this.#loadedAt < this.#policy.maxAgeMs;
  }

  #usable(now: number): boolean {
    return this.#loadedAt > 0 && now - this.#loadedAt < this.#policy.maxAgeMs + this.#policy.staleMs;
  }

  #unavailable(cause: unknown): TokenError {
    return new TokenError('unavailable', 'issuer_unavailable', {
      cause,
      retryAfterSeconds: this.retryAfterSeconds,
    });
  }

  /** Loads the keys when never loaded, or refreshes them when due (in the background while stale ones serve). */
  async #ensureLoaded(): Promise<void> {
    const now = Date.now();
    if (this.#loadedAt !== 0 && this.#fresh(now)) return;
    // Past the stale window nothing serves, not even while a retry backs off.
    const canFetch = now >= this.#retryAt || this.#inflight !== undefined;
    if (this.#usable(now)) {
      if (canFetch) this.#fetch().catch(() => undefined);
      return;
    }
    try {
      await (canFetch ? this.#fetch() : Promise.reject(new Error('backing off')));
    } catch (err) {
      throw this.#unavailable(err);
    }
  }

  /**
   * Refetches after a miss (no key fits, or none verified) at most once per cooldown and never
   * while backing off; true when a refetch completed.
   */
  async #refetchAfterMiss(): Promise<boolean> {
    if (this.#uri === undefined) return false;
    const now = Date.now();
    const cooledDown = now - this.#lastAttempt >= this.#policy.cooldownMs && now >= this.#retryAt;
    if (!cooledDown && !this.#inflight) return false;
    try {
      await this.#fetch();
    } catch (err) {
      throw this.#unavailable(err);
    }
    return true;
  }

  /** The keys that fit a header: its type, curve and `alg`, and its `kid` when it has one. */
  #candidates(query: KeyQuery): KeyEntry[] {
    const family = familyOf(query.alg);
    const curves = CURVES[query.alg];
    return this.#keys
      .filter(
        ({ jwk }) =>
          jwk.kty === family &&
          (curves === undefined || (typeof jwk.crv === 'string' && curves.includes(jwk.crv))) &&
          (jwk.alg === undefined || jwk.alg === query.alg) &&
          (query.kid === undefined || jwk.kid === query.kid),
      )
      .slice(0, MAX_KEY_CANDIDATES);
  }

  async #import(
    entries: readonly KeyEntry[],
    alg: string,
  ): Promise<{ keys: VerificationKey[]; cause?: unknown }> {
    const keys: VerificationKey[] = [];
    let cause: unknown;
    for (const entry of entries) {
      const ready = entry.ready.get(alg);
      if (ready) {
        keys.push(ready);
        continue;
      }
      let imported = entry.imported.get(alg);
      if (!imported) {
        imported = prepareKey(entry.jwk, alg);
        entry.imported.set(alg, imported);
      }
      try {
        const key = await imported;
        entry.ready.set(alg, key);
        keys.push(key);
      } catch (err) {
        entry.imported.delete(alg);
        cause = err;
      }
    }
    return { keys, cause };
  }

  /**
   * The verification keys that fit a token header, at most {@link MAX_KEY_CANDIDATES}, in key-set
   * order. With `afterMiss`, the caller found none of the last answer's keys verified: a refetch
   * is made first when the cooldown allows (a rotation by a provider that omits `kid`).
   */
  async getKeys(query: KeyQuery, options: { afterMiss?: boolean } = {}): Promise<VerificationKey[]> {
    await this.#ensureLoaded();
    if (options.afterMiss && !(await this.#refetchAfterMiss())) return [];
    let entries = this.#candidates(query);
    if (!entries.length && !options.afterMiss && (await this.#refetchAfterMiss())) {
      entries = this.#candidates(query);
    }
    const { keys, cause } = await this.#import(entries, query.alg);
    if (!keys.length && !options.afterMiss) {
      throw new TokenError('invalid_token', 'unknown_key', cause === undefined ? {} : { cause });
    }
    return keys;
  }

  /**
   * The keys {@link getKeys} would give, synchronously, when nothing needs doing first: the set is
   * fresh (no load or refresh due), a key fits the header, and every fitting key is prepared
   * already. The common case once an issuer is in use; otherwise `undefined`, and `getKeys` loads,
   * refreshes, refetches or prepares. A token costs no promise turn before its signature check.
   *
   * @example
   * ```ts
   * const keys = store.readyKeys({ alg: 'ES256', kid }) ?? (await store.getKeys({ alg: 'ES256', kid }));
   * ```
   */
  readyKeys(query: KeyQuery): VerificationKey[] | undefined {
    if (this.#loadedAt === 0 || !this.#fresh(Date.now())) return undefined;
    const entries = this.#candidates(query);
    if (!entries.length) return undefined;
    const keys: VerificationKey[] = [];
    for (const entry of entries) {
      const ready = entry.ready.get(query.alg);
      if (!ready) return undefined;
      keys.push(ready);
    }
    return keys;
  }

  /** The first verification key that fits a token header (see {@link KeyStore.getKeys}). */
  async getKey(query: KeyQuery): Promise<VerificationKey> {
    return (await this.getKeys(query))[0]!;
  }
}

/** What a JWT's keys come from: a {@link KeyStore}, or anything that answers `getKeys` like one. */
export type KeyProvider = Pick<KeyStore, 'getKeys'> & Partial<Pick<KeyStore, 'readyKeys'>>;

/** A compact JWS's signature, ready to check: the header's `alg` and `kid`, and the bytes. */
export interface SignedInput {
  readonly alg: string;
  readonly kid?: string | undefined;
  /** The ASCII bytes of `header.payload`. */
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
}

const badSignature = () => new TokenError('invalid_token', 'signature');

/**
 * Checks a JWS signature with the key store's prepared keys: each key that fits the header (type,
 * curve, `alg`, `kid`) is tried in turn, and when a token without `kid` verifies with none of
 * them, the key set is refetched once (cooldown permitting) and its keys tried. The `alg`
 * allow-list is the caller's (see `assertHeader` in `jwt.ts`). Throws `TokenError('invalid_token',
 * 'signature')` when no key verifies, or the store's {@link TokenError}s.
 *
 * @example
 * ```ts
 * await verifyWithKeyStore({ alg: 'ES256', kid, data, signature }, store, 'auto');
 * ```
 */
export async function verifyWithKeyStore(
  input: SignedInput,
  keys: KeyProvider,
  offload: Offload,
): Promise<void> {
  const query: KeyQuery = { alg: input.alg, kid: input.kid };
  let candidates = keys.readyKeys?.(query) ?? (await keys.getKeys(query));
  for (let refetched = false; ; refetched = true) {
    for (const key of candidates) {
      let ok = key.verify(input.data, input.signature, offload);
      if (typeof ok !== 'boolean') ok = await ok;
      if (ok) return;
    }
    // A `kid` names one key: a mismatch is a bad signature, not a rotation to look for.
    if (refetched || query.kid !== undefined) throw badSignature();
    candidates = await keys.getKeys(query, { afterMiss: true });
    if (!candidates.length) throw badSignature();
  }
}
