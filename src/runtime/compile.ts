/**
 * `compile()`: manifest → resolved issuers → one verifier per resource → a frozen {@link McpAuth}.
 * @module
 */
import { createDispatcher } from '../discovery/fetch.js';
import { IssuerState } from '../discovery/issuer-state.js';
import { configuredIssuer, type ResolvedIssuer } from '../discovery/resolve.js';
import { DiscoveryError, OptionError, TokenError } from '../errors.js';
import { loadManifest } from '../manifest/load.js';
import { parseManifest } from '../manifest/parse.js';
import type { IssuerEntry, Manifest, ManifestInput } from '../manifest/schema.js';
import type { IntrospectionClient } from '../verify/introspect.js';
import { KeyStore } from '../verify/jwks.js';
import { TokenVerifier, type VerifyHook } from '../verify/verifier.js';
import { McpAuth } from './mcp-auth.js';
import { compileResource } from './resource.js';
import type { Logger } from './types.js';

/** Options of {@link compile}. */
export interface CompileOptions {
  /** Where to search for the manifest when none is given. Default: `process.cwd()`. */
  readonly cwd?: string;
  /** Environment for `${VAR}` interpolation and introspection secrets. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives warnings (an issuer unreachable, a hook that threw); never a token. */
  readonly logger?: Logger;
}

/** One issuer inside a runtime: its metadata state and, once known, its keys. */
export class IssuerRuntime {
  readonly id: string;
  readonly state: IssuerState;
  readonly #entry: IssuerEntry;
  readonly #manifest: Manifest;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #fetchOptions: ConstructorParameters<typeof KeyStore>[2];
  #keys: KeyStore | undefined;
  #introspection: IntrospectionClient | undefined;

