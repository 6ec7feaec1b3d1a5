/**
 * One resource's token verifier: intake limits, the verified-token cache, JWT or introspection,
 * the custom `verify` hook, and the resulting {@link AuthInfo}. Scope checks are the runtime's.
 * @module
 */
import { TokenError } from '../errors.js';
import { fnv1a } from '../lib/hash.js';
import { LruCache } from '../lib/lru.js';
import { assertTokenSyntax } from './bearer.js';
import { clientIdOf, safeClaims, type AuthInfo } from './auth-info.js';
import { introspectToken, type IntrospectionClient } from './introspect.js';
import { audienceRule, audienceValues, type AudienceRule } from './claims.js';
import { readRoles, type RoleClaim } from './read-roles.js';
import { assertClaimPolicy, type ClaimPolicy } from './token-policy.js';
import { fetchTokenInfo, type TokenInfoClient } from './tokeninfo.js';
import { isJwtShaped, verifyJwt, type JwtPolicy } from './jwt.js';
import { expandScopes, readScopes } from './scopes.js';
import type { GuardedRequest } from '../discovery/guarded-fetch.js';
import type { VerifyFunction } from '../manifest/schema.js';
import type { IntrospectionCache } from '../store/cache-introspection.js';
import type { RevocationList } from '../store/revocation.js';

/** A custom check run on every verified token; throw (ideally a `TokenError`) to reject. */
export type VerifyHook = VerifyFunction;

/** Everything a verifier needs, compiled once. */
export interface VerifierOptions {
  readonly resource: string;
  readonly format: 'jwt' | 'introspection' | 'auto' | 'tokeninfo';
  readonly jwt: Omit<JwtPolicy, 'audiences'>;
  readonly audiences: readonly string[];
  /** `token.requireAudience` (default true): false leaves `aud` unchecked. */
  readonly requireAudience?: boolean | undefined;
  /** `token.requireClaims` / `allowedClientIds`, applied to every verified token. */
  readonly claimPolicy?: ClaimPolicy | undefined;
  /** `token.roleClaims`: role arrays that also grant scopes. */
  readonly roleClaims?: readonly RoleClaim[] | undefined;
  /** The rules of the issuer a verified JWT's `iss` names (its tenants, `requireClaims`, `requireOneOfClaims`). */
  readonly issuerRule?: ((issuer: string, claims: Readonly<Record<string, unknown>>) => void) | undefined;
  /** The same rules for an opaque token, of the issuer that answered for it. */
  readonly opaqueRule?: ((claims: Readonly<Record<string, unknown>>) => void) | undefined;
  /** The token-information endpoint client, for `format: "tokeninfo"`. */
  readonly tokenInfo?: (() => Promise<TokenInfoClient>) | undefined;
  /** The introspection client of the resource's first issuer that has one (resolved lazily). */
  readonly introspection?: (() => Promise<IntrospectionClient>) | undefined;
  readonly scopeClaims: readonly string[];
  readonly scopeHierarchy: Readonly<Record<string, readonly string[]>>;
  readonly maxLength: number;
  readonly cache: { readonly maxEntries: number; readonly maxAgeMs: number };
  readonly hook?: VerifyHook | undefined;
  readonly fetchOptions?: GuardedRequest | undefined;
  /** The runtime's revocation list (src/store/), checked on every accepted token, cache hits included. */
  readonly revocation?: Pick<RevocationList, 'refusal'> | undefined;
  /** Introspection results shared through the store (src/store/), when it is shared. */
  readonly introspectionCache?: IntrospectionCache | undefined;
}

/** How many characters of a signature {@link cacheKey} reads; a shorter signature is no key. */
const KEY_CHARS = 16;

/**
 * Where a token is cached: for a compact JWS (two dots), a 30-bit number hashed from the last 16
 * characters of its signature segment, which differ from token to token; any other token (opaque,
 * JWE, a format with a fixed trailer, a signature shorter than 16 characters) is its own key.
 * A small integer is the cheapest key a `Map` has: hashing a string (even a 64-character slice)
 * cost more than the rest of a cache hit. A hit counts only when the whole token equals the
 * cached `AuthInfo.token`: two tokens sharing a key miss (and take turns in the entry), never
 * borrow each other's identity. Among 10,000 cached tokens, two share a key with a chance of
 * about 5 %; a million cached tokens leave about 500 pairs taking turns.
 */
