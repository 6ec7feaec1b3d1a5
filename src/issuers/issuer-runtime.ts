/**
 * One issuer inside a runtime: its metadata state and, once known, its keys and introspection
 * client, all created on first need and then reused.
 * @module
 */
import type { GuardedRequest, GuardedResponse } from '../discovery/guarded-fetch.js';
import { IssuerMetadata } from '../discovery/issuer-metadata.js';
import { configuredIssuer, type ResolvedIssuer } from '../discovery/resolve.js';
import { TokenError } from '../errors.js';
import { readEnv, type EnvSource } from '../lib/env.js';
import type { IssuerEntry, Manifest } from '../manifest/schema.js';
import type { IntrospectionClient } from '../verify/introspect.js';
import { EndpointCalls } from '../verify/endpoint-calls.js';
import { KeyStore } from '../verify/jwks.js';

/** One issuer inside a runtime: its metadata state and, once known, its keys. */
export class IssuerRuntime {
  readonly id: string;
  readonly state: IssuerMetadata;
  readonly #entry: IssuerEntry;
  readonly #manifest: Manifest;
  readonly #env: EnvSource;
  readonly #fetchOptions: GuardedRequest;
  #keys: KeyStore | undefined;
  #introspection: IntrospectionClient | undefined;
  /** The calls to the issuer's introspection endpoint, shared by every resource that introspects. */
  readonly #introspectionCalls = new EndpointCalls<Record<string, unknown>>();
  /** The calls to the issuer's token-information endpoint (`issuers.<id>.tokenInfo`), likewise. */
  readonly tokenInfoCalls = new EndpointCalls<GuardedResponse>();

  constructor(
    id: string,
    entry: IssuerEntry,
    manifest: Manifest,
    context: {
      env: EnvSource;
      fetchOptions: GuardedRequest;
    },
  ) {
    this.id = id;
    this.#entry = entry;
    this.#manifest = manifest;
    this.#env = context.env;
    this.#fetchOptions = context.fetchOptions;
    this.state = new IssuerMetadata(id, entry, context.fetchOptions, {
      refreshMs: manifest.settings.metadataRefreshSeconds * 1000,
    });
  }

  /** The issuer identifier: from the resolved metadata, else as configured, else unknown. */
  get issuer(): string | undefined {
    return this.state.current?.issuer ?? configuredIssuer(this.#entry);
  }

  /** The resolved metadata, or `TokenError('unavailable')` while it cannot be had. */
  async resolved(): Promise<ResolvedIssuer> {
    try {
      return await this.state.get();
    } catch (err) {
      throw new TokenError('unavailable', 'issuer_unavailable', {
        cause: err,
        retryAfterSeconds: Math.max(1, Math.ceil(this.state.retryAfterMs / 1000)),
      });
    }
  }

  /**
   * The issuer's key store, created once its `jwks_uri` (or the manifest override) is known. When
   * the keys come from the metadata, a refresh that names another `jwks_uri` moves the store's
   * later fetches there.
   */
  async keys(): Promise<KeyStore> {
    const current = this.currentKeys();
    if (current) return current;
    const { jwks } = this.#entry;
    let source: ConstructorParameters<typeof KeyStore>[0] | undefined;
    if (jwks?.keys) source = { keys: jwks.keys };
    else if (jwks?.uri) source = { uri: jwks.uri };
    else {
      const uri = (await this.resolved()).metadata.jwks_uri;
      if (uri) source = { uri };
    }
    if (!source) throw new TokenError('unavailable', 'issuer_unavailable');
    const { jwks: policy } = this.#manifest.settings;
    this.#keys ??= new KeyStore(
      source,
      {
        cooldownMs: policy.cooldownSeconds * 1000,
        maxAgeMs: policy.maxAgeSeconds * 1000,
        staleMs: policy.staleSeconds * 1000,
      },
      this.#fetchOptions,
    );
    return this.#keys;
  }

  /** The key store, synchronously, once {@link keys} has created it; else `undefined`. */
  currentKeys(): KeyStore | undefined {
    return this.#keys && this.#followJwksUri(this.#keys);
  }

  /** Points a metadata-sourced store at the `jwks_uri` of the current metadata. */
  #followJwksUri(store: KeyStore): KeyStore {
    if (this.#entry.jwks?.keys || this.#entry.jwks?.uri) return store;
    const uri = this.state.current?.metadata.jwks_uri;
    if (uri) store.retarget(uri);
    return store;
  }

  /** The introspection client, when the manifest gives credentials. */
  async introspection(): Promise<IntrospectionClient> {
    if (this.#introspection) return this.#introspection;
    const config = this.#entry.introspection;
    if (!config) throw new TokenError('unavailable', 'issuer_unavailable');
    const resolved = await this.resolved();
    const endpoint = config.endpoint ?? resolved.metadata.introspection_endpoint;
    const clientSecret = readEnv(this.#env, config.clientSecretEnv);
    if (!endpoint || !clientSecret) throw new TokenError('unavailable', 'issuer_unavailable');
    this.#introspection = Object.freeze({
      issuer: resolved.issuer,
      endpoint,
      clientId: config.clientId,
      clientSecret,
      authMethod: config.authMethod,
      calls: this.#introspectionCalls,
    });
    return this.#introspection;
  }
}
