/**
 * The seed API (Logto's `mcp-auth`), as a facade: `new MCPAuth({ protectedResources })` builds a
 * manifest from the seed-shaped configuration and compiles it with the same engine.
 * @module
 */
import type { AuthServerConfig } from '../discovery/server-config.js';
import { OptionError, TokenError } from '../errors.js';
import { metadataRouter, requireAuth, type ExpressMiddleware } from '../adapters/express.js';
import type { ManifestInput, ManualMetadata } from '../manifest/schema.js';
import { parseManifest } from '../manifest/parse.js';
import { compile } from '../runtime/compile.js';
import type { McpAuth } from '../runtime/mcp-auth.js';
import type { AuthInfo } from '../verify/auth-info.js';

/** RFC 9728 metadata of one protected resource, seed-shaped (camelCase, issuers as configs). */
export interface ResourceServerMetadata {
  readonly resource: string;
  readonly authorizationServers: readonly AuthServerConfig[];
  readonly scopesSupported?: readonly string[];
  readonly resourceName?: string;
  readonly resourceDocumentation?: string;
  readonly resourcePolicyUri?: string;
  readonly resourceTosUri?: string;
}

/** One protected resource in the seed API. */
export interface ResourceServerConfig {
  readonly metadata: ResourceServerMetadata;
  /**
   * **mcp-auth-config extension, not part of the seed API**: scopes a `tools/call` of each tool
   * needs in addition to the route's, e.g. `{ delete_note: { requiredScopes: ['write:notes'] } }`.
   * Every `bearerAuth()` of the resource reads the JSON-RPC body (parsed by `express.json()` if it
   * ran before, otherwise read once) and refuses such a call without them with 403
   * `insufficient_scope`, exactly like the manifest's `resources[].tools`.
   */
  readonly tools?: Readonly<Record<string, { readonly requiredScopes: readonly string[] }>>;
}

/** The constructor options of {@link MCPAuth}. */
export interface MCPAuthConfig {
  readonly protectedResources: ResourceServerConfig | readonly ResourceServerConfig[];
}

/** Options of {@link MCPAuth.bearerAuth}. */
export interface BearerAuthOptions {
  /** The resource (from `protectedResources`) this route belongs to. Default: the only one. */
  readonly resource?: string;
  /** Audience the token must carry. Default: the resource. */
  readonly audience?: string | readonly string[];
  /** Scopes the route needs. */
  readonly requiredScopes?: readonly string[];
  /** Add the failed check's name to error bodies (never token contents). */
  readonly showErrorDetails?: boolean;
}

/**
 * A custom token verification function (seed `bearerAuth(verify)`). As in the seed, it checks the
 * token itself (signature, expiry); `bearerAuth` then checks what it returns: `issuer` one of the
 * resource's authorization servers, `audience` containing one of `options.audience` when given,
 * `expiresAt` not past, and the route's scopes.
 */
export type VerifyAccessTokenFunction = (token: string) => Promise<AuthInfo>;

/**
 * `verify` followed by the checks the seed's handler made on its result (see
 * {@link VerifyAccessTokenFunction}), so code ported from the seed keeps them.
 */
function checkedVerify(
  verify: VerifyAccessTokenFunction,
  issuers: ReadonlySet<string>,
  audience: readonly string[] | undefined,
): VerifyAccessTokenFunction {
  return async (token) => {
    const info = await verify(token);
    if (!issuers.has(info?.issuer)) throw new TokenError('invalid_token', 'unknown_issuer');
    const carried = [info.audience ?? []].flat() as unknown[];
    if (audience && !audience.some((a) => carried.includes(a)))
      throw new TokenError('invalid_token', 'audience');
    if (typeof info.expiresAt === 'number' && info.expiresAt * 1000 <= Date.now())
      throw new TokenError('invalid_token', 'expired');
    return info;
  };
}

/** The extension's tools as the manifest's `tools` map (scope names validated with the manifest). */
function toolsOf(
  tools: NonNullable<ResourceServerConfig['tools']>,
  at: string,
): Record<string, { requiredScopes: string[] }> {
  if (!tools || typeof tools !== 'object') throw new OptionError(`${at}.tools must be an object of tools`);
  return Object.fromEntries(
    Object.entries(tools).map(([name, tool]) => {
      if (!Array.isArray(tool?.requiredScopes)) {
        throw new OptionError(`${at}.tools.${name}.requiredScopes must be an array of scopes`);
      }
      return [name, { requiredScopes: [...tool.requiredScopes] }];
    }),
  );
}

function toManifest(config: MCPAuthConfig): ManifestInput {
  const list = [config.protectedResources].flat() as ResourceServerConfig[];
  if (list.length === 0) throw new OptionError('protectedResources must name at least one resource');
  const issuers: Record<string, NonNullable<ManifestInput['issuers']>[string]> = {};
  const idOf = new Map<string, string>();
  const resources = list.map(({ metadata, tools }, i) => {
    if (!metadata?.resource) throw new OptionError(`protectedResources[${i}].metadata.resource is required`);
    const authorizationServers = (metadata.authorizationServers ?? []).map((server, j) => {
      if (!server?.metadata?.issuer) {
        throw new OptionError(
          `protectedResources[${i}].metadata.authorizationServers[${j}] must be an AuthServerConfig ({ type, metadata })`,
        );
      }
      let id = idOf.get(server.metadata.issuer);
      if (!id) {
        id = `issuer${idOf.size + 1}`;
        idOf.set(server.metadata.issuer, id);
        issuers[id] = { type: server.type, metadata: { ...server.metadata } as ManualMetadata };
      }
      return id;
    });
    const {
      resource,
      scopesSupported,
      resourceName,
      resourceDocumentation,
      resourcePolicyUri,
      resourceTosUri,
    } = metadata;
    return {
      resource,
      authorizationServers,
      ...(scopesSupported ? { scopesSupported: [...scopesSupported] } : {}),
      ...(resourceName ? { resourceName } : {}),
      ...(resourceDocumentation ? { resourceDocumentation } : {}),
      ...(resourcePolicyUri ? { resourcePolicyUri } : {}),
      ...(resourceTosUri ? { resourceTosUri } : {}),
      ...(tools !== undefined ? { tools: toolsOf(tools, `protectedResources[${i}]`) } : {}),
      // The seed protects only the routes given bearerAuth().
      protect: false,
    };
  });
  return { issuers, resources };
}

