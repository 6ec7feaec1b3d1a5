/**
 * The seed API (Logto's `mcp-auth`): `fetchServerConfig` and `fetchServerConfigByWellKnownUrl`,
 * on the same resolution engine as the manifest.
 * @module
 */
import { OptionError } from '../errors.js';
import type { RawMetadata } from '../manifest/schema.js';
import type { CamelFields } from '../metadata/authorization-server-fields.js';
import { toCamelCase } from '../metadata/case.js';
import { redactUrl } from '../lib/url.js';
import { resolveIssuer, type ResolvedIssuer } from './resolve.js';
import type { FetchLimits } from './guarded-fetch.js';

/** The kind of authorization server: OpenID Connect or plain OAuth 2.0. */
export type AuthServerType = 'oidc' | 'oauth';

/** Authorization-server metadata in camelCase, unknown fields kept. */
export interface CamelCaseAuthorizationServerMetadata extends CamelFields<
  | 'issuer'
  | 'authorizationEndpoint'
  | 'tokenEndpoint'
  | 'jwksUri'
  | 'registrationEndpoint'
  | 'introspectionEndpoint'
  | 'responseTypesSupported'
  | 'codeChallengeMethodsSupported'
  | 'scopesSupported'
> {
  readonly [field: string]: unknown;
}

/** An authorization server's configuration, as the seed API returns and accepts it. */
export interface AuthServerConfig {
  readonly type: AuthServerType;
  readonly metadata: CamelCaseAuthorizationServerMetadata;
}

/** Options of {@link fetchServerConfig} and {@link fetchServerConfigByWellKnownUrl}. */
export interface ServerConfigOptions extends FetchLimits {
  readonly type: AuthServerType;
  /** Fixes the raw snake_case document before validation; may be async. */
  readonly transpileData?: (data: RawMetadata) => RawMetadata | Promise<RawMetadata>;
}

function checkType(options: ServerConfigOptions | undefined): AuthServerType {
  if (options?.type !== 'oidc' && options?.type !== 'oauth') {
    throw new OptionError('options.type must be "oidc" or "oauth"');
  }
  return options.type;
}

/** The seed-shaped result: the type and the validated metadata in camelCase, frozen. */
function toServerConfig(type: AuthServerType, resolved: ResolvedIssuer): AuthServerConfig {
  const metadata = Object.freeze(toCamelCase(resolved.metadata)) as CamelCaseAuthorizationServerMetadata;
  return Object.freeze({ type, metadata });
}

/**
 * Fetches an authorization server's metadata from its issuer URL: `oauth` uses RFC 8414 path
 * insertion, `oidc` appends `/.well-known/openid-configuration`. The document's `issuer` must be
 * identical to `issuer`.
 *
 * @example
 * ```ts
 * const config = await fetchServerConfig('https://auth.logto.io/oidc', { type: 'oidc' });
 * config.metadata.tokenEndpoint;
 * ```
 * @throws {DiscoveryError}
 */
export async function fetchServerConfig(
  issuer: string,
  options: ServerConfigOptions,
): Promise<AuthServerConfig> {
  const type = checkType(options);
  return toServerConfig(
    type,
    // The issuer URL names the issuer in error messages: without any user information in it.
    await resolveIssuer(redactUrl(issuer), { issuer, type, transpile: options.transpileData }, options),
  );
}

/**
 * Fetches an authorization server's metadata from exactly `wellKnownUrl`.
 *
 * @example
 * ```ts
 * const config = await fetchServerConfigByWellKnownUrl('https://login.corp.example/custom/openid-configuration', { type: 'oidc' });
 * ```
 * @throws {DiscoveryError}
 */
export async function fetchServerConfigByWellKnownUrl(
  wellKnownUrl: string,
  options: ServerConfigOptions,
): Promise<AuthServerConfig> {
  const type = checkType(options);
  const resolved = await resolveIssuer(
    wellKnownUrl,
    { wellKnownUrl, type, transpile: options.transpileData },
    options,
  );
  return toServerConfig(type, resolved);
}
