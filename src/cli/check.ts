import { DiscoveryError } from '../errors.js';
import { guardedFetch } from '../discovery/fetch.js';
import { resolveIssuer } from '../discovery/resolve.js';
import { isUsableVerificationKey } from '../verify/jwks.js';
import { loadForCommand } from './load.js';
import type { CommandOptions, ExitCode } from './main.js';

interface IssuerReport {
  id: string;
  ok: boolean;
  issuer?: string;
  source?: string;
  error?: { code: string; message: string };
  findings: { severity: string; code: string; message: string }[];
  jwks?: {
    uri: string;
    reachable: boolean;
    keys: number;
    usable: number;
    algorithms: string[];
    error?: string;
  };
}

/** `mcp-auth check`: resolves every issuer for real and reports MCP readiness and the JWKS. */
export async function checkCommand(o: CommandOptions): Promise<ExitCode> {
  const manifest = await loadForCommand(o);
  if (typeof manifest === 'number') return manifest;
  const limits = manifest.settings.fetch;
  const reports = await Promise.all(
    Object.entries(manifest.issuers).map(async ([id, entry]): Promise<IssuerReport> => {
      try {
        const resolved = await resolveIssuer(id, entry, limits);
        const report: IssuerReport = {
          id,
          ok: !resolved.findings.some((f) => f.severity === 'error'),
          issuer: resolved.issuer,
          source: resolved.source.url ?? 'manual metadata',
          findings: [...resolved.findings],
        };
        const uri = entry.jwks?.uri ?? resolved.metadata.jwks_uri;
        const inline = entry.jwks?.keys;
        if (inline) {
          report.jwks = {
            uri: 'inline',
            reachable: true,
            keys: inline.length,
            usable: inline.filter(isUsableVerificationKey).length,
            algorithms: [],
          };
        } else if (uri) {
          try {
            const { json } = await guardedFetch(uri, limits);
            const keys = Array.isArray(json?.keys) ? (json.keys as Record<string, unknown>[]) : [];
            const usable = keys.filter(isUsableVerificationKey);
            report.jwks = {
              uri,
              reachable: true,
              keys: keys.length,
              usable: usable.length,
              algorithms: [
                ...new Set(
                  usable.map((k) => (typeof k.alg === 'string' ? k.alg : `${String(k.kty)} (no alg)`)),
                ),
              ],
            };
            if (usable.length === 0) report.ok = false;
          } catch (err) {
            report.ok = false;
            report.jwks = {
              uri,
              reachable: false,
              keys: 0,
              usable: 0,
              algorithms: [],
              error: err instanceof DiscoveryError ? err.code : 'error',
            };
          }
        }
        return report;
      } catch (err) {
        if (!(err instanceof DiscoveryError)) throw err;
        return { id, ok: false, error: { code: err.code, message: err.message }, findings: [] };
      }
    }),
  );
  const ok = reports.every((r) => r.ok);
  if (o.format === 'json') {
    o.out(JSON.stringify({ ok, issuers: reports }, null, 2));
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
  return ok ? 0 : 1;
}
