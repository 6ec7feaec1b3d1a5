/**
 * The compiled runtime: the metadata routes and request authentication, framework-neutral.
 * Everything here is computed at compile time; the request path only looks things up.
 * @module
 */
import type { Agent } from 'undici';
import type { DownstreamBroker, DownstreamToken } from '../downstream/broker.js';
import { DownstreamError, OptionError, TokenError } from '../errors.js';
import { deepFreeze } from '../lib/freeze.js';
import type { Manifest } from '../manifest/schema.js';
import type { AuthInfo } from '../verify/auth-info.js';
import { extractBearer } from '../verify/bearer.js';
import { errorResponse } from '../verify/challenge.js';
import { expandScopes, missingScopes } from '../verify/scopes.js';
import type { IssuerRuntime } from './issuer-runtime.js';
import type { CompiledResource } from './resource.js';
import { BODY_TOO_LARGE, bodyMatters, formCarriesToken } from './read-body.js';
import { parseRequestTarget } from './request-target.js';
import { ambiguousTarget, bodyUnreadable, payloadTooLarge } from './respond.js';
import { classifyTarget, type MetadataRoute, type TargetMatch } from './routes.js';
import { MetadataRoutes, type MetadataAnswer } from './serve-metadata.js';
import { calledTools } from './tools.js';
import { createTokenVerifier, type TokenVerifierOptions } from './token-verifier.js';
import type {
  AuthenticateOptions,
  AuthResult,
  CoreRequest,
  CoreResponse,
  HandleOptions,
  Logger,
} from './types.js';

/** An object usable as the MCP SDK's `OAuthTokenVerifier`. */
export interface OAuthTokenVerifier {
  verifyAccessToken(token: string): Promise<AuthInfo>;
}

interface RuntimeParts {
  readonly manifest: Manifest;
  readonly resources: readonly CompiledResource[];
  readonly issuers: ReadonlyMap<string, IssuerRuntime>;
  readonly dispatcher: Agent;
  readonly logger?: Logger | undefined;
  readonly downstream?: DownstreamBroker | undefined;
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
  readonly #downstream: DownstreamBroker | undefined;
  readonly #scopeSets = new WeakMap<AuthInfo, { resource: CompiledResource; set: ReadonlySet<string> }>();
  readonly #byResource: ReadonlyMap<string, CompiledResource>;
  readonly #maxBodyBytes: number;
  readonly #metadata: MetadataRoutes;

