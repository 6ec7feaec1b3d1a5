/**
 * mcp-auth-config: declarative OAuth 2.0 resource-server auth for MCP servers.
 * @module
 */
export {
  McpAuthError,
  OptionError,
  ManifestError,
  DiscoveryError,
  TokenError,
  DownstreamError,
  StoreError,
  isMcpAuthError,
  MANIFEST_ISSUE_CODES,
  OAUTH_TOKEN_ERRORS,
  formatIssue,
  formatPath,
} from './errors.js';
export type {
  AnyMcpAuthError,
  McpAuthErrorCode,
  ManifestErrorCode,
  DiscoveryErrorCode,
  TokenErrorCode,
  TokenErrorReason,
  DownstreamErrorCode,
  StoreErrorCode,
  OAuthTokenErrorCode,
  ManifestIssue,
  ManifestIssueCode,
  SourceLocation,
} from './errors.js';
export { defineConfig } from './manifest/define.js';
export { parseManifest, validateManifest } from './manifest/parse.js';
export type { ParseOptions, ValidationResult } from './manifest/parse.js';
export { loadManifest } from './manifest/load.js';
export { MANIFEST_FILES, MANIFEST_FORMATS } from './manifest/formats.js';
export type { ManifestExtension } from './manifest/formats.js';
export type { LoadOptions, LoadedManifest } from './manifest/load.js';
export type { ManifestSource } from './manifest/locate.js';
export { interpolateEnv } from './manifest/interpolate.js';
export type { EnvSource } from './lib/env.js';
export { manifestJsonSchema } from './manifest/json-schema.js';
export { ASYMMETRIC_ALGORITHMS } from './manifest/schema.js';
export type {
  Algorithm,
  Manifest,
  ManifestInput,
  IssuerEntry,
  ResourceEntry,
  TokenPolicy,
  Settings,
  ManualMetadata,
  DownstreamEntry,
  RawMetadata,
  TranspileFunction,
} from './manifest/schema.js';
export { wellKnownUrls, protectedResourceMetadataPath } from './metadata/well-known.js';
export type { DiscoveryType } from './metadata/well-known.js';
export { fetchServerConfig, fetchServerConfigByWellKnownUrl } from './discovery/server-config.js';
export type {
  AuthServerConfig,
  AuthServerType,
  CamelCaseAuthorizationServerMetadata,
  ServerConfigOptions,
} from './discovery/server-config.js';
export { resolveIssuer } from './discovery/resolve.js';
export type { ResolvedIssuer, ResolveContext } from './discovery/resolve.js';
export { guardedFetch } from './discovery/guarded-fetch.js';
export type { FetchLimits, GuardedRequest, GuardedResponse } from './discovery/guarded-fetch.js';
export {
  validateAuthorizationServerMetadata,
  mcpReadiness,
  READINESS_CODES,
} from './metadata/authorization-server.js';
export type {
  AuthorizationServerMetadata,
  ReadinessCode,
  ReadinessFinding,
} from './metadata/authorization-server.js';
export { toCamelCase, toSnakeCase } from './metadata/case.js';
export { compile } from './runtime/compile-file.js';
export { compileOnce } from './runtime/compile-once.js';
export type { CompileSource, GetAuth } from './runtime/compile-once.js';
export type { CompileOptions } from './runtime/compile.js';
export { McpAuth } from './runtime/mcp-auth.js';
export type { OAuthTokenVerifier } from './runtime/mcp-auth.js';
export type { DownstreamToken } from './downstream/broker.js';
export { MemoryStore } from './store/memory-store.js';
export type { SharedStore, StoreListener } from './store/store.js';
export type { RevocationEntry, RevocationSelector, RevokeOptions } from './store/revocation.js';
export { createReloadable } from './runtime/reload-runtime.js';
export type { Reloadable, ReloadableOptions, ReloadResult, RuntimeLease } from './runtime/reload-runtime.js';
export type { TokenVerifierOptions } from './runtime/token-verifier.js';
export type { MetadataRoute } from './runtime/route-table.js';
export type { CompiledResource } from './runtime/resource.js';
export type {
  AuthenticateOptions,
  AuthResult,
  CoreRequest,
  CoreResponse,
  HandleOptions,
  Logger,
} from './runtime/types.js';
export type { TargetMatch } from './runtime/classify-request.js';
export type { RequestTarget } from './runtime/request-target.js';
export type { AuthInfo } from './verify/auth-info.js';
export { extractBearer } from './verify/bearer.js';
export { buildChallenge, errorResponse, ERROR_DESCRIPTIONS } from './verify/challenge.js';
export type { ChallengeParams, ErrorResponse } from './verify/challenge.js';
export type { VerifyHook } from './verify/verifier.js';
export { MCPAuth } from './compat/seed-mcp-auth.js';
export type {
  MCPAuthConfig,
  ResourceServerConfig,
  ResourceServerMetadata,
  BearerAuthOptions,
  VerifyAccessTokenFunction,
} from './compat/seed-mcp-auth.js';
