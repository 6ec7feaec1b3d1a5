/**
 * Request authentication, framework-neutral: which resource a request is for, the bearer token's
 * intake, the body when (and only when) it matters, verification, scopes, and the refusal with
 * its challenge. {@link McpAuth} exposes these methods; adapters call them and decide nothing.
 * @module
 */
import { OptionError, TokenError } from '../errors.js';
import type { AuthInfo } from '../verify/auth-info.js';
import { assertTokenSyntax, readBearer } from '../verify/bearer.js';
import { errorResponse } from '../verify/challenge.js';
import { heldScopes, missingScopes } from '../verify/scopes.js';
import { BODY_AMBIGUOUS, BODY_TOO_LARGE, bodyMatters, bodyReading, formCarriesToken } from './read-body.js';
import { parseRequestTarget } from './request-target.js';
import type { CompiledResource } from './resource.js';
import { ambiguousBody, ambiguousTarget, bodyUnreadable, payloadTooLarge } from './respond.js';
import { classifyTarget } from './classify-request.js';
import type { MetadataRoutes } from './serve-metadata.js';
import { calledTools } from './tools.js';
import type {
  AuthenticateOptions,
  AuthResult,
  AwaitingBody,
  CoreRequest,
  HandleOptions,
  Logger,
} from './types.js';

/**
 * A request's resource and bearer token, once the header passed its checks. `cached` is the
 * token's cached identity when it was found while the header was read (it is used only in that
 * same turn: a decision finished later looks the token up again).
 */
interface Credentials {
  readonly resource: CompiledResource;
  readonly token: string;
  readonly cached: AuthInfo | undefined;
}

/** The decisions behind {@link McpAuth.handle}, `guard`, `guardBeforeBody` and `authenticate`. Immutable. */
export class Authenticator {
  readonly #resources: readonly CompiledResource[];
  readonly #byResource: ReadonlyMap<string, CompiledResource>;
  readonly #metadata: MetadataRoutes;
  readonly #maxBodyBytes: number;
  readonly #logger: Logger | undefined;

  constructor(
    resources: readonly CompiledResource[],
    metadata: MetadataRoutes,
    maxBodyBytes: number,
    logger: Logger | undefined,
  ) {
    this.#resources = resources;
    this.#byResource = new Map(resources.map((r) => [r.resource, r]));
    this.#metadata = metadata;
    this.#maxBodyBytes = maxBodyBytes;
    this.#logger = logger;
    Object.freeze(this);
  }

