/**
 * The rules for the manifest's `downstream` section (token broker): each entry names an issuer
 * that exists, asks only for what its grant can carry, and gives one source for its private key.
 * Whether the secret or key is actually present is checked by `compile()`, which reads it.
 * @module
 */
import type { ManifestIssueCode } from '../errors.js';
import type { ManifestIssue } from '../errors.js';
import { didYouMean } from '../lib/suggest.js';
import { tryParseUrl } from '../lib/url.js';
import type { Manifest } from './schema.js';

type Path = (string | number)[];

/**
 * Checks every `downstream` entry; pushes errors and warnings onto `issues`.
 *
 * @example
 * ```ts
 * const issues: ManifestIssue[] = [];
 * checkDownstream(manifest, issues);
 * ```
 */
export function checkDownstream(manifest: Manifest, issues: ManifestIssue[]): void {
  const issuerIds = Object.keys(manifest.issuers);
  const error = (code: ManifestIssueCode, path: Path, message: string) =>
    issues.push({ severity: 'error', code, path, message });
  const warn = (code: ManifestIssueCode, path: Path, message: string) =>
    issues.push({ severity: 'warning', code, path, message });

  for (const [name, entry] of Object.entries(manifest.downstream ?? {})) {
    const at: Path = ['downstream', name];
    if (!(entry.issuer in manifest.issuers)) {
      error(
        'unknown_issuer',
        [...at, 'issuer'],
        `no issuer "${entry.issuer}" in "issuers".${didYouMean(entry.issuer, issuerIds)}`,
      );
    }
    if (entry.grant === 'jwt-bearer') {
      for (const key of ['audience', 'resource', 'actor'] as const) {
        if (entry[key] !== undefined)
          error(
            'downstream_grant_parameter',
            [...at, key],
            `"${key}" is a token-exchange parameter; the on-behalf-of (jwt-bearer) grant names the downstream API by "scope"`,
          );
      }
      if (!entry.scope?.length)
        error('downstream_scope', [...at, 'scope'], 'the on-behalf-of (jwt-bearer) grant needs "scope"');
    } else if (entry.audience === undefined && entry.resource === undefined && !entry.scope?.length) {
      warn(
        'downstream_target',
        at,
        'no "audience", "resource" or "scope": the issuer decides which API the exchanged token is for',
      );
    }
    const resources = entry.resource === undefined ? [] : [entry.resource].flat();
    resources.forEach((value, i) => {
      const path = Array.isArray(entry.resource) ? [...at, 'resource', i] : [...at, 'resource'];
      const url = tryParseUrl(value);
      if (!url) error('invalid_url', path, `"${value}" is not an absolute URL (RFC 8707 §2)`);
      else if (url.hash || value.includes('#'))
        error('url_fragment', path, 'a resource indicator must not have a fragment (RFC 8707 §2)');
    });
    const auth = entry.clientAuth;
    if (auth.method === 'private_key_jwt' && (auth.keyFile === undefined) === (auth.keyEnv === undefined)) {
      error('client_key_source', [...at, 'clientAuth'], 'give exactly one of "keyFile" or "keyEnv"');
    }
  }
}
