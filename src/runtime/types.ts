/**
 * The framework-neutral request and response the adapters translate to and from.
 * @module
 */
import type { AuthInfo } from '../verify/auth-info.js';

/** What the core needs to know of an incoming request. */
export interface CoreRequest {
  /** HTTP method, upper case. */
  readonly method: string;
  /**
   * The request target as received (origin-form `/mcp?x`, or absolute-form `http://host/mcp`,
   * whose authority is ignored). The runtime reads it as routers do: see `request-target.ts`.
   */
  readonly url: string;
  /** Route patterns the framework matched (e.g. Fastify's `routeOptions.url`); classified too. */
  readonly routePatterns?: readonly string[] | undefined;
  /** The `Host` header, used only to choose between resources configured on different origins. */
  readonly host?: string | undefined;
  /** Every `Authorization` header value, unjoined. */
  readonly authorization: readonly string[];
  /** The `Access-Control-Request-Method` header, which marks a CORS preflight. */
  readonly accessControlRequestMethod?: string | undefined;
  /** The `Content-Type` header (tells a form body, whose `access_token` is a second credential). */
  readonly contentType?: string | undefined;
  /** The `Content-Length` header: a declared body over `settings.maxBodyBytes` is refused unread. */
  readonly contentLength?: string | undefined;
  /** The parsed body, when the framework already has it: JSON (per-tool scopes) or a form as a plain object. */
  readonly body?: unknown;
  /**
   * Reads the body when `body` is not given: at most `limit` bytes, parsed with `parseBody`
   * (which gives `BODY_AMBIGUOUS` for a body two parsers would read differently), or
   * `BODY_TOO_LARGE`. The runtime calls it at most once, after the `Authorization` header
   * passed its checks and only when the body can change the decision.
   */
  readonly readBody?: ((limit: number) => Promise<unknown>) | undefined;
}

/** A ready response. `body` is `undefined` for HEAD and 204. */
export interface CoreResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

/**
 * The outcome of {@link McpAuth.authenticate}: `auth` when the request may proceed with an
 * identity, `response` when it must be answered with it, neither when it passes through without
 * authentication (a CORS preflight, left to the application's own CORS handling).
 */
export type AuthResult =
  | { readonly auth: AuthInfo; readonly response?: undefined }
  | { readonly auth?: undefined; readonly response: CoreResponse }
  | { readonly auth?: undefined; readonly response?: undefined };

/**
 * The first half of a decision that needs the request body (see `McpAuth.guardBeforeBody`):
 * call `resume` with the parsed body to finish it.
 */
export interface AwaitingBody {
  readonly resume: (body: unknown) => AuthResult | Promise<AuthResult>;
}

/** Options of {@link McpAuth.handle}. */
export interface HandleOptions extends AuthenticateOptions {
  /** Authenticate every request that is not a metadata route, whatever its path. Default false. */
  readonly protectAll?: boolean | undefined;
}

/** Options of one authentication. */
export interface AuthenticateOptions {
  /** The resource URL to authenticate for. Default: the resource whose path the request is under. */
  readonly resource?: string | undefined;
  /** Scopes this route needs in addition to the resource's `token.requiredScopes`. */
  readonly scopes?: readonly string[] | undefined;
  /** The tool being called, when the caller knows it (else read from a JSON-RPC `tools/call` body). */
  readonly tool?: string | undefined;
  /** Add the failed check's name to error bodies (seed `showErrorDetails`). */
  readonly showErrorDetails?: boolean | undefined;
  /**
   * Replaces the resource's token verification with your own (the seed's `bearerAuth(verifyFn)`).
   * Intake, challenges and scope checks still apply. Throw a `TokenError` to refuse.
   */
  readonly verifyToken?: ((token: string) => Promise<AuthInfo>) | undefined;
}

/** A logger; it never receives a raw token. Any `console`-like object fits. */
export interface Logger {
  warn(message: string, details?: Record<string, unknown>): void;
  debug?(message: string, details?: Record<string, unknown>): void;
}