/**
 * The seed-compatible entry point. The configuration is validated at once (throws
 * `ManifestError`); compiling happens in the background and the middlewares wait for it.
 *
 * @example
 * ```ts
 * const authServerConfig = await fetchServerConfig('https://auth.logto.io/oidc', { type: 'oidc' });
 * const mcpAuth = new MCPAuth({
 *   protectedResources: [{
 *     metadata: { resource: 'https://api.example.com/notes', authorizationServers: [authServerConfig], scopesSupported: ['read:notes', 'write:notes'] },
 *     tools: { delete_note: { requiredScopes: ['write:notes'] } }, // extension: per-tool step-up
 *   }],
 * });
 * app.use(mcpAuth.protectedResourceMetadataRouter());
 * app.post('/notes', mcpAuth.bearerAuth('jwt', { resource: 'https://api.example.com/notes', requiredScopes: ['read:notes'] }), handler);
 * ```
 */
export class MCPAuth {
  readonly #manifest: ManifestInput;
  readonly #runtimes = new Map<string, Promise<McpAuth>>();

  constructor(config: MCPAuthConfig) {
    this.#manifest = toManifest(config);
    parseManifest(this.#manifest);
  }

  /** The compiled runtime (the same engine the manifest API uses). */
  runtime(): Promise<McpAuth> {
    return this.#runtime(undefined, undefined);
  }

  #runtime(resource: string | undefined, audience: BearerAuthOptions['audience']): Promise<McpAuth> {
    const key = audience === undefined ? '' : JSON.stringify([resource, audience]);
    let runtime = this.#runtimes.get(key);
    if (!runtime) {
      const manifest =
        audience === undefined
          ? this.#manifest
          : {
              ...this.#manifest,
              resources: this.#manifest.resources.map((r) =>
                r.resource === resource ? { ...r, token: { audience: [audience].flat() as string[] } } : r,
              ),
            };
      runtime = compile(manifest);
      this.#runtimes.set(key, runtime);
    }
    return runtime;
  }

  /** The issuer identifiers of a resource's authorization servers. */
  #issuersOf(resource: string): ReadonlySet<string> {
    const entry = this.#manifest.resources.find((r) => r.resource === resource)!;
    return new Set(entry.authorizationServers.map((id) => this.#manifest.issuers[id]!.metadata!.issuer));
  }

  #defaultResource(resource: string | undefined): string {
    if (resource !== undefined) {
      if (!this.#manifest.resources.some((r) => r.resource === resource)) {
        throw new OptionError(`bearerAuth: resource "${resource}" is not one of protectedResources`);
      }
      return resource;
    }
    if (this.#manifest.resources.length !== 1)
      throw new OptionError('bearerAuth: give { resource } when there are several protected resources');
    return this.#manifest.resources[0]!.resource;
  }

  /**
   * Express middleware serving `/.well-known/oauth-protected-resource` (+ each resource's path).
   *
   * @example
   * ```ts
   * app.use(mcpAuth.protectedResourceMetadataRouter());
   * ```
   */
  protectedResourceMetadataRouter(): ExpressMiddleware {
    return (req, res, next) => {
      this.runtime().then((auth) => metadataRouter(auth)(req, res, next), next);
    };
  }

  /**
   * Express middleware requiring a valid bearer token: `'jwt'` verifies against the issuers'
   * keys; a function replaces verification with your own. Sets `req.auth`.
   *
   * @example
   * ```ts
   * app.use('/mcp', mcpAuth.bearerAuth('jwt', { resource: 'https://api.example.com/notes', requiredScopes: ['read:notes'] }));
   * ```
   */
  bearerAuth(mode: 'jwt' | VerifyAccessTokenFunction, options: BearerAuthOptions = {}): ExpressMiddleware {
    if (mode !== 'jwt' && typeof mode !== 'function')
      throw new OptionError('bearerAuth: the first argument must be "jwt" or a verify function');
    const resource = this.#defaultResource(options.resource);
    const authenticate = {
      resource,
      ...(options.requiredScopes ? { scopes: options.requiredScopes } : {}),
      ...(options.showErrorDetails ? { showErrorDetails: true } : {}),
      ...(typeof mode === 'function'
        ? {
            verifyToken: checkedVerify(
              mode,
              this.#issuersOf(resource),
              options.audience === undefined ? undefined : [options.audience].flat(),
            ),
          }
        : {}),
    };
    return (req, res, next) => {
      this.#runtime(resource, options.audience).then(
        (auth) => requireAuth(auth, authenticate)(req, res, next),
        next,
      );
    };
  }

  /** Releases the compiled runtimes' timers and sockets. */
  async close(): Promise<void> {
    const runtimes = await Promise.allSettled(this.#runtimes.values());
    await Promise.all(runtimes.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
  }
}
