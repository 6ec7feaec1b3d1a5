/**
 * `mcp-auth check` resolves every issuer for real (here the real oidc-provider and a closed
 * port) and `mcp-auth routes` prints the mounted routes with their documents.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIssuer, type DevIssuer } from '../../examples/support/dev-issuer.js';
import { main } from '../../src/cli/main.js';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t: string) => out.push(t), err: (t: string) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('mcp-auth check and routes', () => {
  let issuer: DevIssuer;
  let dir: string;
  const resource = 'http://127.0.0.1:3999/mcp';

  beforeAll(async () => {
    issuer = await startDevIssuer({ resources: { [resource]: { scopes: ['read'] } } });
    dir = await mkdtemp(join(tmpdir(), 'mcp-auth-check-'));
  });
  afterAll(async () => {
    await issuer?.close();
  });

  async function manifest(name: string, issuers: Record<string, unknown>): Promise<string> {
    const file = join(dir, name);
    await writeFile(
      file,
      JSON.stringify({ issuers, resources: [{ resource, authorizationServers: Object.keys(issuers) }] }),
    );
    return file;
  }

  it('reports the answering URL, readiness and JWKS of a real issuer, exit 0', async () => {
    const file = await manifest('ok.json', { dev: { issuer: issuer.issuer } });
    const { code, out } = await run(['check', file, '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { ok: boolean; issuers: Array<Record<string, unknown>> };
    expect(report.ok).toBe(true);
    expect(report.issuers[0]).toMatchObject({
      id: 'dev',
      ok: true,
      issuer: issuer.issuer,
      source: `${issuer.issuer}/.well-known/oauth-authorization-server`,
      jwks: { reachable: true, usable: 1, algorithms: ['RS256'] },
    });
  });

  it('exits 1 and names the failure when an issuer cannot be reached', async () => {
    const file = await manifest('down.json', { down: { issuer: 'http://127.0.0.1:9' } });
    const { code, out } = await run(['check', file]);
    expect(code).toBe(1);
    expect(out).toContain('✗ down');
    expect(out).toContain('[network]');
  });

  it('prints every metadata route and its document without fetching anything', async () => {
    const file = await manifest('routes.json', {
      m: {
        metadata: {
          issuer: 'https://as.example',
          authorizationEndpoint: 'https://as.example/a',
          tokenEndpoint: 'https://as.example/t',
        },
      },
    });
    const { code, out } = await run(['routes', file, '--format', 'json']);
    expect(code).toBe(0);
    const routes = JSON.parse(out) as { metadata: Array<{ url: string; document: unknown }> };
    expect(routes.metadata.map((r) => r.url)).toEqual([
      'http://127.0.0.1:3999/.well-known/oauth-protected-resource/mcp',
      'http://127.0.0.1:3999/.well-known/oauth-protected-resource',
    ]);
    expect(routes.metadata[0]!.document).toEqual({
      resource,
      authorization_servers: ['https://as.example'],
      bearer_methods_supported: ['header'],
    });
  });
});
