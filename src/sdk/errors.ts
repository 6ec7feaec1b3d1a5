/**
 * Our token refusals as the error types the MCP SDKs' own bearer gates understand. Both gates
 * answer `invalid_token` with 401 and `insufficient_scope` with 403 (each with a challenge),
 * `server_error` with 500, any other OAuth error with 400 and anything else with
 * `500 server_error`. No error maps to 503 and neither gate sets `Retry-After`, so an
 * unreachable authorization server comes out as 500 with `"error": "temporarily_unavailable"` in
 * the body: a server-side failure that keeps the client's token, never a 401 that discards it.
 *
 * Messages are the fixed {@link ERROR_DESCRIPTIONS} (the gates copy them into the challenge's
 * `error_description`); no token, no upstream text, no `cause`.
 * @module
 */
import { OptionError, TokenError } from '../errors.js';
import { ERROR_DESCRIPTIONS } from '../verify/challenge.js';

/** An OAuth error body, as both SDK lines write it. */
interface OAuthErrorBody {
  error: string;
  error_description?: string | undefined;
  error_uri?: string | undefined;
}

/** What the SDK error classes have in common. */
interface SdkOAuthError extends Error {
  toResponseObject(): OAuthErrorBody;
}

/**
 * The v1 error classes `requireBearerAuth` checks with `instanceof`: pass the module
 * `@modelcontextprotocol/sdk/server/auth/errors.js` itself (the same copy the gate imports).
 *
 * @example
 * ```ts
 * import * as errors from '@modelcontextprotocol/sdk/server/auth/errors.js';
 * const verifier = sdkV1TokenVerifier(auth, { errors });
 * ```
 */
export interface SdkV1ErrorClasses {
  readonly InvalidTokenError: new (message: string) => SdkOAuthError;
  readonly InsufficientScopeError: new (message: string) => SdkOAuthError;
  readonly InvalidRequestError: new (message: string) => SdkOAuthError;
  readonly ServerError: new (message: string) => SdkOAuthError;
}

/**
 * The v2 `OAuthError` class (from `@modelcontextprotocol/server`, or any package of the v2 line
 * that exports it), which the v2 gates check with `instanceof` and then by `code`.
 *
 * @example
 * ```ts
 * import { OAuthError } from '@modelcontextprotocol/server';
 * const verifier = sdkV2TokenVerifier(auth, { OAuthError });
 * ```
 */
export type SdkV2ErrorClass = new (code: string, message: string) => SdkOAuthError;

/** Turns a refusal into the error a gate answers correctly. */
export type SdkErrorMapper = (err: unknown) => Error;

const UNAVAILABLE = 'temporarily_unavailable';

function descriptionOf(err: unknown): { code: TokenError['code']; message: string } {
  if (!(err instanceof TokenError)) return { code: 'invalid_token', message: ERROR_DESCRIPTIONS.rejected };
  return { code: err.code, message: ERROR_DESCRIPTIONS[err.reason] };
}

function requireClass(value: unknown, name: string): void {
  if (typeof value !== 'function') throw new OptionError(`${name} must be the SDK's error class`);
}

/**
 * The mapper for SDK v1 (`@modelcontextprotocol/sdk`), built once from its error classes.
 *
 * @example
 * ```ts
 * const toSdk = sdkV1ErrorMapper(await import('@modelcontextprotocol/sdk/server/auth/errors.js'));
 * throw toSdk(new TokenError('invalid_token', 'expired')); // an InvalidTokenError: 401 in the gate
 * ```
 */
export function sdkV1ErrorMapper(errors: SdkV1ErrorClasses): SdkErrorMapper {
  if (!errors || typeof errors !== 'object') {
    throw new OptionError(
      "options.errors must be the module '@modelcontextprotocol/sdk/server/auth/errors.js' (import * as errors from ...)",
    );
  }
  for (const name of ['InvalidTokenError', 'InsufficientScopeError', 'InvalidRequestError', 'ServerError']) {
    requireClass((errors as unknown as Record<string, unknown>)[name], `options.errors.${name}`);
  }
  // A ServerError (500 in the gate) whose body names the real condition.
  class AuthorizationServerUnavailableError extends errors.ServerError {
    override toResponseObject(): OAuthErrorBody {
      return { error: UNAVAILABLE, error_description: this.message };
    }
  }
  return (err) => {
    const { code, message } = descriptionOf(err);
    switch (code) {
      case 'insufficient_scope':
        return new errors.InsufficientScopeError(message);
      case 'invalid_request':
        return new errors.InvalidRequestError(message);
      case 'unavailable':
        return new AuthorizationServerUnavailableError(message);
      default:
        return new errors.InvalidTokenError(message);
    }
  };
}

/**
 * The mapper for SDK v2 (`@modelcontextprotocol/server`, `@modelcontextprotocol/express`, and
 * hosts built on them), built once from its `OAuthError` class.
 *
 * @example
 * ```ts
 * const toSdk = sdkV2ErrorMapper((await import('@modelcontextprotocol/server')).OAuthError);
 * throw toSdk(new TokenError('insufficient_scope', 'scope')); // code insufficient_scope: 403
 * ```
 */
export function sdkV2ErrorMapper(OAuthError: SdkV2ErrorClass): SdkErrorMapper {
  requireClass(OAuthError, "options.OAuthError (import { OAuthError } from '@modelcontextprotocol/server')");
  // A server_error (500 in the gate) whose body names the real condition.
  class AuthorizationServerUnavailableError extends OAuthError {
    override toResponseObject(): OAuthErrorBody {
      return { error: UNAVAILABLE, error_description: this.message };
    }
  }
  return (err) => {
    const { code, message } = descriptionOf(err);
    switch (code) {
      case 'insufficient_scope':
      case 'invalid_request':
        return new OAuthError(code, message);
      case 'unavailable':
        return new AuthorizationServerUnavailableError('server_error', message);
      default:
        return new OAuthError('invalid_token', message);
    }
  };
}
