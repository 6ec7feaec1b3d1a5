/**
 * The token broker: hands tool code a token for a downstream API, obtained from the caller's
 * verified access token by token exchange or on-behalf-of, cached per (inbound token,
 * downstream name) until shortly before it expires.
 * @module
 */
import type { GuardedRequest } from '../discovery/guarded-fetch.js';
import { DownstreamError, OptionError } from '../errors.js';
import type { Logger } from '../runtime/types.js';
import type { AuthInfo } from '../verify/auth-info.js';
import type { ClientAuthenticator } from './client-auth.js';
import { exchangeToken, type CompiledDownstream } from './exchange-token.js';
import { requestToken, type IssuedToken } from './request-token.js';
import type { DownstreamTokenCache } from '../store/cache-downstream.js';
import { cacheKey, TokenCache, usableUntil } from './token-cache.js';

/**
 * A token for a downstream API, as {@link DownstreamBroker.token} returns it.
 *
 * @example
 * ```ts
 * const { accessToken } = await auth.downstreamToken(extra.authInfo, 'notes-api');
 * await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
 * ```
 */
export interface DownstreamToken {
  /** The token to send to the downstream API (`Authorization: Bearer ...`). */
  readonly accessToken: string;
  /** `Bearer`, or `N_A` when a token exchange issued a token that is not an OAuth access token. */
  readonly tokenType: 'Bearer' | 'N_A';
  /** When it expires, in seconds since the epoch (as `AuthInfo.expiresAt`). */
  readonly expiresAt: number;
  /** `issued_token_type` of a token exchange. */
  readonly issuedTokenType?: string | undefined;
}

/** A downstream entry with its optional actor (client-credentials) token parameters. */
export interface BrokerEntry extends CompiledDownstream {
  /**
   * Who asks, and where, as the manifest names them: the client (`clientId` and its
   * `clientAuth`, never a secret: variable names and file paths) and the issuer (identifier,
   * well-known URL, written metadata). Part of the shared cache key.
   */
  readonly requester: string;
  readonly actor?:
    | {
        readonly audience: readonly string[];
        readonly resource: readonly string[];
        readonly scope: readonly string[];
      }
    | undefined;
}

/** What a broker needs. */
export interface BrokerOptions {
  readonly entries: readonly BrokerEntry[];
  /** The token endpoint of an issuer id, from its resolved metadata (`undefined`: it has none). */
  readonly tokenEndpoint: (issuerId: string) => Promise<string | undefined>;
  /** Cached exchanged tokens at most (LRU); 0 keeps none (single-flight still applies). */
  readonly maxEntries: number;
  readonly fetchOptions: GuardedRequest;
  readonly logger?: Logger | undefined;
  /** Exchanged tokens shared with other instances (a Redis store), consulted before exchanging. */
  readonly shared?: DownstreamTokenCache | undefined;
}

/**
 * Gets downstream tokens for verified callers. Created by `compile()` from the manifest's
 * `downstream` section; use it through `McpAuth.downstreamToken`.
 *
 * @example
 * ```ts
 * const token = await broker.token(authInfo, 'notes-api'); // one exchange, then cached
 * ```
 */
export class DownstreamBroker {
  readonly #entries: ReadonlyMap<string, BrokerEntry>;
  readonly #options: BrokerOptions;
  readonly #cache: TokenCache<DownstreamToken>;
  readonly #actors = new Map<string, TokenCache<string>>();
  /**
   * What each entry's tokens are for, as cache keys name it: its name and every parameter of the
   * request (issuer id, grant, audience, resource, scope, actor, and the requester: client and
   * issuer). Two instances sharing a store whose entries have one name but other parameters (two
   * deployments, a rolling change of client or tenant) never hand each other's tokens out.
   */
  readonly #purposes: ReadonlyMap<string, string>;

