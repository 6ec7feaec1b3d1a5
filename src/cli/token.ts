/**
 * `mcp-auth token`: why would this token be refused? Reads one access token from stdin (never
 * from the command line, which lands in shell history), decodes it and runs the resource's
 * policy checks offline; `--verify` also checks the signature against the issuer's real keys.
 * Prints claims, never the token or its signature.
 * @module
 */
import { ERROR_DESCRIPTIONS } from '../verify/challenge.js';
import { resourceAudiences } from '../verify/audiences.js';
import { assertBearerClaims, assertTimeClaims, canonicalAudience } from '../verify/claims.js';
import { assertHeader, decodeJws } from '../verify/jwt.js';
import { readScopes, expandScopes } from '../verify/scopes.js';
import { TokenError } from '../errors.js';
import { configuredIssuer } from '../discovery/resolve.js';
import { loadForCommand } from './load-for-command.js';
import type { CommandOptions, ExitCode } from './main.js';

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .trim()
    .replace(/^Bearer\s+/i, '');
}

function run(name: string, check: () => string): Check {
  try {
    return { name, ok: true, detail: check() };
  } catch (err) {
    if (!(err instanceof TokenError)) throw err;
    return { name, ok: false, detail: `${err.reason}: ${ERROR_DESCRIPTIONS[err.reason]}` };
  }
}

/** `mcp-auth token [path] [--resource URL] [--verify]`, token on stdin. */
export async function tokenCommand(
  o: CommandOptions & { resource?: string | undefined; verify?: boolean },
): Promise<ExitCode> {
  const manifest = await loadForCommand(o);
  if (typeof manifest === 'number') return manifest;
  const entry = o.resource
    ? manifest.resources.find((r) => r.resource === o.resource)
    : manifest.resources.length === 1
      ? manifest.resources[0]
      : undefined;
  if (!entry) {
    o.err(`mcp-auth token: give --resource, one of: ${manifest.resources.map((r) => r.resource).join(', ')}`);
    return 2;
  }
  const token = await readStdin();
  if (!token) {
    o.err('mcp-auth token: pipe the access token on stdin, e.g. `pbpaste | npx mcp-auth token`');
    return 2;
  }

  let decoded: ReturnType<typeof decodeJws> | undefined;
  const checks: Check[] = [
    run('compact JWT', () => ((decoded = decodeJws(token)), 'three base64url segments, JSON')),
  ];
  if (decoded) {
    const { header, payload } = decoded;
    const policy = entry.token;
    const issuers = entry.authorizationServers.map((id) => ({
      id,
      issuer: configuredIssuer(manifest.issuers[id]!),
    }));
    const audiences = new Set(resourceAudiences(entry).map(canonicalAudience));
    checks.push(
      run(
        'header',
        () => (
          assertHeader(header, policy),
          `alg ${String(header.alg)}, typ ${String(header.typ ?? '(none)')}`
        ),
      ),
      run('issuer', () => {
        const match = issuers.find((i) => i.issuer !== undefined && i.issuer === payload.iss);
        if (!match) throw new TokenError('invalid_token', 'unknown_issuer');
        return `"${match.id}" (${match.issuer})`;
      }),
      run(
        'time',
        () => (
          assertTimeClaims(payload, policy.clockTolerance, true),
          `exp ${new Date(Number(payload.exp) * 1000).toISOString()}`
        ),
      ),
      run(
        'audience and binding',
        () => (assertBearerClaims(payload, audiences), `aud names ${entry.resource}`),
      ),
      run('scopes', () => {
        const have = new Set(expandScopes(readScopes(payload, policy.scopeClaims), entry.scopeHierarchy));
        const missing = policy.requiredScopes.filter((s) => !have.has(s));
        if (missing.length) throw new TokenError('insufficient_scope', 'scope');
        return [...have].join(' ') || '(none)';
      }),
    );
  }
  if (o.verify) {
    const { compile } = await import('../runtime/compile.js');
    const auth = await compile(manifest);
    try {
      // The token checks alone: scopes are the offline check's (and per-tool ones need a request).
      const verifier = auth.resources.find((r) => r.resource === entry.resource)!.verifier;
      const info = await verifier.verifyAccessToken(token);
      checks.push({
        name: 'signature (--verify)',
        ok: true,
        detail: `verified; subject ${info.subject ?? '(none)'}`,
      });
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
      checks.push({
        name: 'signature (--verify)',
        ok: false,
        detail: `${err.reason}: ${ERROR_DESCRIPTIONS[err.reason]}`,
      });
    } finally {
      await auth.close();
    }
  }
  const ok = checks.every((c) => c.ok);
  if (o.format === 'json') {
    o.out(
      JSON.stringify({ ok, resource: entry.resource, checks, claims: decoded?.payload ?? null }, null, 2),
    );
  } else {
    o.out(`token for ${entry.resource}`);
    for (const c of checks) o.out(`  ${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
    if (!o.verify) o.out('  · signature: not checked offline (add --verify to fetch the issuer keys)');
  }
  return ok ? 0 : 1;
}
