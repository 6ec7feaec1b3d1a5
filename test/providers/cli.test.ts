/**
 * The CLI on preset manifests: `validate --format json` and `routes --format json` show what each
 * preset became; `check` lists each preset's readiness findings by stable code, and the PKCE that
 * Entra and Cognito accept without advertising it no longer fails the readiness check.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startProvider } from './support.js';

const POOL = 'us-east-1_4OqDoWVrZ';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t: string) => out.push(t), err: (t: string) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function manifestFile(origin: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-presets-'));
  const file = join(dir, 'mcp-auth.config.json');
  await writeFile(
    file,
    JSON.stringify({
      issuers: {
        pool: {
          issuer: `${origin}/${POOL}`,
          preset: {
            name: 'cognito',
            region: 'us-east-1',
            userPoolId: POOL,
            clientIds: ['3n4b5urk1ft4fl3mg5e62d9ado'],
          },
        },
      },
      resources: [{ resource: 'http://127.0.0.1:3999/mcp', authorizationServers: ['pool'] }],
    }),
  );
  return file;
}

describe('mcp-auth on preset manifests', () => {
  it('validate --format json shows the expansion, with the explicit issuer kept', async () => {
    const provider = await startProvider(
      'aws-cognito-user-pool.json',
      () => `/${POOL}/.well-known/openid-configuration`,
    );
    const { code, out } = await run(['validate', await manifestFile(provider.origin), '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as {
      presets: Record<
        string,
        { issuer: Record<string, unknown>; resources: { token: Record<string, unknown> }[] }
      >;
    };
    expect(report.presets.pool!.issuer).toMatchObject({
      issuer: `${provider.origin}/${POOL}`,
      type: 'oidc',
      requireClaims: { token_use: 'access' },
    });
    expect(report.presets.pool!.resources[0]!.token).toEqual({
      format: 'jwt',
      requireAudience: false,
      scopeClaims: ['scope'],
      clientIdClaim: 'client_id',
      allowedClientIds: ['3n4b5urk1ft4fl3mg5e62d9ado'],
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'],
    });
  });

  it('routes --format json shows the expansion too', async () => {
    const provider = await startProvider(
      'aws-cognito-user-pool.json',
      () => `/${POOL}/.well-known/openid-configuration`,
    );
    const { code, out } = await run(['routes', await manifestFile(provider.origin), '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { presets: Record<string, { preset: { name: string } }> };
    expect(report.presets.pool!.preset.name).toBe('cognito');
  });

  it('check lists the preset readiness codes; the patched PKCE is not reported missing', async () => {
    const provider = await startProvider(
      'aws-cognito-user-pool.json',
      () => `/${POOL}/.well-known/openid-configuration`,
    );
    const { out } = await run(['check', await manifestFile(provider.origin), '--format', 'json']);
    const report = JSON.parse(out) as { issuers: { findings: { code: string }[] }[] };
    const codes = report.issuers[0]!.findings.map((f) => f.code);
    expect(codes).toEqual(
      expect.arrayContaining(['no_dynamic_registration', 'pkce_patched', 'cognito_no_audience']),
    );
    expect(codes).not.toContain('pkce_not_advertised');
  });
});