  constructor(options: BrokerOptions) {
    this.#entries = new Map(options.entries.map((e) => [e.name, e]));
    this.#purposes = new Map(
      options.entries.map((e) => [
        e.name,
        JSON.stringify([
          e.name,
          e.issuerId,
          e.grant,
          e.audience,
          e.resource,
          e.scope,
          e.actor ?? null,
          e.requester,
        ]),
      ]),
    );
    this.#options = options;
    this.#cache = new TokenCache(options.maxEntries);
    for (const entry of options.entries) if (entry.actor) this.#actors.set(entry.name, new TokenCache(1));
  }

  /** The downstream names this broker serves. */
  get names(): readonly string[] {
    return [...this.#entries.keys()];
  }

  /**
   * A token for downstream API `name` on behalf of the caller of `authInfo` (a verified
   * identity from this runtime). Concurrent calls for the same caller and API share one
   * exchange; the result is reused until shortly before it (or the caller's token) expires.
   *
   * @throws {DownstreamError} `downstream_unknown`, `exchange_refused`, `exchange_unavailable`, `exchange_invalid_response`
   * @throws {OptionError} when `authInfo` carries no token
   */
  token(authInfo: Pick<AuthInfo, 'token' | 'expiresAt'>, name: string): Promise<DownstreamToken> {
    const entry = this.#entries.get(name);
    if (!entry) return Promise.reject(unknownDownstream(name, this.names));
    if (typeof authInfo?.token !== 'string' || authInfo.token === '')
      return Promise.reject(new OptionError('downstreamToken(authInfo, name): authInfo.token is empty'));
    const capMs = typeof authInfo.expiresAt === 'number' ? authInfo.expiresAt * 1000 : undefined;
    const key = cacheKey(authInfo.token, this.#purposes.get(name)!); // a promise only where WebCrypto computes it
    const get = (k: string) => this.#fetchOnce(k, entry, authInfo.token, capMs);
    return typeof key === 'string' ? get(key) : key.then(get);
  }

  /** The cached token for `key`, or one exchange shared by every concurrent caller. */
  #fetchOnce(
    key: string,
    entry: BrokerEntry,
    subjectToken: string,
    capMs: number | undefined,
  ): Promise<DownstreamToken> {
    return this.#cache.get(key, async () => {
      // Another instance may have exchanged this caller's token already (a shared store).
      const stored = await this.#options.shared?.read(key);
      if (stored)
        return { value: stored.value, usableUntilMs: Math.min(stored.usableUntilMs, capMs ?? Infinity) };
      const issued = await this.#logged(entry.name, () => this.#exchange(entry, subjectToken));
      const expiresAtMs = Date.now() + issued.expiresIn * 1000;
      const value: DownstreamToken = Object.freeze({
        accessToken: issued.accessToken,
        tokenType: issued.tokenType,
        expiresAt: Math.floor(expiresAtMs / 1000),
        ...(issued.issuedTokenType ? { issuedTokenType: issued.issuedTokenType } : {}),
      });
      const usableUntilMs = usableUntil(Date.now(), expiresAtMs, capMs);
      this.#options.shared?.write(key, value, usableUntilMs);
      return { value, usableUntilMs };
    });
  }

  async #exchange(entry: BrokerEntry, subjectToken: string): Promise<IssuedToken> {
    const endpoint = await this.#endpoint(entry.name, entry.issuerId);
    const actorToken = entry.actor ? await this.#actorToken(entry, endpoint) : undefined;
    return exchangeToken(entry, endpoint, subjectToken, actorToken, this.#options.fetchOptions);
  }

  /** This server's own client-credentials token for `entry`, cached until shortly before expiry. */
  #actorToken(entry: BrokerEntry, endpoint: string): Promise<string> {
    const actor = entry.actor!;
    return this.#actors.get(entry.name)!.get('actor', async () => {
      const issued = await clientCredentials(entry.name, endpoint, actor, entry.authenticate, this.#options);
      const expiresAtMs = Date.now() + issued.expiresIn * 1000;
      return { value: issued.accessToken, usableUntilMs: usableUntil(Date.now(), expiresAtMs) };
    });
  }

  async #endpoint(name: string, issuerId: string): Promise<string> {
    let endpoint: string | undefined;
    try {
      endpoint = await this.#options.tokenEndpoint(issuerId);
    } catch (err) {
      throw new DownstreamError('exchange_unavailable', name, `issuer "${issuerId}" is unavailable`, {
        cause: err,
      });
    }
    if (typeof endpoint !== 'string' || endpoint === '')
      throw new DownstreamError(
        'exchange_unavailable',
        name,
        `issuer "${issuerId}" publishes no token_endpoint`,
      );
    return endpoint;
  }

  /** Logs a failure by its code only (never a token, secret or upstream text) and rethrows it. */
  async #logged<T>(name: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const details = {
        downstream: name,
        code: err instanceof DownstreamError ? err.code : 'error',
        ...(err instanceof DownstreamError && err.oauthError ? { oauthError: err.oauthError } : {}),
        ...(err instanceof DownstreamError && err.status ? { status: err.status } : {}),
      };
      this.#options.logger?.warn('mcp-auth-config: downstream token request failed', details);
      throw err;
    }
  }

  /** Forgets every cached token. */
  close(): void {
    this.#cache.clear();
    for (const cache of this.#actors.values()) cache.clear();
  }
}

function clientCredentials(
  name: string,
  endpoint: string,
  actor: NonNullable<BrokerEntry['actor']>,
  authenticate: ClientAuthenticator,
  options: BrokerOptions,
): Promise<IssuedToken> {
  const params = {
    grant_type: 'client_credentials',
    ...(actor.audience.length ? { audience: actor.audience } : {}),
    ...(actor.resource.length ? { resource: actor.resource } : {}),
    ...(actor.scope.length ? { scope: actor.scope.join(' ') } : {}),
  };
  return requestToken(name, endpoint, params, authenticate, 'client_credentials', options.fetchOptions);
}

function unknownDownstream(name: string, known: readonly string[]): DownstreamError {
  const safe = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(name) ? name : '(invalid name)';
  return new DownstreamError(
    'downstream_unknown',
    safe,
    `no such entry in the manifest's "downstream" (known: ${known.length ? known.join(', ') : 'none'})`,
  );
}
