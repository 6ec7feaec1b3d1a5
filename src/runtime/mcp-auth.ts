/**
 * The compiled runtime: the metadata routes and request authentication, framework-neutral.
 * Everything here is computed at compile time; the request path only looks things up.
 * @module
 */
import type { SharedDispatcher } from '../discovery/guarded-fetch.js';
import type { DownstreamBroker, DownstreamToken } from '../downstream/broker.js';
import { DownstreamError, OptionError } from '../errors.js';
import { deepFreeze } from '../lib/freeze.js';
import type { Manifest } from '../manifest/schema.js';
import type { RevocationEntry, RevocationSelector, RevokeOptions } from '../store/revocation.js';
import type { StoreParts } from '../store/start-store.js';
import type { AuthInfo } from '../verify/auth-info.js';
import { Authenticator } from './authenticate.js';
import type { IssuerRuntime } from '../issuers/issuer-runtime.js';
import type { CompiledResource } from './resource.js';
import { parseRequestTarget } from './request-target.js';
import { classifyTarget, type TargetMatch } from './classify-request.js';
import type { MetadataRoute } from './route-table.js';
import { MetadataRoutes, type MetadataAnswer } from './serve-metadata.js';
import { createTokenVerifier, type TokenVerifierOptions } from './token-verifier.js';
import type {
  AuthenticateOptions,
  AuthResult,
  AwaitingBody,
  CoreRequest,
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
  readonly dispatcher: SharedDispatcher;
  readonly logger?: Logger | undefined;
  readonly downstream?: DownstreamBroker | undefined;
  readonly store?: StoreParts | undefined;
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
  readonly #dispatcher: SharedDispatcher;
  readonly #downstream: DownstreamBroker | undefined;
  readonly #store: StoreParts | undefined;
  readonly #authenticator: Authenticator;
  readonly #metadata: MetadataRoutes;

  /** @internal Runtimes are made by {@link compile}; the parts are not API. */
  constructor(parts: RuntimeParts) {
    this.manifest = parts.manifest;
    this.resources = Object.freeze([...parts.resources]);
    this.#issuers = parts.issuers;
    this.#dispatcher = parts.dispatcher;
    this.#downstream = parts.downstream;
    this.#store = parts.store;
    this.#metadata = new MetadataRoutes(
      this.resources,
      this.#issuers,
      this.manifest.settings.metadataMaxAgeSeconds,
    );
    this.routes = this.#metadata.routes;
    this.#authenticator = new Authenticator(
      this.resources,
      this.#metadata,
      parts.manifest.settings.maxBodyBytes,
      parts.logger,
    );
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
    return this.#authenticator.handle(request, options);
  }

  /**
   * {@link handle} for a request already known not to be a metadata route (a framework that
   * routes those itself): authenticates it when it belongs to a protected resource (or always,
   * with `protectAll` or `resource`); `{}` lets it through.
   */
  guard(request: CoreRequest, options: HandleOptions = {}): AuthResult | Promise<AuthResult> {
    return this.#authenticator.guard(request, options);
  }

  /**
   * {@link guard} in two halves, for frameworks that parse the body between two hooks: call it
   * before the body is read (Fastify's `onRequest`). Everything that can be decided without the
   * body is, so an unauthenticated body is never parsed and nothing is decided twice. The answer
   * is final (a refusal, pass-through `{}`, or `{ auth }` when the body cannot change the
   * decision), or `{ resume }`: call `resume(parsedBody)` once the framework has parsed it.
   *
   * @example
   * ```ts
   * const step = auth.guardBeforeBody(coreRequest);
   * const result = 'resume' in step ? await step.resume(await parseBody()) : await step;
   * ```
   */
  guardBeforeBody(
    request: CoreRequest,
    options: HandleOptions = {},
  ): AuthResult | AwaitingBody | Promise<AuthResult> {
    return this.#authenticator.guardBeforeBody(request, options);
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
    return this.#authenticator.authenticate(request, options);
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

  /**
   * Revokes tokens: one (`{ jti }`), every token of a subject (`{ sub }`) or of a client
   * (`{ clientId }`), until `options.until` (default 24 hours; tokens minted later are refused
   * too). This instance refuses them at once, cached tokens included (401 `invalid_token`); with
   * `settings.store.type: "redis"` the entry is recorded and published, and every instance sharing
   * the store refuses them within `settings.revocation.maxStalenessSeconds`.
   *
   * @example
   * ```ts
   * await auth.revoke({ sub: 'user-42' }, { until: new Date(Date.now() + 3600_000) });
   * await auth.revoke({ jti: '5f1c...' });
   * ```
   * @throws {OptionError} for a bad selector or `until`; {@link StoreError} when the store did not answer
   */
  revoke(selector: RevocationSelector, options: RevokeOptions = {}): Promise<RevocationEntry> {
    if (!this.#store) return Promise.reject(new OptionError('this runtime has no revocation list'));
    return this.#store.revocation.revoke(selector, options);
  }

  /** Releases timers and sockets. The runtime must not be used afterwards. */
  async close(): Promise<void> {
    await this.#store?.close();
    this.#downstream?.close();
    for (const issuer of this.#issuers.values()) issuer.state.close();
    await this.#dispatcher.close();
  }
}
