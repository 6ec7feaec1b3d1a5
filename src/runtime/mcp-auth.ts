/**
 * The compiled runtime: the metadata routes and request authentication, framework-neutral.
 * Everything here is computed at compile time; the request path only looks things up.
 * @module
 */
import type { Agent } from 'undici';
import { OptionError, TokenError } from '../errors.js';
import { deepFreeze } from '../lib/freeze.js';
import type { Manifest } from '../manifest/schema.js';
import type { AuthInfo } from '../verify/auth-info.js';
import { extractBearer } from '../verify/bearer.js';
import { errorResponse } from '../verify/challenge.js';
import { expandScopes, missingScopes } from '../verify/scopes.js';
import type { IssuerRuntime } from './issuer-runtime.js';
import { protectedResourceMetadata, type CompiledResource } from './resource.js';
import {
  buildRouteTable,
  matchResource,
  pathOf,
  pickByHost,
  type MetadataRoute,
  type MetadataRow,
} from './routes.js';
import { calledTools } from './tools.js';
import type { AuthenticateOptions, AuthResult, CoreRequest, CoreResponse, Logger } from './types.js';

/** An object usable as the MCP SDK's `OAuthTokenVerifier`. */
export interface OAuthTokenVerifier {
  verifyAccessToken(token: string): Promise<AuthInfo>;
}

function payloadTooLarge(): CoreResponse {
  const body = JSON.stringify({
    error: 'invalid_request',
    error_description: 'The request body is too large',
  });
  return {
    status: 413,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body,
  };
}

const CORS_METADATA = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'Authorization, MCP-Protocol-Version, Content-Type',
  'access-control-max-age': '86400',
};

interface RuntimeParts {
  readonly manifest: Manifest;
  readonly resources: readonly CompiledResource[];
  readonly issuers: ReadonlyMap<string, IssuerRuntime>;
  readonly dispatcher: Agent;
  readonly logger?: Logger | undefined;
}

/** A form body's `access_token` (RFC 6750 §2.2), which MCP treats as a second credential. */
function formCarriesToken({ contentType, body }: CoreRequest): boolean {
  return (
    !!contentType &&
    /application\/x-www-form-urlencoded/i.test(contentType) &&
    !!body &&
    typeof body === 'object' &&
    Object.hasOwn(body, 'access_token')
  );
}

function json(status: number, value: unknown, headers: Record<string, string>, head: boolean): CoreResponse {
  const body = JSON.stringify(value);
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    },
    body: head ? undefined : body,
  };
}

/**
 * A compiled manifest. Created by {@link compile}; frozen. Mount it with an adapter
 * (`mcp-auth-config/fastify`, `/express`, `/node`, `/fetch`) or call its two core functions.
 *
 * @example
 * ```ts
 * const auth = await compile();
 * const response = auth.handleMetadataRequest({ method: 'GET', url: '/.well-known/oauth-protected-resource/mcp', authorization: [] });
 * const result = await auth.authenticate({ method: 'POST', url: '/mcp', authorization: [req.headers.authorization ?? ''] });
 * ```
 */
export class McpAuth {
  /** The validated manifest. */
  readonly manifest: Manifest;
  /** The compiled resources, in manifest order. */
  readonly resources: readonly CompiledResource[];
  /** Every metadata route served. */
  readonly routes: readonly MetadataRoute[];
  readonly #issuers: ReadonlyMap<string, IssuerRuntime>;
  readonly #dispatcher: Agent;
  readonly #logger: Logger | undefined;
  readonly #scopeSets = new WeakMap<AuthInfo, { resource: CompiledResource; set: ReadonlySet<string> }>();
  readonly #byMetadataPath: ReadonlyMap<string, MetadataRow>;
  readonly #byResource: ReadonlyMap<string, CompiledResource>;

  constructor(parts: RuntimeParts) {
    this.manifest = parts.manifest;
    this.resources = Object.freeze([...parts.resources]);
    this.#issuers = parts.issuers;
    this.#dispatcher = parts.dispatcher;
    this.#logger = parts.logger;
    this.#byResource = new Map(this.resources.map((r) => [r.resource, r]));

    const { table, routes } = buildRouteTable(this.resources);
    this.#byMetadataPath = table;
    this.routes = routes;
    deepFreeze(this.resources.map((r) => r.documentFields));
    Object.freeze(this);
  }

  /**
   * The resource a request path belongs to: the longest resource path that prefixes it (`Host`
   * only breaks ties between origins), if any.
   */
  resourceFor(url: string, host?: string): CompiledResource | undefined {
    return matchResource(this.resources, url, host);
  }

