/**
 * Meaning checks of the token-policy knobs presets expand into (and that can be written by hand):
 * issuer templates and tenants, unchecked audiences, token-information endpoints, and the
 * SEP-2207 rule on `offline_access`.
 * @module
 */
import type { ManifestIssue } from '../errors.js';
import { TENANT_PLACEHOLDER } from '../issuers/match-issuer.js';
import type { Manifest } from './schema.js';

type Path = (string | number)[];

/** The SEP-2207 (MCP 2026-07-28) scope a resource must not list: refresh is the client's business. */
const OFFLINE_ACCESS = 'offline_access';

function checkIssuers(manifest: Manifest, issues: ManifestIssue[]): void {
  for (const [id, entry] of Object.entries(manifest.issuers)) {
    const at: Path = ['issuers', id];
    // Paths into a preset point at its parameters, where the user can fix them.
    const preset = entry.preset?.name === 'entra' ? [...at, 'preset'] : undefined;
    // The issuer identifier is compared exactly (src/issuers/select-issuer.ts): a template there
    // would accept no token, and was once an "any tenant" wildcard.
    const transpiled = typeof entry.transpile === 'object' ? entry.transpile['issuer'] : undefined;
    for (const [value, path] of [
      [entry.issuer, [...at, 'issuer']],
      [entry.metadata?.issuer, [...at, 'metadata', 'issuer']],
      [transpiled, [...at, 'transpile', 'issuer']],
    ] as const) {
      if (typeof value === 'string' && value.includes(TENANT_PLACEHOLDER))
        issues.push({
          severity: 'error',
          code: 'issuer_template',
          path: [...path],
          message: `an issuer identifier is compared exactly: write the "${TENANT_PLACEHOLDER}" template in tokenIssuers, with tenants (the accepted tenant ids)`,
        });
    }
    let templated = false;
    entry.tokenIssuers?.forEach((value, i) => {
      const count = value.split(TENANT_PLACEHOLDER).length - 1;
      if (count > 1)
        issues.push({
          severity: 'error',
          code: 'issuer_template',
          path: [...at, 'tokenIssuers', i],
          message: `a tokenIssuers template holds "${TENANT_PLACEHOLDER}" at most once`,
        });
      if (count > 0) templated = true;
    });
    if (templated && !entry.tenants)
      issues.push({
        severity: 'error',
        code: 'tenants_required',
        path: [...at, 'tenants'],
        message: `a "${TENANT_PLACEHOLDER}" issuer template accepts tokens of any tenant: give tenants.allowed (the accepted tenant ids), or tenants.any: true`,
      });
    if (entry.tenants && !entry.tenants.any && !entry.tenants.allowed)
      issues.push({
        severity: 'error',
        code: 'tenants_required',
        path: preset ? [...preset, 'allowedTenants'] : [...at, 'tenants', 'allowed'],
        message: preset
          ? 'a multi-tenant Entra app ("organizations" / "common") needs "allowedTenants": the tenant GUIDs whose users may call (or "anyTenant": true)'
          : 'give tenants.allowed (the accepted tenant ids), or tenants.any: true',
      });
    if (entry.tenants?.any)
      issues.push({
        severity: 'warning',
        code: 'any_tenant',
        path: preset ? [...preset, 'anyTenant'] : [...at, 'tenants', 'any'],
        message:
          'tokens of every tenant are accepted: anyone who creates a tenant at this provider can get a token for this server',
      });
  }
}

function checkResource(manifest: Manifest, index: number, issues: ManifestIssue[]): void {
  const resource = manifest.resources[index]!;
  const at: Path = ['resources', index];
  const { token } = resource;
  const offline = (scopes: readonly string[] | undefined, path: Path) =>
    scopes?.forEach((scope, i) => {
      if (scope === OFFLINE_ACCESS)
        issues.push({
          severity: 'error',
          code: 'offline_access_scope',
          path: [...path, i],
          message:
            '"offline_access" asks the authorization server for a refresh token; it is not a scope of this resource, so it must not be listed here (MCP 2026-07-28, SEP-2207): clients request it themselves',
        });
    });
  offline(resource.scopesSupported, [...at, 'scopesSupported']);
  offline(token.requiredScopes, [...at, 'token', 'requiredScopes']);
  for (const [tool, policy] of Object.entries(resource.tools))
    offline(policy.requiredScopes, [...at, 'tools', tool, 'requiredScopes']);

  if (token.requireAudience === false && !token.allowedClientIds)
    issues.push({
      severity: 'warning',
      code: 'audience_unchecked',
      path: [...at, 'token', 'requireAudience'],
      message:
        'token.requireAudience is false and no token.allowedClientIds are given: a token this issuer gave to any application is accepted here',
    });

  if (token.format === 'tokeninfo') {
    const informing = resource.authorizationServers.filter((id) => manifest.issuers[id]?.tokenInfo);
    if (informing.length === 0)
      issues.push({
        severity: 'error',
        code: 'tokeninfo_endpoint',
        path: [...at, 'token', 'format'],
        message: `token.format "tokeninfo" needs an issuer of this resource with "tokenInfo" (its endpoint)`,
      });
    if (informing.length > 1)
      issues.push({
        severity: 'error',
        code: 'tokeninfo_ambiguous',
        path: [...at, 'authorizationServers'],
        message: `issuers ${informing.map((id) => `"${id}"`).join(', ')} all have tokenInfo, but an opaque token does not name its issuer: protect them as separate resources`,
      });
  }
}

/**
 * Checks the token-policy knobs of a parsed manifest; pushes every problem found.
 *
 * @example
 * ```ts
 * const issues: ManifestIssue[] = [];
 * checkTokenPolicy(manifest, issues);
 * ```
 */
export function checkTokenPolicy(manifest: Manifest, issues: ManifestIssue[]): void {
  checkIssuers(manifest, issues);
  manifest.resources.forEach((_, index) => checkResource(manifest, index, issues));
}