  /** The resource named by URL, or an `OptionError` listing the known ones. */
  resourceByUrl(resource: string): CompiledResource {
    const found = this.#byResource.get(resource);
    if (!found) {
      throw new OptionError(
        `resource "${resource}" is not in the manifest (known: ${this.#resources.map((r) => r.resource).join(', ')})`,
      );
    }
    return found;
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
    const metadata = this.#metadata.handle(request);
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
   * {@link guard} in two halves, for frameworks that parse the body between two hooks (Fastify
   * calls it in `onRequest`): everything that can be decided before the body is, so an
   * unauthenticated body is never read and nothing is decided twice. The answer is final (a
   * refusal, pass-through, or an identity when the body cannot change the decision), or
   * {@link AwaitingBody}, whose `resume(body)` finishes the decision once the body is parsed.
   */
  guardBeforeBody(
    request: CoreRequest,
    options: HandleOptions = {},
  ): AuthResult | AwaitingBody | Promise<AuthResult> {
    const step = this.#credentials(request, options, true);
    if (!('token' in step)) return step;
    const { resource, token } = step;
    if (!bodyMatters(resource, request, options.tool !== undefined)) {
      return this.#withBody(resource, request, request.body, token, step.cached, options);
    }
    if (this.#declaredTooLarge(resource, request, options)) return { response: payloadTooLarge() };
    return {
      // A framework that parsed nothing (its parser skipped the stream) gives `undefined`: then the
      // bytes are read, as the application's transport may read them.
      resume: (body) =>
        body === undefined && request.readBody
          ? request.readBody(this.#maxBodyBytes).then(
              (read) => this.#withBody(resource, request, read, token, undefined, options),
              () => ({ response: bodyUnreadable() }),
            )
          : this.#withBody(resource, request, body, token, undefined, options),
    };
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
  #credentials(request: CoreRequest, options: HandleOptions, guardMode: boolean): Credentials | AuthResult {
    let resource: CompiledResource;
    const target = parseRequestTarget(request.url);
    if (options.resource !== undefined) {
      resource = this.resourceByUrl(options.resource);
    } else {
      const match = classifyTarget(this.#resources, target, request.host, request.routePatterns);
      if (match.conflict) return { response: ambiguousTarget() };
      if (guardMode && !match.resource?.protect && !options.protectAll) return {};
      const found = match.resource ?? (this.#resources.length === 1 ? this.#resources[0] : undefined);
      if (!found) throw new OptionError(`no resource covers ${target.path}; pass { resource } explicitly`);
      resource = found;
    }
    // CORS preflights carry no credentials by design; the application's CORS handling answers them.
    if (request.accessControlRequestMethod && request.method.toUpperCase() === 'OPTIONS') return {};
    try {
      const queryToken = target.search.length > 1 && new URLSearchParams(target.search).has('access_token');
      const token = readBearer(
        { authorization: request.authorization, queryToken },
        resource.verifier.maxLength,
      );
      // A reused token is answered without a promise turn (a cache hit with no hook to run). Equal
      // to a token verified before, it passed the character-set rule then; any other token is
      // checked against it now, before any crypto or network work.
      const cached = this.#cachedIdentity(resource, token, options);
      if (!cached) assertTokenSyntax(token);
      return { resource, token, cached };
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
    { resource, token, cached }: Credentials,
    request: CoreRequest,
    options: AuthenticateOptions,
  ): AuthResult | Promise<AuthResult> {
    if (!bodyMatters(resource, request, options.tool !== undefined)) {
      return this.#withBody(resource, request, request.body, token, cached, options);
    }
    if (this.#declaredTooLarge(resource, request, options)) return { response: payloadTooLarge() };
    if (request.body === undefined && request.readBody) {
      return request.readBody(this.#maxBodyBytes).then(
        (body) => this.#withBody(resource, request, body, token, undefined, options),
        () => ({ response: bodyUnreadable() }),
      );
    }
    return this.#withBody(resource, request, request.body, token, cached, options);
  }

  /** The token's cached identity, unless the caller verifies tokens itself (`verifyToken`). */
  #cachedIdentity(
    resource: CompiledResource,
    token: string,
    options: AuthenticateOptions,
  ): AuthInfo | undefined {
    return options.verifyToken ? undefined : resource.verifier.cachedAccessToken(token);
  }

  /** Whether the body matters and its declared length is over `settings.maxBodyBytes`. */
  #declaredTooLarge(resource: CompiledResource, request: CoreRequest, options: AuthenticateOptions): boolean {
    return (
      Number(request.contentLength) > this.#maxBodyBytes &&
      bodyMatters(resource, request, options.tool !== undefined)
    );
  }

  /**
   * Continues once the body (if it matters) is known: form-token rule, 413, scopes, verification.
   * `cachedNow` is the identity found in this turn, if any; `undefined` looks the token up again.
   */
  #withBody(
    resource: CompiledResource,
    request: CoreRequest,
    given: unknown,
    token: string,
    cachedNow: AuthInfo | undefined,
    options: AuthenticateOptions,
  ): AuthResult | Promise<AuthResult> {
    const body = bodyMatters(resource, request, options.tool !== undefined)
      ? bodyReading(given, request.contentType)
      : given;
    if (body === BODY_TOO_LARGE) {
      // A body too large to read could hide a tools/call or a second credential: refuse it.
      return { response: payloadTooLarge() };
    }
    if (body === BODY_AMBIGUOUS) return { response: ambiguousBody() };
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
    const cached = cachedNow ?? this.#cachedIdentity(resource, token, options);
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
    if (needed.length && missingScopes(heldScopes(auth, resource.scopeHierarchy), needed).length) {
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

  #unexpected(err: unknown): TokenError {
    this.#logger?.warn('mcp-auth-config: token check failed unexpectedly', {
      error: err instanceof Error ? err.name : typeof err,
    });
    return new TokenError('invalid_token', 'rejected', { cause: err });
  }
}
