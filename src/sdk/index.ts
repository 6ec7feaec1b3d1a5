/**
 * `mcp-auth-config/sdk`: token verifiers for the official MCP SDKs' own bearer gates (v1
 * `requireBearerAuth`, v2 `@modelcontextprotocol/express` and the v2 fetch gate). They throw the
 * error types each SDK line maps to 401/403; neither SDK is a dependency of this package.
 *
 * @example
 * ```ts
 * import * as errors from '@modelcontextprotocol/sdk/server/auth/errors.js';
 * import { sdkV1TokenVerifier } from 'mcp-auth-config/sdk';
 * const verifier = sdkV1TokenVerifier(auth, { errors });
 * ```
 * @module
 */
export { sdkV1TokenVerifier, sdkV2TokenVerifier } from './token-verifier.js';
export type { SdkTokenVerifier, SdkV1VerifierOptions, SdkV2VerifierOptions } from './token-verifier.js';
export { sdkV1ErrorMapper, sdkV2ErrorMapper } from './errors.js';
export type { SdkErrorMapper, SdkV1ErrorClasses, SdkV2ErrorClass } from './errors.js';
