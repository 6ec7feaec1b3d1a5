/**
 * Meaning beyond shape, checked offline after the zod schema accepted the manifest: issuer ids
 * exist, URLs are absolute and safe, metadata paths are unique, scopes are consistent.
 * @module
 */
import type { ManifestIssue } from '../errors.js';
import { didYouMean } from '../lib/suggest.js';
import { insecureUrlReason, tryParseUrl } from '../lib/url.js';
import { protectedResourceMetadataPath } from '../metadata/well-known.js';
import { checkUpstream } from './check-upstream.js';
import type { Manifest } from './schema.js';

type Path = (string | number)[];

interface UrlRules {
  /** Issuer identifiers may carry neither a query nor userinfo (RFC 8414 §2). */
  readonly issuer?: boolean;
}

function checkUrl(value: string, path: Path, issues: ManifestIssue[], rules: UrlRules = {}): URL | undefined {
  const error = (code: string, message: string) => {
    issues.push({ severity: 'error', code, path, message });
  };
  const url = tryParseUrl(value);
  if (!url) {
    error('invalid_url', `"${value}" is not an absolute URL`);
    return undefined;
  }
  const insecure = insecureUrlReason(url);
  if (insecure) error('insecure_url', insecure);
  if (url.hash || value.includes('#')) error('url_fragment', 'a URL here must not have a fragment (#...)');
  if (rules.issuer && (url.search || value.includes('?')))
    error('issuer_query', 'an issuer must not have a query (RFC 8414 §2)');
  if (url.username || url.password)
    error('url_userinfo', 'a URL here must not carry a user name or password');
  return url;
}

/** Checks a parsed manifest's cross-field rules; returns every problem found (errors and warnings). */
export function checkManifest(manifest: Manifest): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const warn = (code: string, path: Path, message: string) =>
    issues.push({ severity: 'warning', code, path, message });
  const error = (code: string, path: Path, message: string) =>
    issues.push({ severity: 'error', code, path, message });

  const issuerIds = Object.keys(manifest.issuers);
  if (issuerIds.length === 0) error('no_issuers', ['issuers'], 'declare at least one issuer');

  for (const [id, entry] of Object.entries(manifest.issuers)) {
    const at: Path = ['issuers', id];
    const sources = (['issuer', 'wellKnownUrl', 'metadata'] as const).filter(
      (key) => entry[key] !== undefined,
    );
    if (sources.length === 0) {
      error('issuer_source', at, 'give one of "issuer" (discovery), "wellKnownUrl" or "metadata"');
    } else if (entry.metadata && sources.length > 1) {
      error(
        'issuer_source',
        at,
        '"metadata" is written out by hand: put the issuer in metadata.issuer and drop "issuer"/"wellKnownUrl"',
      );
    }
    if (entry.issuer !== undefined) checkUrl(entry.issuer, [...at, 'issuer'], issues, { issuer: true });
    if (entry.wellKnownUrl !== undefined) checkUrl(entry.wellKnownUrl, [...at, 'wellKnownUrl'], issues);
    if (entry.metadata) {
      checkUrl(entry.metadata.issuer, [...at, 'metadata', 'issuer'], issues, { issuer: true });
      for (const [key, value] of Object.entries(entry.metadata)) {
        if (key !== 'issuer' && /(Endpoint|Uri)$/.test(key) && typeof value === 'string') {
          checkUrl(value, [...at, 'metadata', key], issues);
        }
      }
    }
    if (entry.jwks) {
      const { uri, keys } = entry.jwks;
      if ((uri === undefined) === (keys === undefined))
        error('jwks_source', [...at, 'jwks'], 'give exactly one of "uri" or "keys"');
      if (uri !== undefined) checkUrl(uri, [...at, 'jwks', 'uri'], issues);
      keys?.forEach((key, i) => {
        const path = [...at, 'jwks', 'keys', i];
        if (typeof key.kty !== 'string') error('jwk_invalid', path, 'a JWK needs a "kty"');
        else if (key.kty === 'oct')
          error('jwk_symmetric', path, 'symmetric keys (kty "oct") are never accepted for access tokens');
        if ('d' in key)
          error('jwk_private', path, 'this is a private key: give only the public part (no "d")');
      });
    }
    if (entry.introspection?.endpoint !== undefined) {
      checkUrl(entry.introspection.endpoint, [...at, 'introspection', 'endpoint'], issues);
    }
  }

  const used = new Set<string>();
  const metadataPaths = new Map<string, number>();
  manifest.resources.forEach((resource, index) => {
    const at: Path = ['resources', index];
    const url = checkUrl(resource.resource, [...at, 'resource'], issues);
    if (resource.upstream) checkUpstream(resource.upstream, [...at, 'upstream'], issues);
    if (url?.search)
      warn(
        'resource_query',
        [...at, 'resource'],
        'a resource identifier should not have a query (RFC 8707 §2)',
      );
    if (url) {
      const key = `${url.origin}${protectedResourceMetadataPath(url)}`;
      const first = metadataPaths.get(key);
      if (first !== undefined) {
        error(
          'duplicate_metadata_path',
          [...at, 'resource'],
          `resources[${first}] already publishes its metadata at ${key}`,
        );
      } else {
        metadataPaths.set(key, index);
      }
    }

    const seen = new Set<string>();
    resource.authorizationServers.forEach((id, i) => {
      used.add(id);
      if (!(id in manifest.issuers)) {
        error(
          'unknown_issuer',
          [...at, 'authorizationServers', i],
          `no issuer "${id}" in "issuers".${didYouMean(id, issuerIds)}`,
        );
      }
      if (seen.has(id))
        error('duplicate_issuer', [...at, 'authorizationServers', i], `"${id}" is listed twice`);
      seen.add(id);
    });

    if (resource.token.format !== 'jwt') {
      for (const id of resource.authorizationServers) {
        const entry = manifest.issuers[id];
        if (entry && !entry.introspection) {
          error(
            'introspection_credentials',
            [...at, 'token', 'format'],
            `token.format "${resource.token.format}" needs issuers.${id}.introspection (client id and secret)`,
          );
        }
      }
    }

    if (resource.scopesSupported) {
      const known = new Set(resource.scopesSupported);
      const hinted = (scope: string, path: Path) => {
        if (!known.has(scope))
          warn(
            'scope_not_supported',
            path,
            `"${scope}" is not in scopesSupported, so clients will not know to request it`,
          );
      };
      resource.token.requiredScopes.forEach((scope, i) =>
        hinted(scope, [...at, 'token', 'requiredScopes', i]),
      );
      for (const [tool, policy] of Object.entries(resource.tools)) {
        policy.requiredScopes.forEach((scope, i) =>
          hinted(scope, [...at, 'tools', tool, 'requiredScopes', i]),
        );
      }
    }

    for (const key of Object.keys(resource.extraMetadata ?? {})) {
      if (key === 'resource' || key === 'authorization_servers') {
        error(
          'reserved_metadata',
          [...at, 'extraMetadata', key],
          `"${key}" is generated from the resource; set it there`,
        );
      }
    }
  });

  for (const id of issuerIds) {
    if (!used.has(id)) warn('unused_issuer', ['issuers', id], `issuer "${id}" is not used by any resource`);
  }
  return issues;
}
