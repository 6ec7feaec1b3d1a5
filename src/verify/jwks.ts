/**
 * One issuer's signing keys: fetched through the guarded fetch, single-flight, refetched on an
 * unknown `kid` at most once per cooldown, backed off after failures, and stale-if-error for
 * known `kid`s within a bounded window. Symmetric, private, encryption and weak RSA keys are
 * dropped on import and never used.
 * @module
 */
import { importJWK, type JWK } from 'jose';
import { DiscoveryError, TokenError } from '../errors.js';
import { guardedFetch, type GuardedRequest } from '../discovery/fetch.js';

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

interface KeyEntry {
  readonly jwk: JWK;
  readonly imported: Map<string, Promise<CryptoKey | Uint8Array>>;
}

const FAMILY: Readonly<Record<string, string>> = { RS: 'RSA', PS: 'RSA', ES: 'EC', Ed: 'OKP' };

/** Bits of an RSA modulus given as base64url. */
function rsaBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/** Whether a JWK may verify access-token signatures at all. */
export function isUsableVerificationKey(jwk: Record<string, unknown>): boolean {
  if (typeof jwk.kty !== 'string' || jwk.kty === 'oct') return false;
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) return false; // private or symmetric material
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return false;
  if (jwk.kty === 'RSA') return typeof jwk.n === 'string' && rsaBits(jwk.n) >= 2048;
  return jwk.kty === 'EC' || jwk.kty === 'OKP';
}

function familyOf(alg: string): string | undefined {
  return alg === 'EdDSA' || alg === 'Ed25519' ? 'OKP' : FAMILY[alg.slice(0, 2)];
}

/**
 * A key set with the caching rules above. `getKey` throws `TokenError('invalid_token',
 * 'unknown_key')` for a `kid` that is not in the set (after at most one refetch per cooldown),
 * and `TokenError('unavailable')` when the keys cannot be obtained at all.
 */
export class KeyStore {
  readonly #source: KeySource;
  readonly #policy: KeyStorePolicy;
  readonly #fetchOptions: GuardedRequest;
  #keys: KeyEntry[] = [];
  #loadedAt = 0;
  #lastAttempt = -Infinity;
  #failures = 0;
  #retryAt = 0;
  #inflight: Promise<void> | undefined;
  /** Number of fetches started (for tests and diagnostics). */
  fetchCount = 0;

  constructor(source: KeySource, policy: KeyStorePolicy, fetchOptions: GuardedRequest = {}) {
    this.#source = source;
    this.#policy = policy;
    this.#fetchOptions = fetchOptions;
    if ('keys' in source) {
      this.#keys = this.#accept(source.keys);
      this.#loadedAt = Infinity;
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

  #accept(keys: readonly unknown[]): KeyEntry[] {
    return keys
      .filter(
        (k): k is JWK =>
          !!k &&
          typeof k === 'object' &&
          !Array.isArray(k) &&
          isUsableVerificationKey(k as Record<string, unknown>),
      )
      .map((jwk) => ({ jwk, imported: new Map() }));
  }

  #fetch(): Promise<void> {
    if (this.#inflight) return this.#inflight;
    if (!('uri' in this.#source)) return Promise.resolve();
    const uri = this.#source.uri;
    this.#lastAttempt = Date.now();
    this.fetchCount++;
    this.#inflight = guardedFetch(uri, this.#fetchOptions)
      .then(({ json }) => {
        const keys = json?.keys;
        if (!Array.isArray(keys))
          throw new DiscoveryError('invalid_jwks', `${uri} is not a JWK Set`, { url: uri });
        this.#keys = this.#accept(keys);
        this.#loadedAt = Date.now();
        this.#failures = 0;
        this.#retryAt = 0;
      })
      .catch((err: unknown) => {
        this.#failures++;
        const backoff = Math.min(this.#policy.cooldownMs, 1000 * 2 ** Math.min(this.#failures - 1, 10));
        this.#retryAt = Date.now() + backoff;
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

  #find(query: KeyQuery): KeyEntry | undefined {
    const family = familyOf(query.alg);
    const fits = (e: KeyEntry) =>
      e.jwk.kty === family &&
      (e.jwk.alg === undefined || e.jwk.alg === query.alg) &&
      (query.kid === undefined || e.jwk.kid === query.kid);
    return this.#keys.find(fits);
  }

  /** The verification key for a token header. */
  async getKey(query: KeyQuery): Promise<CryptoKey | Uint8Array> {
    const now = Date.now();
    if (this.#loadedAt === 0 || !this.#fresh(now)) {
      // Never loaded, or due for refresh. Stale keys may serve meanwhile (refreshed in the
      // background); past the stale window nothing does, not even while a retry backs off.
      const canFetch = now >= this.#retryAt || this.#inflight !== undefined;
      if (this.#usable(now)) {
        if (canFetch) this.#fetch().catch(() => undefined);
      } else {
        try {
          await (canFetch ? this.#fetch() : Promise.reject(new Error('backing off')));
        } catch (err) {
          throw this.#unavailable(err);
        }
      }
    }
    let entry = this.#find(query);
    if (!entry && 'uri' in this.#source) {
      // Unknown kid: refetch at most once per cooldown, and never while backing off.
      const cooledDown =
        Date.now() - this.#lastAttempt >= this.#policy.cooldownMs && Date.now() >= this.#retryAt;
      if (cooledDown || this.#inflight) {
        try {
          await this.#fetch();
        } catch (err) {
          throw this.#unavailable(err);
        }
        entry = this.#find(query);
      }
    }
    if (!entry) throw new TokenError('invalid_token', 'unknown_key');
    let imported = entry.imported.get(query.alg);
    if (!imported) {
      imported = importJWK({ ...entry.jwk, alg: query.alg }, query.alg);
      entry.imported.set(query.alg, imported);
    }
    try {
      return await imported;
    } catch (err) {
      entry.imported.delete(query.alg);
      throw new TokenError('invalid_token', 'unknown_key', { cause: err });
    }
  }
}
