/**
 * Token verifiers for the MCP SDKs' own bearer gates: `auth.tokenVerifier()` (the token checks and
 * `token.requiredScopes`) throwing the error types each SDK line maps to 401/403. Neither SDK is a
 * dependency: you pass the error classes from the SDK you installed, so the gate and the verifier
 * share one copy of them (ESM and CommonJS builds, or two bundles, would otherwise each have
 * their own, and `instanceof` would fail into a 500).
 * @module
 */
import { OptionError } from '../errors.js';
import type { McpAuth, OAuthTokenVerifier } from '../runtime/mcp-auth.js';
import type { TokenVerifierOptions } from '../runtime/token-verifier.js';
import type { AuthInfo } from '../verify/auth-info.js';
import {
  sdkV1ErrorMapper,
  sdkV2ErrorMapper,
  type SdkErrorMapper,
  type SdkV1ErrorClasses,
  type SdkV2ErrorClass,
} from './errors.js';

/**
 * A verifier for an SDK bearer gate, with the values to give the gate alongside it.
 *
 * @example
 * ```ts
 * requireBearerAuth({ verifier, resourceMetadataUrl: verifier.resourceMetadataUrl, requiredScopes: verifier.requiredScopes });
 * ```
 */
export interface SdkTokenVerifier extends OAuthTokenVerifier {
  /** The resource's Protected Resource Metadata URL: the gate's `resourceMetadataUrl`. */
  readonly resourceMetadataUrl: string;
  /** The resource's `token.requiredScopes` (already enforced here): the gate's `requiredScopes`, for its challenges. */
  readonly requiredScopes: string[];
}

/**
 * Options of {@link sdkV1TokenVerifier}.
 *
 * @example
 * ```ts
 * const options: SdkV1VerifierOptions = { errors, resource: 'https://api.example.com/mcp' };
 * ```
 */
export interface SdkV1VerifierOptions extends TokenVerifierOptions {
  /** The module `@modelcontextprotocol/sdk/server/auth/errors.js`. */
  readonly errors: SdkV1ErrorClasses;
}

/**
 * Options of {@link sdkV2TokenVerifier}.
 *
 * @example
 * ```ts
 * const options: SdkV2VerifierOptions = { OAuthError, resource: 'https://api.example.com/mcp' };
 * ```
 */
export interface SdkV2VerifierOptions extends TokenVerifierOptions {
  /** `OAuthError` from `@modelcontextprotocol/server` (or another package of the v2 line). */
  readonly OAuthError: SdkV2ErrorClass;
}

function sdkVerifier(auth: McpAuth, options: TokenVerifierOptions, toSdk: SdkErrorMapper): SdkTokenVerifier {
  if (options.resource === undefined && auth.resources.length !== 1) {
    throw new OptionError('options.resource is required when the manifest has several resources');
  }
  const target = options.resource ?? auth.resources[0]!.resource;
  // Refuses an unknown resource, and one with per-tool scopes unless acknowledged.
  const verifier = auth.tokenVerifier({ ...options, resource: target });
  const resource = auth.resources.find((r) => r.resource === target)!;
  return Object.freeze({
    resourceMetadataUrl: resource.metadataUrl,
    requiredScopes: [...resource.requiredScopes],
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      try {
        return await verifier.verifyAccessToken(token);
      } catch (err) {
        throw toSdk(err);
      }
    },
  });
}

/**
 * A verifier for SDK v1's `requireBearerAuth` (`@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js`).
 * Refused tokens throw `InvalidTokenError` (401 with the challenge), a token without the
 * resource's `token.requiredScopes` `InsufficientScopeError` (403), a malformed request
 * `InvalidRequestError` (400). An unreachable authorization server throws a `ServerError` whose
 * body says `temporarily_unavailable`: the gate answers it 500, without `Retry-After` (it maps no
 * error to 503); protect the route with `requireAuth` from `mcp-auth-config/express` to get
 * 503 + `Retry-After`.
 *
 * Per-tool scopes (`tools.<name>.requiredScopes`) are NOT enforced: the gate never shows the
 * verifier the request body. For such a resource this throws an `OptionError` unless you pass
 * `perToolScopes: 'not-enforced'`.
 *
 * @example
 * ```ts
 * import * as errors from '@modelcontextprotocol/sdk/server/auth/errors.js';
 * import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
 * import { sdkV1TokenVerifier } from 'mcp-auth-config/sdk';
 *
 * const verifier = sdkV1TokenVerifier(auth, { errors });
 * app.use('/mcp', requireBearerAuth({ verifier, resourceMetadataUrl: verifier.resourceMetadataUrl, requiredScopes: verifier.requiredScopes }));
 * ```
 */
export function sdkV1TokenVerifier(auth: McpAuth, options: SdkV1VerifierOptions): SdkTokenVerifier {
  if (!options || typeof options !== 'object') throw new OptionError('sdkV1TokenVerifier needs { errors }');
  const { errors, ...rest } = options;
  return sdkVerifier(auth, rest, sdkV1ErrorMapper(errors));
}

/**
 * A verifier for SDK v2's gates: `requireBearerAuth` from `@modelcontextprotocol/express` and the
 * fetch gate `requireBearerAuth` / `verifyBearerToken` from `@modelcontextprotocol/server`.
 * Refused tokens throw `OAuthError` with code `invalid_token` (401 with the challenge), a token
 * without the resource's `token.requiredScopes` `insufficient_scope` (403), a malformed request
 * `invalid_request` (400). An unreachable authorization server throws code `server_error` with
 * a `temporarily_unavailable` body: the gate answers it 500, without `Retry-After` (it maps no
 * error to 503); use this library's adapters to get 503 + `Retry-After`.
 *
 * Per-tool scopes (`tools.<name>.requiredScopes`) are NOT enforced: the gate never shows the
 * verifier the request body. For such a resource this throws an `OptionError` unless you pass
 * `perToolScopes: 'not-enforced'`.
 *
 * @example
 * ```ts
 * import { requireBearerAuth } from '@modelcontextprotocol/express';
 * import { OAuthError } from '@modelcontextprotocol/server';
 * import { sdkV2TokenVerifier } from 'mcp-auth-config/sdk';
 *
 * const verifier = sdkV2TokenVerifier(auth, { OAuthError });
 * app.use('/mcp', requireBearerAuth({ verifier, resourceMetadataUrl: verifier.resourceMetadataUrl, requiredScopes: verifier.requiredScopes }));
 * ```
 */
export function sdkV2TokenVerifier(auth: McpAuth, options: SdkV2VerifierOptions): SdkTokenVerifier {
  if (!options || typeof options !== 'object')
    throw new OptionError('sdkV2TokenVerifier needs { OAuthError }');
  const { OAuthError, ...rest } = options;
  return sdkVerifier(auth, rest, sdkV2ErrorMapper(OAuthError));
}
