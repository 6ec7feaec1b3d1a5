/**
 * `mcp-auth token`: a real token from the real oidc-provider, piped on stdin to the built CLI,
 * checked offline and with --verify against the issuer's real keys.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIssuer, type DevIssuer } from '../../examples/support/dev-issuer.js';

const BIN = new URL('../../dist/cli/bin.js', import.meta.url).pathname;
const RESOURCE = 'http://127.0.0.1:3999/mcp';

describe('mcp-auth token', () => {
  let issuer: DevIssuer;
  let manifest: string;

  beforeAll(async () => {
    issuer = await startDevIssuer({ resources: { [RESOURCE]: { scopes: ['read', 'write'] } } });
    issuer.addResource('http://127.0.0.1:3999/other', ['read']);
    manifest = join(await mkdtemp(join(tmpdir(), 'mcp-auth-token-')), 'mcp-auth.config.json');
    await writeFile(
      manifest,
      JSON.stringify({
        issuers: { dev: { issuer: issuer.issuer } },
        resources: [
          { resource: RESOURCE, authorizationServers: ['dev'], token: { requiredScopes: ['read'] } },
        ],
      }),
    );
  });
  afterAll(async () => {
    await issuer?.close();
  });

  // spawnSync would block the event loop that serves the issuer: run the CLI asynchronously.
  async function cli(args: string[], input: string) {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, 'token', manifest, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdin.end(input);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stdout, stderr };
  }

  it('passes every check for a good token, offline and with --verify, and never prints the token', async () => {
    const token = await issuer.clientCredentialsToken({ resource: RESOURCE, scope: 'read' });
    const offline = await cli([], `Bearer ${token}\n`);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain(`✓ issuer: "dev" (${issuer.issuer})`);
    expect(offline.stdout).toContain('signature: not checked offline');
    const verified = await cli(['--verify', '--format', 'json'], token);
    expect(verified.code).toBe(0);
    const report = JSON.parse(verified.stdout) as {
      ok: boolean;
      checks: Array<{ name: string; ok: boolean }>;
    };
    expect(report.checks.map((c) => [c.name, c.ok])).toContainEqual(['signature (--verify)', true]);
    for (const out of [offline.stdout, verified.stdout]) expect(out).not.toContain(token.split('.')[2]!);
  });

  it('names the failing check for a token minted for another resource', async () => {
    const token = await issuer.clientCredentialsToken({
      resource: 'http://127.0.0.1:3999/other',
      scope: 'read',
    });
    const { code, stdout } = await cli([], token);
    expect(code).toBe(1);
    expect(stdout).toContain(
      '✗ audience and binding: audience: The access token is not intended for this resource',
    );
  });

  it('exits 2 without a token on stdin', () => {
    const { status, stderr } = spawnSync(process.execPath, [BIN, 'token', manifest], {
      input: '',
      encoding: 'utf8',
    });
    expect(status).toBe(2);
    expect(stderr).toContain('pipe the access token on stdin');
  });
});
