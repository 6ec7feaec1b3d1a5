import { DiscoveryError } from '../errors.js';
import type { FetchLimits } from '../discovery/guarded-fetch.js';
import { GRANT_TYPES } from '../downstream/exchange-token.js';
import { resolveIssuer } from '../discovery/resolve.js';
import type { IssuerEntry } from '../manifest/schema.js';
import { KeyStore } from '../verify/jwks.js';
import { presetReadiness } from '../providers/readiness.js';
import { loadForCommand } from './load-for-command.js';
import type { CommandOptions, ExitCode } from './main.js';

interface IssuerReport {
  id: string;
  ok: boolean;
  issuer?: string;
  source?: string;
  error?: { code: string; message: string };
  findings: { severity: string; code: string; message: string }[];
  /** `grant_types_supported` of the resolved metadata, when it lists one. */
  grantTypes?: string[];
  jwks?: {
    uri: string;
    reachable: boolean;
    keys: number;
    usable: number;
    algorithms: string[];
    error?: string;
  };
}

type JwksReport = NonNullable<IssuerReport['jwks']>;

/** What a key set offers: its size, the keys we would use and their algorithms. */
function describeKeys(
  uri: string,
  published: number,
  usable: readonly Record<string, unknown>[],
): JwksReport {
  const algorithms = usable.map((k) => (typeof k.alg === 'string' ? k.alg : `${String(k.kty)} (no alg)`));
  return {
    uri,
    reachable: true,
    keys: published,
    usable: usable.length,
    algorithms: [...new Set(algorithms)],
  };
}

/**
 * The issuer's key set (the manifest override first), fetched for real through the same key
 * store the runtime uses (same fetch limits, same idea of a usable key); `undefined` when none.
 */
async function jwksReport(
  entry: IssuerEntry,
  jwksUri: string | undefined,
  limits: FetchLimits,
): Promise<JwksReport | undefined> {
  const uri = entry.jwks?.keys ? undefined : (entry.jwks?.uri ?? jwksUri);
  if (!entry.jwks?.keys && !uri) return undefined;
  const store = new KeyStore(uri === undefined ? { keys: entry.jwks!.keys! } : { uri }, NO_CACHING, limits);
  try {
    const { published, usable } = await store.inspect();
    return describeKeys(uri ?? 'inline', published, usable as readonly Record<string, unknown>[]);
  } catch (err) {
    const error = err instanceof DiscoveryError ? err.code : 'error';
    return { uri: uri ?? 'inline', reachable: false, keys: 0, usable: 0, algorithms: [], error };
  }
}

/** A one-shot store: nothing here is kept between checks. */
const NO_CACHING = Object.freeze({ cooldownMs: 0, maxAgeMs: 0, staleMs: 0 });

async function issuerReport(id: string, entry: IssuerEntry, limits: FetchLimits): Promise<IssuerReport> {
  let resolved;
  try {
    resolved = await resolveIssuer(id, entry, limits);
  } catch (err) {
    if (!(err instanceof DiscoveryError)) throw err;
    return {
      id,
      ok: false,
      error: { code: err.code, message: err.message },
      findings: presetReadiness(entry),
    };
  }
  const jwks = await jwksReport(entry, resolved.metadata.jwks_uri, limits);
  return {
    id,
    // Serving MCP clients: no error finding, and keys we can use when there is a key set.
    ok: !resolved.findings.some((f) => f.severity === 'error') && (!jwks || jwks.usable > 0),
    issuer: resolved.issuer,
    source: resolved.source.url ?? 'manual metadata',
    // What clients meet with this provider, beyond its metadata (src/providers/readiness.ts).
    findings: [...resolved.findings, ...presetReadiness(entry)],
    ...(resolved.metadata.grant_types_supported
      ? { grantTypes: [...resolved.metadata.grant_types_supported] }
      : {}),
    ...(jwks ? { jwks } : {}),
  };
}

/** `mcp-auth check`: resolves every issuer for real and reports MCP readiness and the JWKS. */
export async function checkCommand(o: CommandOptions): Promise<ExitCode> {
  const manifest = await loadForCommand(o);
  if (typeof manifest === 'number') return manifest;
  const limits = manifest.settings.fetch;
  const reports = await Promise.all(
    Object.entries(manifest.issuers).map(([id, entry]) => issuerReport(id, entry, limits)),
  );
  const ok = reports.every((r) => r.ok);
  // Whether each downstream issuer advertises its grant; a warning only, since the field is optional.
  const downstream = Object.entries(manifest.downstream ?? {}).map(([name, entry]) => {
    const grantTypes = reports.find((r) => r.id === entry.issuer)?.grantTypes;
    const grant = GRANT_TYPES[entry.grant];
    return { name, issuer: entry.issuer, grant, advertised: grantTypes ? grantTypes.includes(grant) : null };
  });
  if (o.format === 'json') {
    o.out(JSON.stringify({ ok, issuers: reports, ...(downstream.length ? { downstream } : {}) }, null, 2));
  } else {
    for (const r of reports) {
      o.out(`${r.ok ? '✓' : '✗'} ${r.id}${r.issuer ? ` (${r.issuer})` : ''}`);
      if (r.source) o.out(`    metadata: ${r.source}`);
      if (r.error) o.out(`    error [${r.error.code}]: ${r.error.message}`);
      for (const f of r.findings) o.out(`    ${f.severity} [${f.code}]: ${f.message}`);
      if (r.jwks) {
        o.out(
          r.jwks.reachable
            ? `    jwks: ${r.jwks.uri}: ${r.jwks.usable}/${r.jwks.keys} usable keys${r.jwks.algorithms.length ? ` (${r.jwks.algorithms.join(', ')})` : ''}`
            : `    jwks: ${r.jwks.uri}: unreachable [${r.jwks.error}]`,
        );
      }
    }
  }
  if (o.format !== 'json') {
    for (const d of downstream) {
      o.out(
        d.advertised
          ? `✓ downstream ${d.name}: ${d.issuer} advertises ${d.grant}`
          : `! downstream ${d.name}: ${d.issuer} ${d.advertised === null ? 'lists no grant_types_supported' : 'does not list'} ${d.grant}${d.advertised === null ? '' : ' in grant_types_supported'}`,
      );
    }
  }
  return ok ? 0 : 1;
}