  /** The issuers' identifiers for a resource's PRM, or `undefined` while one is unknown (lazy start-up). */
  #issuerStrings(resource: CompiledResource): string[] | undefined {
    const out: string[] = [];
    for (const id of resource.issuerIds) {
      const issuer = this.#issuers.get(id)?.issuer;
      if (issuer === undefined) return undefined;
      out.push(issuer);
    }
    return out;
  }

  /**
   * Answers a metadata request (Protected Resource Metadata, and the opt-in authorization-server
   * mirror), or returns `undefined` when the path is not a metadata route (the application
   * handles it). One trailing slash is tolerated; never a redirect.
   */
  handleMetadataRequest(request: CoreRequest): CoreResponse | undefined | Promise<CoreResponse | undefined> {
    const { path } = pathOf(request.url);
    const row =
      this.#byMetadataPath.get(path) ??
      (path.endsWith('/') ? this.#byMetadataPath.get(path.slice(0, -1)) : undefined);
    if (!row) return undefined;
    const method = request.method.toUpperCase();
    if (method === 'OPTIONS') return { status: 204, headers: { ...CORS_METADATA }, body: undefined };
    if (method !== 'GET' && method !== 'HEAD') {
      return json(
        405,
        { error: 'method_not_allowed' },
        { allow: 'GET, HEAD, OPTIONS', 'cache-control': 'no-store' },
        false,
      );
    }
    const head = method === 'HEAD';
    const resource = pickByHost(row.candidates, request.host);
    const cache = {
      'cache-control': `public, max-age=${this.manifest.settings.metadataMaxAgeSeconds}`,
      ...CORS_METADATA,
    };
    if (row.kind === 'protected-resource') {
      const issuers = this.#issuerStrings(resource);
      if (issuers) return json(200, protectedResourceMetadata(resource, issuers), cache, head);
    }
    return this.#slowMetadata(resource, row.kind, head, cache);
  }

  async #slowMetadata(
    resource: CompiledResource,
    kind: MetadataRoute['kind'],
    head: boolean,
    cache: Record<string, string>,
  ): Promise<CoreResponse> {
    try {
      const resolved = await Promise.all(resource.issuerIds.map((id) => this.#issuers.get(id)!.resolved()));
      if (kind === 'authorization-server-mirror') return json(200, resolved[0]!.metadata, cache, head);
      return json(
        200,
        protectedResourceMetadata(
          resource,
          resolved.map((r) => r.issuer),
        ),
        cache,
        head,
      );
    } catch (err) {
      const retry = err instanceof TokenError ? (err.retryAfterSeconds ?? 5) : 5;
      return json(
        503,
        { error: 'temporarily_unavailable' },
        { 'retry-after': String(retry), 'cache-control': 'no-store' },
        head,
      );
    }
  }

  /**
   * Decides a request to a protected resource: a verified identity, a ready error response
   * (400/401/403/503 with the right challenge), or pass-through for a CORS preflight. A reused
   * token (a cache hit, no `verify` hook) is decided synchronously; otherwise the result is a
   * promise. `await` works for both.
   *
   * @example
   * ```ts
   * const result = await auth.authenticate(coreRequest, { scopes: ['write:notes'] });
   * if (result.response) return send(result.response);
   * if (result.auth) req.auth = result.auth;
   * ```
   */
  authenticate(request: CoreRequest, options: AuthenticateOptions = {}): AuthResult | Promise<AuthResult> {
    const resource = this.#resourceOf(request, options.resource);
    // CORS preflights carry no credentials by design; the application's CORS handling answers them.
    if (request.method.toUpperCase() === 'OPTIONS' && request.accessControlRequestMethod) return {};
    // A body too large to read could hide a tools/call: refuse rather than skip per-tool scopes.
    if (options.tool === undefined && resource.toolScopes.size > 0 && request.bodyTooLarge) {
      return { response: payloadTooLarge() };
    }
    const needed = this.#neededScopes(resource, request, options);
    let token: string;
    try {
      const { queryToken } = pathOf(request.url);
      token = extractBearer(
        { authorization: request.authorization, queryToken, bodyToken: formCarriesToken(request) },
        resource.verifier.maxLength,
      );
    } catch (err) {
      return this.#refuse(err, resource, needed, undefined, options);
    }
    // A reused token is answered without a promise turn (a cache hit with no hook to run).
    const cached = options.verifyToken ? undefined : resource.verifier.cachedAccessToken(token);
    if (cached) return this.#authorize(cached, resource, needed, options);
    let verifying: Promise<AuthInfo>;
    try {
      verifying = Promise.resolve(
        options.verifyToken ? options.verifyToken(token) : resource.verifier.verifyAccessToken(token),
      );
    } catch (err) {
      return this.#refuse(err, resource, needed, undefined, options);
    }
    return verifying.then(
      (auth) => this.#authorize(auth, resource, needed, options),
      (err: unknown) => this.#refuse(err, resource, needed, undefined, options),
    );
  }

  /** Checks a verified identity's scopes against what the request needs. */
  #authorize(
    auth: AuthInfo,
    resource: CompiledResource,
    needed: readonly string[],
    options: AuthenticateOptions,
  ): AuthResult {
    if (needed.length && missingScopes(this.#scopeSet(auth, resource), needed).length) {
      const error = new TokenError('insufficient_scope', 'scope', { requiredScopes: needed });
      return this.#refuse(error, resource, needed, auth, options);
    }
    return { auth };
  }

  /** The error response for a refused request. */
  #refuse(
    err: unknown,
    resource: CompiledResource,
    needed: readonly string[],
    auth: AuthInfo | undefined,
    options: AuthenticateOptions,
  ): AuthResult {
    const error = err instanceof TokenError ? err : this.#unexpected(err);
    if (error.code === 'unavailable') {
      this.#logger?.warn('mcp-auth-config: authorization server unavailable', {
        resource: resource.resource,
      });
    }
    const granted =
      auth && resource.challengeGrantedScopes ? auth.scopes.filter((s) => resource.knownScopes.has(s)) : [];
    return {
      response: errorResponse(error, {
        resourceMetadata: resource.metadataUrl,
        scopes: needed,
        challengeScopes: [...new Set([...granted, ...needed])],
        publicToBrowsers: resource.publicToBrowsers,
        showErrorDetails: options.showErrorDetails,
      }),
    };
  }

  /** Every scope a request needs: the resource's, the route's and those of the tools it calls. */
  #neededScopes(
    resource: CompiledResource,
    request: CoreRequest,
    options: AuthenticateOptions,
  ): readonly string[] {
    const tools =
      options.tool !== undefined ? [options.tool] : resource.toolScopes.size ? calledTools(request.body) : [];
    if (!tools.length && !options.scopes?.length) return resource.requiredScopes;
    return [
      ...new Set([
        ...resource.requiredScopes,
        ...(options.scopes ?? []),
        ...tools.flatMap((t) => resource.toolScopes.get(t) ?? []),
      ]),
    ];
  }

  /** The token's scopes with the hierarchy applied, computed once per verified token. */
  #scopeSet(auth: AuthInfo, resource: CompiledResource): ReadonlySet<string> {
    const hit = this.#scopeSets.get(auth);
    if (hit?.resource === resource) return hit.set;
    const set = new Set(expandScopes(auth.scopes, resource.scopeHierarchy));
    this.#scopeSets.set(auth, { resource, set });
    return set;
  }

  #unexpected(err: unknown): TokenError {
    this.#logger?.warn('mcp-auth-config: token check failed unexpectedly', {
      error: err instanceof Error ? err.name : typeof err,
    });
    return new TokenError('invalid_token', 'rejected', { cause: err });
  }

  #resourceOf(request: CoreRequest, resource: string | undefined): CompiledResource {
    if (resource !== undefined) {
      const found = this.#byResource.get(resource);
      if (!found)
        throw new OptionError(
          `resource "${resource}" is not in the manifest (known: ${this.resources.map((r) => r.resource).join(', ')})`,
        );
      return found;
    }
    const found =
      this.resourceFor(request.url, request.host) ??
      (this.resources.length === 1 ? this.resources[0] : undefined);
    if (!found)
      throw new OptionError(`no resource covers ${pathOf(request.url).path}; pass { resource } explicitly`);
    return found;
  }

  /**
   * A verifier for one resource, usable as the MCP SDK's `OAuthTokenVerifier` (e.g. with its
   * `requireBearerAuth`). Default: the only resource.
   *
   * @example
   * ```ts
   * app.use('/mcp', requireBearerAuth({ verifier: auth.tokenVerifier('https://api.example.com/mcp') }));
   * ```
   */
  tokenVerifier(resource?: string): OAuthTokenVerifier {
    const found = this.#resourceOf(
      { method: 'GET', url: '/', authorization: [] },
      resource ?? (this.resources.length === 1 ? this.resources[0]!.resource : undefined),
    );
    return Object.freeze({ verifyAccessToken: (token: string) => found.verifier.verifyAccessToken(token) });
  }

  /** Releases timers and sockets. The runtime must not be used afterwards. */
  async close(): Promise<void> {
    for (const issuer of this.#issuers.values()) issuer.state.close();
    await this.#dispatcher.close();
  }
}