  constructor(
    id: string,
    entry: IssuerEntry,
    manifest: Manifest,
    context: {
      env: Readonly<Record<string, string | undefined>>;
      fetchOptions: ConstructorParameters<typeof KeyStore>[2];
    },
  ) {
    this.id = id;
    this.#entry = entry;
    this.#manifest = manifest;
    this.#env = context.env;
    this.#fetchOptions = context.fetchOptions;
    this.state = new IssuerState(id, entry, context.fetchOptions ?? {}, {
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

  /** The issuer's key store, created once its `jwks_uri` (or the manifest override) is known. */
  async keys(): Promise<KeyStore> {
    if (this.#keys) return this.#keys;
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

  /** The introspection client, when the manifest gives credentials. */
  async introspection(): Promise<IntrospectionClient> {
    if (this.#introspection) return this.#introspection;
    const config = this.#entry.introspection;
    if (!config) throw new TokenError('unavailable', 'issuer_unavailable');
    const resolved = await this.resolved();
    const endpoint = config.endpoint ?? resolved.metadata.introspection_endpoint;
    const clientSecret = this.#env[config.clientSecretEnv];
    if (!endpoint || !clientSecret) throw new TokenError('unavailable', 'issuer_unavailable');
    this.#introspection = Object.freeze({
      issuer: resolved.issuer,
      endpoint,
      clientId: config.clientId,
      clientSecret,
      authMethod: config.authMethod,
    });
    return this.#introspection;
  }
}

async function manifestOf(
  input: string | ManifestInput | Manifest | undefined,
  options: CompileOptions,
): Promise<Manifest> {
  if (input === undefined)
    return (
      await loadManifest({
        ...(options.cwd ? { cwd: options.cwd } : {}),
        ...(options.env ? { env: options.env } : {}),
      })
    ).manifest;
  if (typeof input === 'string')
    return (
      await loadManifest({
        path: input,
        ...(options.cwd ? { cwd: options.cwd } : {}),
        ...(options.env ? { env: options.env } : {}),
      })
    ).manifest;
  if (typeof input !== 'object' || input === null)
    throw new OptionError('compile() takes a manifest object, a file path, or nothing');
  return parseManifest(input);
}

/**
 * Compiles a manifest into an immutable runtime: loads it (given a path, or searched from `cwd`
 * when omitted), validates it, resolves every issuer once (concurrently), builds one verifier per
 * resource and precomputes the route table. With `settings.startup: "fail-fast"` (the default)
 * it rejects listing every issuer that failed; with `"lazy"` it resolves in the background.
 *
 * @example
 * ```ts
 * import { compile } from 'mcp-auth-config';
 * const auth = await compile();                      // finds mcp-auth.config.* from cwd
 * const auth2 = await compile('./config/auth.yaml');  // or a path, or a manifest object
 * // ... mount it with an adapter; on shutdown:
 * await auth.close();
 * ```
 * @throws {ManifestError} for an invalid manifest; {@link DiscoveryError} when issuers fail in fail-fast mode
 */
export async function compile(
  input?: string | ManifestInput | Manifest,
  options: CompileOptions = {},
): Promise<McpAuth> {
  const manifest = await manifestOf(input, options);
  const env = options.env ?? process.env;
  const dispatcher = createDispatcher();
  const fetchOptions = { ...manifest.settings.fetch, dispatcher };

  // Every used issuer is resolved once, however many resources share it.
  const used = new Set(manifest.resources.flatMap((r) => r.authorizationServers));
  const issuers = new Map<string, IssuerRuntime>();
  for (const id of used)
    issuers.set(id, new IssuerRuntime(id, manifest.issuers[id]!, manifest, { env, fetchOptions }));

  for (const [id, entry] of Object.entries(manifest.issuers)) {
    if (used.has(id) && entry.introspection && env[entry.introspection.clientSecretEnv] === undefined) {
      await dispatcher.close();
      throw new OptionError(
        `issuers.${id}.introspection: environment variable ${entry.introspection.clientSecretEnv} (the client secret) is not set`,
      );
    }
  }

  if (manifest.settings.startup === 'fail-fast') {
    const results = await Promise.allSettled([...issuers.values()].map((i) => i.state.get()));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as DiscoveryError] : []));
    const needsKeys = manifest.resources.flatMap((r) =>
      r.token.format === 'introspection'
        ? []
        : r.authorizationServers.filter((id) => {
            const issuer = issuers.get(id)!;
            return (
              issuer.state.current && !issuer.state.current.metadata.jwks_uri && !manifest.issuers[id]!.jwks
            );
          }),
    );
    for (const id of new Set(needsKeys)) {
      failures.push(
        new DiscoveryError(
          'invalid_metadata',
          `issuer "${id}" has no jwks_uri, so its JWTs cannot be verified; give issuers.${id}.jwks or use token.format "introspection"`,
          { issuerId: id },
        ),
      );
    }
    if (failures.length) {
      await dispatcher.close();
      const first = failures[0]!;
      throw new DiscoveryError(
        first.code,
        `cannot compile: ${failures.map((f) => f.message.replace(/^mcp-auth-config: /, '')).join('; ')}`,
        {
          ...(first.issuerId ? { issuerId: first.issuerId } : {}),
          cause: new AggregateError(failures),
        },
      );
    }
  }
  for (const issuer of issuers.values()) issuer.state.start();

  const resources = manifest.resources.map((entry) => {
    const resourceIssuers = entry.authorizationServers.map((id) => issuers.get(id)!);
    const keysFor = async (iss: string) => {
      let match = resourceIssuers.find((i) => i.issuer === iss);
      if (!match) {
        // Issuers named only by a well-known URL are known once resolved.
        const unknown = resourceIssuers.filter((i) => i.issuer === undefined);
        await Promise.all(unknown.map((i) => i.resolved()));
        match = resourceIssuers.find((i) => i.issuer === iss);
      }
      return match?.keys();
    };
    const introspecting = resourceIssuers.find((i) => manifest.issuers[i.id]!.introspection);
    const verifier = new TokenVerifier({
      resource: entry.resource,
      format: entry.token.format,
      jwt: {
        keysFor,
        algorithms: entry.token.algorithms,
        clockToleranceSec: entry.token.clockTolerance,
        typ: entry.token.typ,
      },
      audiences: entry.token.audience === undefined ? [entry.resource] : [entry.token.audience].flat(),
      introspection: introspecting ? () => introspecting.introspection() : undefined,
      scopeClaims: entry.token.scopeClaims,
      scopeHierarchy: entry.scopeHierarchy,
      maxLength: entry.token.maxLength,
      cache: {
        maxEntries: manifest.settings.cache.maxEntries,
        maxAgeMs: manifest.settings.cache.maxAgeSeconds * 1000,
      },
      hook: (entry.token as { verify?: VerifyHook }).verify,
      fetchOptions,
    });
    return compileResource(entry, verifier);
  });

  return new McpAuth({ manifest, resources, issuers, dispatcher, logger: options.logger });
}
