/**
 * A resource compiled from the manifest: its URLs and paths parsed once, its scope policy, its
 * Protected Resource Metadata document and its token verifier.
 * @module
 */
import type { ResourceEntry } from '../manifest/schema.js';
import { toSnakeCase } from '../metadata/case.js';
import { protectedResourceMetadataPath } from '../metadata/well-known.js';
import type { TokenVerifier } from '../verify/verifier.js';
import { routedFormOfPath } from './request-target.js';

/** One compiled resource. Immutable. */
export interface CompiledResource {
  /** The resource identifier, exactly as configured. */
  readonly resource: string;
  /** Its origin, e.g. `https://api.example.com`. */
  readonly origin: string;
  /** Its host (with a non-default port), lower case, as a `Host` header names it. */
  readonly host: string;
  /** Its path without a trailing slash (`''` for the origin root). */
  readonly path: string;
  /** {@link path} decoded as routers read it (see `request-target.ts`), for matching requests. */
  readonly routedPath: string;
  /** {@link routedPath} in lower case, for case-insensitive routers. */
  readonly routedPathLower: string;
  /** The path of its Protected Resource Metadata. */
  readonly metadataPath: string;
  /** The absolute URL of its Protected Resource Metadata (the challenge's `resource_metadata`). */
  readonly metadataUrl: string;
  /** Manifest ids of its issuers, in published order. */
  readonly issuerIds: readonly string[];
  /** Scopes every request needs. */
  readonly requiredScopes: readonly string[];
  /** Extra scopes per tool. */
  readonly toolScopes: ReadonlyMap<string, readonly string[]>;
  /** Scopes this resource knows (supported, required, per tool, in the hierarchy). */
  readonly knownScopes: ReadonlySet<string>;
  readonly scopeHierarchy: Readonly<Record<string, readonly string[]>>;
  /** 403 challenges also list the token's already-granted known scopes. */
  readonly challengeGrantedScopes: boolean;
  /** Adapters protect every request under `path`. */
  readonly protect: boolean;
  readonly publicToBrowsers: boolean;
  readonly mirrorAuthorizationServerMetadata: boolean;
  /** @internal The resource's token checks; reach them through {@link McpAuth} methods. */
  readonly verifier: TokenVerifier;
  /** The PRM document's fields other than `authorization_servers`, in wire form. */
  readonly documentFields: Readonly<Record<string, unknown>>;
}

/** Builds a {@link CompiledResource} from its manifest entry and verifier. */
export function compileResource(entry: ResourceEntry, verifier: TokenVerifier): CompiledResource {
  const url = new URL(entry.resource);
  const metadataPath = protectedResourceMetadataPath(url);
  const toolScopes = new Map(Object.entries(entry.tools).map(([name, tool]) => [name, tool.requiredScopes]));
  const knownScopes = new Set([
    ...(entry.scopesSupported ?? []),
    ...entry.token.requiredScopes,
    ...[...toolScopes.values()].flat(),
    ...Object.keys(entry.scopeHierarchy),
    ...Object.values(entry.scopeHierarchy).flat(),
  ]);
  const camel: Record<string, unknown> = {
    scopesSupported: entry.scopesSupported,
    bearerMethodsSupported: entry.bearerMethodsSupported ?? ['header'],
    resourceName: entry.resourceName,
    resourceDocumentation: entry.resourceDocumentation,
    resourcePolicyUri: entry.resourcePolicyUri,
    resourceTosUri: entry.resourceTosUri,
  };
  for (const key of Object.keys(camel)) if (camel[key] === undefined) delete camel[key];
  const routedPath = routedFormOfPath(url.pathname);
  return {
    resource: entry.resource,
    origin: url.origin,
    host: url.host,
    path: url.pathname.replace(/\/+$/, ''),
    routedPath,
    routedPathLower: routedPath.toLowerCase(),
    metadataPath,
    metadataUrl: `${url.origin}${metadataPath}`,
    issuerIds: entry.authorizationServers,
    requiredScopes: entry.token.requiredScopes,
    toolScopes,
    knownScopes,
    scopeHierarchy: entry.scopeHierarchy,
    challengeGrantedScopes: entry.token.challengeGrantedScopes,
    protect: entry.protect,
    publicToBrowsers: entry.browser.public,
    mirrorAuthorizationServerMetadata: entry.mirrorAuthorizationServerMetadata,
    verifier,
    documentFields: { ...toSnakeCase(camel), ...entry.extraMetadata },
  };
}

/**
 * The Protected Resource Metadata document (RFC 9728 §2): `resource` exactly as configured,
 * `authorization_servers` as the issuers' identifiers verbatim in manifest order, then the other
 * fields.
 */
export function protectedResourceMetadata(
  resource: CompiledResource,
  issuers: readonly string[],
): Record<string, unknown> {
  return { resource: resource.resource, authorization_servers: [...issuers], ...resource.documentFields };
}
