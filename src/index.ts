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
  formatIssue,
  formatPath,
} from './errors.js';
export type {
  McpAuthErrorCode,
  ManifestErrorCode,
  DiscoveryErrorCode,
  TokenErrorCode,
  TokenErrorReason,
  ManifestIssue,
  SourceLocation,
} from './errors.js';
export { defineConfig } from './manifest/define.js';
export { parseManifest, validateManifest } from './manifest/parse.js';
export type { ParseOptions, ValidationResult } from './manifest/parse.js';
export { loadManifest, MANIFEST_FILES } from './manifest/load.js';
export type { LoadOptions, LoadedManifest } from './manifest/load.js';
export type { ManifestSource } from './manifest/locate.js';
export { interpolateEnv } from './manifest/interpolate.js';
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
  RawMetadata,
  TranspileFunction,
} from './manifest/schema.js';
export { wellKnownUrls, protectedResourceMetadataPath } from './metadata/well-known.js';
export type { DiscoveryType } from './metadata/well-known.js';