function cacheKey(token: string): string | number {
  // Forward scans only: `indexOf` is a fast builtin, `lastIndexOf` a runtime call (2-3x slower).
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) return token; // not two dots
  if (token.length - second - 1 < KEY_CHARS) return token;
  return fnv1a(token, token.length - KEY_CHARS) & 0x3fffffff; // a V8 small integer
}

/**
 * The copy of a verified identity that the cache keeps (its `extra` copied too), so that no
 * object the cache holds was made where every request's identity is made.
 *
 * V8 watches each object-literal site: when nearly every object made there outlives a young
 * collection, as each identity does while the cache fills, it makes later objects from that
 * site directly in the old generation. Once the cache was full, each new token's identity was
 * then old-generation garbage pointing at young objects (claims, scopes), which every young
 * collection had to copy out: +3 µs per distinct token (see test/bench/RESULTS.md). The copy is
 * made by object spread, which no site tracks, and only for a token the cache admits.
 */
function cacheCopy(info: AuthInfo): AuthInfo {
  return Object.freeze({ ...info, extra: { ...info.extra } });
}

/**
 * Verifies access tokens for one resource. Positive results are cached by token (bounded LRU,
 * keyed by {@link cacheKey}: the cached AuthInfo holds the token anyway, so a digest would cost a
 * hash per request and save no memory); an entry lives until the token's `exp` and at most
 * `cache.maxAgeMs`, checked on every hit. Failures are never cached. Once the cache is full, a new
 * token displaces another only when it is verified a second time (`lib/lru.ts`): a flood of
 * one-shot tokens leaves the tokens in use cached and costs no garbage-collection churn.
 */
export class TokenVerifier {
  readonly #options: VerifierOptions;
  readonly #jwt: JwtPolicy;
  readonly #resourceUrl: URL;
  readonly #audiences: AudienceRule;
  readonly #cache: LruCache<AuthInfo, string | number>;
  /**
   * When the introspection endpoint gave an identity's answer, for one read from the shared store
   * (older than now): the cache's max age counts from then, so a fleet never holds a result
   * longer than `cache.maxAgeSeconds` in all (a stored entry, then a local one).
   */
  readonly #answeredAt = new WeakMap<AuthInfo, number>();
  /** Whether granted scopes can grow (role claims, a scope hierarchy): else they are the token's own. */
  readonly #expandsScopes: boolean;

  constructor(options: VerifierOptions) {
    this.#options = options;
    this.#expandsScopes = !!options.roleClaims?.length || Object.keys(options.scopeHierarchy).length > 0;
    this.#audiences = audienceRule(options.audiences, options.requireAudience ?? true);
    this.#jwt = { ...options.jwt, audiences: this.#audiences };
    this.#resourceUrl = new URL(options.resource);
    this.#cache = new LruCache(options.cache.maxEntries, { admission: 'second-sighting', keep: cacheCopy });
  }

  /** The longest token accepted. */
  get maxLength(): number {
    return this.#options.maxLength;
  }

  /** Entries currently in the verified-token cache. */
  get cacheSize(): number {
    return this.#cache.size;
  }

  /**
   * The cached identity for a token, synchronously, when it is cached and no `verify` hook must
   * run (hooks may be async). Otherwise `undefined`: call {@link verifyAccessToken}.
   */
  cachedAccessToken(token: string): AuthInfo | undefined {
    const hit = this.#options.hook ? undefined : this.#lookup(token, cacheKey(token));
    return hit && this.#options.revocation?.refusal(hit) ? undefined : hit; // refused: the async path throws
  }

