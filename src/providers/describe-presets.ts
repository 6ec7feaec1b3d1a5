/**
 * What each preset of a parsed manifest became, for `mcp-auth validate --format json` and
 * `mcp-auth routes --format json`: the issuer's effective values and the token policy of every
 * resource that uses it (explicit manifest values included, since they won over the preset).
 * @module
 */
import type { Manifest } from '../manifest/schema.js';

const ISSUER_KEYS = [
  'issuer',
  'wellKnownUrl',
  'metadata',
  'type',
  'transpile',
  'tokenIssuers',
  'tenants',
  'tokenInfo',
  'requireClaims',
  'requireOneOfClaims',
] as const;
const TOKEN_KEYS = [
  'format',
  'audience',
  'requireAudience',
  'scopeClaims',
  'roleClaims',
  'clientIdClaim',
  'allowedClientIds',
  'requireClaims',
  'requireOneOfClaims',
  'algorithms',
] as const;

/** One preset as it was expanded. */
export interface PresetDescription {
  readonly preset: Record<string, unknown>;
  readonly issuer: Record<string, unknown>;
  readonly resources: readonly { readonly resource: string; readonly token: Record<string, unknown> }[];
}

const pick = (value: Record<string, unknown>, keys: readonly string[]) =>
  Object.fromEntries(
    keys.filter((k) => value[k] !== undefined && typeof value[k] !== 'function').map((k) => [k, value[k]]),
  );

/**
 * The description of every preset in a parsed manifest, by issuer id (empty without presets).
 *
 * @example
 * ```ts
 * describePresets(manifest).auth0?.issuer.issuer; // 'https://acme.us.auth0.com/'
 * ```
 */
export function describePresets(manifest: Manifest): Record<string, PresetDescription> {
  const out: Record<string, PresetDescription> = {};
  for (const [id, entry] of Object.entries(manifest.issuers)) {
    if (!entry.preset) continue;
    out[id] = {
      preset: { ...entry.preset },
      issuer: pick(entry, ISSUER_KEYS),
      resources: manifest.resources
        .filter((r) => r.authorizationServers.includes(id))
        .map((r) => ({ resource: r.resource, token: pick(r.token, TOKEN_KEYS) })),
    };
  }
  return out;
}