  constructor(parts: RuntimeParts) {
    this.manifest = parts.manifest;
    this.resources = Object.freeze([...parts.resources]);
    this.#issuers = parts.issuers;
    this.#dispatcher = parts.dispatcher;
    this.#logger = parts.logger;
    this.#downstream = parts.downstream;
    this.#byResource = new Map(this.resources.map((r) => [r.resource, r]));
    this.#maxBodyBytes = parts.manifest.settings.maxBodyBytes;
    this.#metadata = new MetadataRoutes(
      this.resources,
      this.#issuers,
      this.manifest.settings.metadataMaxAgeSeconds,
    );
    this.routes = this.#metadata.routes;
    deepFreeze(this.resources.map((r) => r.documentFields));
    Object.freeze(this);
  }

  /**
   * Which resource a request belongs to, read as routers read the target (see
   * `request-target.ts`): `{ resource }` (`undefined` when none covers it), or `{ conflict }`
   * when readings of an ambiguous target name different protected resources.
   *
   * @example
   * ```ts
   * auth.classify({ url: '/%6Dcp/x', host: 'api.example.com' }).resource?.resource; // 'https://api.example.com/mcp'
   * ```
   */
  classify(request: Pick<CoreRequest, 'url' | 'host' | 'routePatterns'>): TargetMatch {
    return classifyTarget(
      this.resources,
      parseRequestTarget(request.url),
      request.host,
      request.routePatterns,
    );
  }

  /**
   * The resource a request target belongs to (see {@link classify}); `undefined` when none
   * covers it or when the target is ambiguous between resources.
   */
  resourceFor(url: string, host?: string): CompiledResource | undefined {
    return this.classify({ url, host }).resource;
  }

  /**
   * Answers a metadata request (Protected Resource Metadata, and the opt-in authorization-server
   * mirror), or returns `undefined` when the path is not a metadata route (the application
   * handles it). One trailing slash is tolerated; never a redirect.
   */
  handleMetadataRequest(request: CoreRequest): MetadataAnswer {
    return this.#metadata.handle(request);
  }

  /**
   * The whole decision for a request in "protect every path" mode, as the adapters mount it:
   * a metadata route is answered; a request that belongs to a protected resource (or any
   * request, with `protectAll` or `resource`) is authenticated; anything else passes through
   * (`{}`) to the application.
   *
   * @example
   * ```ts
   * const result = await auth.handle(coreRequest);
   * if (result.response) return send(result.response);
   * req.auth = result.auth; // undefined on unprotected paths
   * ```
   */
  handle(request: CoreRequest, options: HandleOptions = {}): AuthResult | Promise<AuthResult> {
    const metadata = this.handleMetadataRequest(request);
    if (metadata === undefined) return this.guard(request, options);
    if (!(metadata instanceof Promise)) return { response: metadata };
    return metadata.then((ready) => (ready ? { response: ready } : this.guard(request, options)));
  }

  /**
   * {@link handle} for a request already known not to be a metadata route (a framework that
   * routes those itself): authenticates it when it belongs to a protected resource (or always,
   * with `protectAll` or `resource`); `{}` lets it through.
   */
  guard(request: CoreRequest, options: HandleOptions = {}): AuthResult | Promise<AuthResult> {
    const step = this.#credentials(request, options, true);
    return 'token' in step ? this.#withToken(step, request, options) : step;
  }

  /**
   * The cheap checks of {@link guard} alone (which resource; is the `Authorization` header a
   * well-formed single bearer token; is a body the decision needs declared over the limit), for frameworks that read the body before the guard runs:
   * Fastify calls it in `onRequest`, so an unauthenticated body is never read. A refusal, or
   * `undefined` when the full decision should follow.
   */
  precheck(request: CoreRequest, options: HandleOptions = {}): CoreResponse | undefined {
    const step = this.#credentials(request, options, true);
    if (!('token' in step)) return step.response;
    return this.#declaredTooLarge(step.resource, request, options) ? payloadTooLarge() : undefined;
  }

  /**
   * Decides a request to a protected resource: a verified identity, a ready error response
   * (400/401/403/413/503 with the right challenge), or pass-through for a CORS preflight. The
   * `Authorization` header is checked first; the body is read (through `request.readBody`) only
   * after that, and only when it can change the decision. A reused token (a cache hit, no
   * `verify` hook, no body to read) is decided synchronously; otherwise the result is a promise.
   * `await` works for both.
   *
   * @example
   * ```ts
   * const result = await auth.authenticate(coreRequest, { scopes: ['write:notes'] });
   * if (result.response) return send(result.response);
   * if (result.auth) req.auth = result.auth;
   * ```
   */
  authenticate(request: CoreRequest, options: AuthenticateOptions = {}): AuthResult | Promise<AuthResult> {
    const step = this.#credentials(request, options, false);
    return 'token' in step ? this.#withToken(step, request, options) : step;
  }

  /**
   * The resource a request is decided for and its bearer token, or the answer when there is
   * none: a refusal, or pass-through (a CORS preflight; in guard mode, a request no protected
   * resource covers).
   */
  #credentials(
    request: CoreRequest,
    options: HandleOptions,
    guardMode: boolean,
  ): { resource: CompiledResource; token: string } | AuthResult {
    let resource: CompiledResource;
    const target = parseRequestTarget(request.url);
    if (options.resource !== undefined) {
      resource = this.#resourceByUrl(options.resource);
    } else {
      const match = classifyTarget(this.resources, target, request.host, request.routePatterns);
      if (match.conflict) return { response: ambiguousTarget() };
      if (guardMode && !match.resource?.protect && !options.protectAll) return {};
      const found = match.resource ?? (this.resources.length === 1 ? this.resources[0] : undefined);
      if (!found) throw new OptionError(`no resource covers ${target.path}; pass { resource } explicitly`);
      resource = found;
    }
    // CORS preflights carry no credentials by design; the application's CORS handling answers them.
    if (request.method.toUpperCase() === 'OPTIONS' && request.accessControlRequestMethod) return {};
    try {
      const queryToken = target.search.length > 1 && new URLSearchParams(target.search).has('access_token');
      const token = extractBearer(
        { authorization: request.authorization, queryToken },
        resource.verifier.maxLength,
      );
      return { resource, token };
    } catch (err) {
      return this.#refuse(
        err,
        resource,
        this.#neededScopes(resource, undefined, options),
        undefined,
        options,
      );
    }
  }

  /** After the header passed: the body when it matters (bounded), then {@link #withBody}. */
  #withToken(
    { resource, token }: { resource: CompiledResource; token: string },
    request: CoreRequest,
    options: AuthenticateOptions,
  ): AuthResult | Promise<AuthResult> {
    if (!bodyMatters(resource, request, options.tool !== undefined)) {
      return this.#withBody(resource, request, request.body, token, options);
    }
    if (this.#declaredTooLarge(resource, request, options)) return { response: payloadTooLarge() };
    if (request.body === undefined && request.readBody) {
      return request.readBody(this.#maxBodyBytes).then(
        (body) => this.#withBody(resource, request, body, token, options),
        () => ({ response: bodyUnreadable() }),
      );
    }
    return this.#withBody(resource, request, request.body, token, options);
  }

  /** Whether the body matters and its declared length is over `settings.maxBodyBytes`. */
  #declaredTooLarge(resource: CompiledResource, request: CoreRequest, options: AuthenticateOptions): boolean {
    return (
      Number(request.contentLength) > this.#maxBodyBytes &&
      bodyMatters(resource, request, options.tool !== undefined)
    );
  }

  /** Continues once the body (if it matters) is known: form-token rule, 413, scopes, verification. */
  #withBody(
    resource: CompiledResource,
    request: CoreRequest,
    body: unknown,
    token: string,
    options: AuthenticateOptions,
  ): AuthResult | Promise<AuthResult> {
    if (body === BODY_TOO_LARGE) {
      // A body too large to read could hide a tools/call or a second credential: refuse it.
      return { response: payloadTooLarge() };
    }
    if (formCarriesToken(request.contentType, body)) {
      const error = new TokenError('invalid_request', 'multiple_credentials');
      return this.#refuse(
        error,
        resource,
        this.#neededScopes(resource, undefined, options),
        undefined,
        options,
      );
    }
    const needed = this.#neededScopes(resource, body, options);
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
  #neededScopes(resource: CompiledResource, body: unknown, options: AuthenticateOptions): readonly string[] {
    const tools =
      options.tool !== undefined ? [options.tool] : resource.toolScopes.size ? calledTools(body) : [];
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

  #resourceByUrl(resource: string): CompiledResource {
    const found = this.#byResource.get(resource);
    if (!found) {
      throw new OptionError(
        `resource "${resource}" is not in the manifest (known: ${this.resources.map((r) => r.resource).join(', ')})`,
      );
    }
    return found;
  }

  /**
   * A verifier for one resource, usable as the MCP SDK's `OAuthTokenVerifier`, for hosts whose own
   * bearer hook calls `verifyAccessToken(token)`. Default resource: the only one.
   *
   * It checks the token (signature, issuer, audience, expiry, `verify` hook...) and the resource's
   * `token.requiredScopes`, refusing a token without them with `TokenError('insufficient_scope')`.
   * It does NOT see the request, so it cannot enforce `tools.<name>.requiredScopes`: for a
   * resource with per-tool scopes it throws an `OptionError` at creation (use an adapter, or
   * `authenticate(request, { tool })`) unless you pass `{ perToolScopes: 'not-enforced' }`.
   * It throws `TokenError`s (short messages, no `cause`), which the SDKs' own gates answer with
   * 500: for them use `sdkV1TokenVerifier` / `sdkV2TokenVerifier` from `mcp-auth-config/sdk`.
   *
   * @example
   * ```ts
   * const verifier = auth.tokenVerifier('https://api.example.com/mcp');
   * const info = await verifier.verifyAccessToken(token); // throws TokenError when refused
   * auth.tokenVerifier({ resource: 'https://api.example.com/mcp', perToolScopes: 'not-enforced' });
   * ```
   */
  tokenVerifier(
    resource?: string | TokenVerifierOptions,
    options: TokenVerifierOptions = {},
  ): OAuthTokenVerifier {
    const opts =
      typeof resource === 'object' ? resource : { ...options, resource: resource ?? options.resource };
    return createTokenVerifier(this.resources, opts);
  }

  /**
   * A token for the manifest's downstream API `name`, on behalf of the caller whose verified
   * identity is `authInfo` (`extra.authInfo` in an MCP SDK tool handler): obtained by RFC 8693
   * token exchange or on-behalf-of from the entry's issuer, then reused until shortly before it
   * (or the caller's token) expires; concurrent calls share one exchange. The caller's token is
   * never sent to the downstream API.
   *
   * @example
   * ```ts
   * server.registerTool('list_notes', {}, async (_args, extra) => {
   *   const { accessToken } = await auth.downstreamToken(extra.authInfo!, 'notes-api');
   *   const notes = await fetch('https://notes.example.com/notes', { headers: { authorization: `Bearer ${accessToken}` } });
   *   return { content: [{ type: 'text', text: await notes.text() }] };
   * });
   * ```
   * @throws {DownstreamError} `downstream_unknown`, `exchange_refused` (with `oauthError`), `exchange_unavailable`, `exchange_invalid_response`
   */
  downstreamToken(authInfo: Pick<AuthInfo, 'token' | 'expiresAt'>, name: string): Promise<DownstreamToken> {
    if (!this.#downstream)
      return Promise.reject(
        new DownstreamError('downstream_unknown', 'downstream', 'the manifest has no "downstream" section'),
      );
    return this.#downstream.token(authInfo, name);
  }

  /** Releases timers and sockets. The runtime must not be used afterwards. */
  async close(): Promise<void> {
    this.#downstream?.close();
    for (const issuer of this.#issuers.values()) issuer.state.close();
    await this.#dispatcher.close();
  }
}