  /**
   * Verifies a token and returns the caller's identity; usable as the MCP SDK's
   * `OAuthTokenVerifier.verifyAccessToken`.
   *
   * @throws {TokenError}
   */
  async verifyAccessToken(token: string): Promise<AuthInfo> {
    if (token.length > this.#options.maxLength) throw new TokenError('invalid_token', 'token_too_long');
    // An entry expires at the token's `exp` (or the cache's max age, if sooner): every hit is
    // rechecked against it, so an expired token is verified afresh, and refused.
    const key = cacheKey(token);
    const cached = this.#lookup(token, key);
    if (cached) {
      this.#checkRevocation(token, cached);
      if (this.#options.hook) await this.#runHook(this.#options.hook, cached);
      return cached;
    }
    // Every cached token passed the b64token rule: the runtime skips that rule for a token equal
    // to a cached one (a caller such as the MCP SDK hands tokens here unchecked).
    assertTokenSyntax(token);
    const info = await this.#verify(token);
    assertClaimPolicy(info, this.#options.claimPolicy);
    this.#checkRevocation(token, info);
    if (this.#options.hook) await this.#runHook(this.#options.hook, info);
    const expiry = info.expiresAt === undefined ? Infinity : info.expiresAt * 1000;
    const since = this.#answeredAt.get(info) ?? Date.now();
    this.#cache.set(key, info, Math.min(since + this.#options.cache.maxAgeMs, expiry));
    return info;
  }

  /** The cached identity of exactly this token (an entry found by key alone may be another's). */
  #lookup(token: string, key: string | number): AuthInfo | undefined {
    const hit = this.#cache.get(key);
    return hit?.token === token ? hit : undefined;
  }

  /** Revocation (src/store/revocation.ts): a revoked token leaves the cache and is refused. */
  #checkRevocation(token: string, info: AuthInfo): void {
    const refusal = this.#options.revocation?.refusal(info);
    if (!refusal) return;
    if (refusal.code === 'invalid_token') this.#cache.delete(cacheKey(token));
    throw refusal;
  }

  async #runHook(hook: VerifyHook, info: AuthInfo): Promise<void> {
    try {
      await hook(info);
    } catch (err) {
      if (err instanceof TokenError) throw err;
      throw new TokenError('invalid_token', 'rejected', { cause: err });
    }
  }

  async #verify(token: string): Promise<AuthInfo> {
    const { format, introspection } = this.#options;
    const local = format === 'jwt' || (format === 'auto' && isJwtShaped(token));
    if (local) {
      const { issuer, claims } = await verifyJwt(token, this.#jwt);
      this.#options.issuerRule?.(issuer, claims);
      return this.#authInfo(token, issuer, safeClaims(claims));
    }
    if (format === 'tokeninfo') {
      const client = await this.#options.tokenInfo!();
      const policy = { audiences: this.#audiences, clockToleranceSec: this.#jwt.clockToleranceSec };
      const claims = await fetchTokenInfo(token, client, policy, this.#options.fetchOptions);
      this.#options.opaqueRule?.(claims);
      return this.#authInfo(token, client.issuer, safeClaims(claims));
    }
    if (!introspection) throw new TokenError('unavailable', 'issuer_unavailable');
    const client = await introspection();
    const { claims, answeredAt } = await introspectToken(
      token,
      client,
      { audiences: this.#audiences, clockToleranceSec: this.#jwt.clockToleranceSec },
      this.#options.fetchOptions,
      this.#options.introspectionCache,
    );
    this.#options.opaqueRule?.(claims);
    const info = this.#authInfo(token, client.issuer, safeClaims(claims));
    this.#answeredAt.set(info, answeredAt);
    return info;
  }

  /** The identity for verified, frozen, prototype-free claims. */
  #authInfo(token: string, issuer: string, claims: Readonly<Record<string, unknown>>): AuthInfo {
    const own = readScopes(claims, this.#options.scopeClaims); // distinct already
    const scopes = this.#expandsScopes
      ? expandScopes(
          [...own, ...readRoles(claims, this.#options.roleClaims ?? [])],
          this.#options.scopeHierarchy,
        )
      : own;
    const info: AuthInfo = {
      token,
      clientId: clientIdOf(claims),
      scopes,
      ...(typeof claims.exp === 'number' ? { expiresAt: claims.exp } : {}),
      resource: this.#resourceUrl,
      extra: {},
      issuer,
      subject: typeof claims.sub === 'string' ? claims.sub : undefined,
      audience: Object.freeze(audienceValues(claims)),
      claims,
    };
    return Object.freeze(info);
  }
}
