/**
 * Meaning beyond shape, checked offline after the zod schema accepted the manifest: issuer ids
 * exist, URLs are absolute and safe, metadata paths are unique, scopes are consistent.
 * @module
 */
import type { ManifestIssueCode } from '../errors.js';
import type { ManifestIssue } from '../errors.js';
import { issuersOverlap } from '../issuers/match-issuer.js';
import { didYouMean } from '../lib/suggest.js';
import { insecureUrlReason, tryParseUrl } from '../lib/url.js';
import { isManifestEndpointField } from '../metadata/authorization-server-fields.js';
import { protectedResourceMetadataPath } from '../metadata/well-known.js';
import { checkDownstream } from './check-downstream.js';
import { checkUpstream } from './check-upstream.js';
import { checkTokenPolicy } from './check-token-policy.js';
import { checkPresets } from '../providers/check-preset.js';
import type { Manifest } from './schema.js';

type Path = (string | number)[];

interface UrlRules {
  /** Issuer identifiers may carry neither a query nor userinfo (RFC 8414 §2). */
  readonly issuer?: boolean;
}

function checkUrl(value: string, path: Path, issues: ManifestIssue[], rules: UrlRules = {}): URL | undefined {
  const error = (code: ManifestIssueCode, message: string) => {
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

/**
 * The form a resource identifier must already have: exactly what WHATWG URL parsing makes of it
 * (so nothing is encoded, stripped, lower-cased or resolved on the way to `resource_metadata` and
 * the published `resource`), except that an origin may be written without its `/` path.
 */
function isNormalisedResource(value: string, url: URL): boolean {
  return value === url.href || (url.pathname === '/' && value === `${url.origin}${url.search}${url.hash}`);
}

/**
 * The issuers of a resource whose opaque tokens it would introspect. Opaque tokens do not name
 * their issuer, so a resource that introspects may ask only one: at most one of its issuers may
 * carry introspection credentials (checked here, so `compile()` never has to choose).
 */
function checkIntrospection(
  manifest: Manifest,
  resource: Manifest['resources'][number],
  at: Path,
  issues: ManifestIssue[],
): void {
  const { format } = resource.token;
  if (format === 'jwt' || format === 'tokeninfo') return;
  const error = (code: ManifestIssueCode, path: Path, message: string) =>
    issues.push({ severity: 'error', code, path, message });
  const credentialed = resource.authorizationServers.flatMap((id, i) =>
    manifest.issuers[id]?.introspection ? [{ id, i }] : [],
  );
  for (const extra of credentialed.slice(1)) {
    error(
      'introspection_ambiguous',
      [...at, 'authorizationServers', extra.i],
      `issuers.${credentialed[0]!.id} and issuers.${extra.id} both have introspection credentials, but an opaque token does not name its issuer: give them to one issuer of this resource only`,
    );
  }
  // "introspection" sends every token to the introspecting issuer; "auto" only the opaque ones.
  const needing =
    format === 'introspection'
      ? resource.authorizationServers
      : credentialed.length === 0
        ? resource.authorizationServers.slice(0, 1)
        : [];
  for (const id of needing) {
    const entry = manifest.issuers[id];
    if (entry && !entry.introspection) {
      error(
        'introspection_credentials',
        [...at, 'token', 'format'],
        format === 'introspection'
          ? `token.format "introspection" needs issuers.${id}.introspection (client id and secret)`
          : `token.format "auto" introspects opaque tokens: give one issuer of this resource introspection credentials (issuers.${id}.introspection)`,
      );
    }
  }
}

/** Checks a parsed manifest's cross-field rules; returns every problem found (errors and warnings). */
export function checkManifest(manifest: Manifest): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const warn = (code: ManifestIssueCode, path: Path, message: string) =>
    issues.push({ severity: 'warning', code, path, message });
  const error = (code: ManifestIssueCode, path: Path, message: string) =>
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
        if (key !== 'issuer' && isManifestEndpointField(key) && typeof value === 'string') {
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
    if (url && !isNormalisedResource(resource.resource, url))
      error(
        'resource_not_normalised',
        [...at, 'resource'],
        `the resource identifier is published and compared as written, so write it in normalised URL form: ${JSON.stringify(url.href)}`,
      );
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
    checkIssuerOverlap(manifest, resource.authorizationServers, at, issues);

    checkIntrospection(manifest, resource, at, issues);

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

  checkDownstream(manifest, issues);
  checkTokenPolicy(manifest, issues);
  checkPresets(manifest, issues);
  for (const entry of Object.values(manifest.downstream ?? {})) used.add(entry.issuer);
  for (const id of issuerIds) {
    if (!used.has(id)) warn('unused_issuer', ['issuers', id], `issuer "${id}" is not used by any resource`);
  }
  return issues;
}

/**
 * Two issuers of one resource must not accept the same `iss` (their identifier, or an entry of
 * their `tokenIssuers`; a `{tenant}` template stands for every value it matches): a token would
 * be attributed to whichever is listed first, with its keys and its rules, whatever the other
 * says. Identifiers are compared as written, as tokens are. Issuers named only by a well-known
 * URL are known once fetched, and not compared here.
 */
function checkIssuerOverlap(
  manifest: Manifest,
  ids: readonly string[],
  at: Path,
  issues: ManifestIssue[],
): void {
  const seen: { id: string; iss: string }[] = [];
  ids.forEach((id, i) => {
    const entry = manifest.issuers[id];
    if (!entry) return;
    const accepted = acceptedIssuers(entry);
    for (const iss of new Set(accepted)) {
      const other = seen.find((s) => s.id !== id && issuersOverlap(s.iss, iss));
      if (other)
        issues.push({
          severity: 'error',
          code: 'issuer_overlap',
          path: [...at, 'authorizationServers', i],
          message: `issuers "${other.id}" and "${id}" both accept tokens with iss "${other.iss === iss ? iss : `${other.iss}" / "${iss}`}": give them different identifiers, or use one entry (one entry can both verify JWTs and introspect)`,
        });
    }
    for (const iss of accepted) seen.push({ id, iss });
  });
}

/**
 * The `iss` values an issuer accepts, as written: its `tokenIssuers`, else its identifier. A
 * template stands for every tenant it matches, whatever `tenants.allowed` says: a token is
 * attributed by its `iss` first and its tenant checked after, so a template listed first takes
 * the tokens of another issuer it matches even for a tenant it does not allow.
 */
function acceptedIssuers(entry: Manifest['issuers'][string]): readonly string[] {
  return entry.tokenIssuers ?? [entry.issuer ?? entry.metadata?.issuer].filter((v) => v !== undefined);
}
