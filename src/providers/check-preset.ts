/**
 * Meaning checks of preset parameters that a schema cannot express, with errors that name the
 * parameter to change.
 * @module
 */
import type { ManifestIssue } from '../errors.js';
import type { Manifest } from '../manifest/schema.js';

type Path = (string | number)[];

/**
 * Checks every issuer's preset against the rest of the manifest; pushes every problem found.
 *
 * @example
 * ```ts
 * const issues: ManifestIssue[] = [];
 * checkPresets(manifest, issues);
 * ```
 */
export function checkPresets(manifest: Manifest, issues: ManifestIssue[]): void {
  for (const [id, entry] of Object.entries(manifest.issuers)) {
    const preset = entry.preset;
    if (!preset) continue;
    const at: Path = ['issuers', id, 'preset'];
    if (preset.name === 'cognito' && !preset.userPoolId.startsWith(`${preset.region}_`))
      issues.push({
        severity: 'error',
        code: 'preset_parameter',
        path: [...at, 'userPoolId'],
        message: `user pool "${preset.userPoolId}" is not in region "${preset.region}": a pool id starts with its region and "_" (fix "region" or "userPoolId")`,
      });
    if (
      preset.name === 'entra' &&
      preset.allowedTenants &&
      !['organizations', 'common'].includes(preset.tenant)
    )
      issues.push({
        severity: 'error',
        code: 'preset_parameter',
        path: [...at, 'allowedTenants'],
        message:
          'allowedTenants is for multi-tenant apps ("tenant": "organizations" or "common"); a single-tenant app accepts its own tenant only',
      });
    manifest.resources.forEach((resource, index) => {
      if (!resource.authorizationServers.includes(id)) return;
      const scopes: [readonly string[] | undefined, Path][] = [
        [resource.scopesSupported, ['resources', index, 'scopesSupported']],
        [resource.token.requiredScopes, ['resources', index, 'token', 'requiredScopes']],
      ];
      for (const [list, path] of scopes) {
        list?.forEach((scope, i) => {
          if (preset.name === 'entra' && scope.endsWith('.default'))
            issues.push({
              severity: 'error',
              code: 'entra_default_scope',
              path: [...path, i],
              message: `"${scope}" is requested by clients but never appears in a token's scp: list the API's own scopes (the names under "Expose an API"), e.g. "Notes.Read"`,
            });
        });
      }
      if (preset.name === 'github' && resource.token.requiredScopes.length > 0)
        issues.push({
          severity: 'warning',
          code: 'scopes_unavailable',
          path: ['resources', index, 'token', 'requiredScopes'],
          message:
            "GitHub's GET /user answer carries no scopes this library reads, so every request would be refused with insufficient_scope",
        });
    });
  }
}
