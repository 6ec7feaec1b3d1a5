/**
 * `mcp-auth serve` as an operator runs it: a manifest file, one process, SIGTERM to stop. A
 * request in flight when SIGTERM arrives is answered, then the process exits 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIssuer, type FakeIssuer } from '../support/issuer.js';
import { claims, makeKey, signToken, type SigningKey } from '../support/tokens.js';
import { closedPort } from '../support/servers.js';
import { gatewayManifest, rpc, startPythonUpstream, type ChildUpstream } from './support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function runCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', `${ROOT}src/cli/bin.ts`, ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (stderr.includes(text) ? resolve() : undefined);
      child.stderr.on('data', check);
      void exited.then(() => reject(new Error(`exited before "${text}": ${stderr}`)));
      check();
    });
  return { child, exited, waitFor, stdout: () => stdout, stderr: () => stderr };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}

describe('mcp-auth serve', () => {
  let upstream: ChildUpstream;
  let issuer: FakeIssuer;
  let key: SigningKey;
  const dir = mkdtempSync(join(tmpdir(), 'mcp-auth-serve-'));

  beforeAll(async () => {
    upstream = await startPythonUpstream();
    key = makeKey('ES256');
    issuer = await startFakeIssuer([key]);
  });
  afterAll(async () => {
    await upstream?.stop();
    await issuer?.server.close();
  });

  it('finishes the request in flight on SIGTERM, logs it as JSON, and exits 0', async () => {
    const port = await closedPort();
    const resource = `http://127.0.0.1:${port}/mcp`;
    const manifest = join(dir, 'mcp-auth.config.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        issuers: { main: { issuer: issuer.issuer, type: 'oauth' } },
        resources: [
          { resource, authorizationServers: ['main'], upstream: { url: `${upstream.origin}/slow` } },
        ],
      }),
    );
    const cli = runCli(['serve', manifest, '--port', String(port)]);
    await cli.waitFor('listening on');
    const token = signToken(key, claims(issuer.issuer, resource));
    const before = upstream.seen.length;
    const inFlight = rpc(
      resource,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { authorization: `Bearer ${token}` },
    );
    await until(() => upstream.seen.length > before); // the upstream holds it (2 s) now
    cli.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 1, result: { tools: [{ name: 'headers' }] } });
    expect(await cli.exited).toBe(0);
    const lines = cli
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ method: 'POST', resource, status: 200, upstreamStatus: 200 }),
    ]);
    expect(cli.stdout()).not.toContain(token);
  }, 20_000);

  it('--watch and SIGHUP: a broken manifest is logged at file:line:column and the last good one serves; a valid one applies', async () => {
    const port = await closedPort();
    const resource = `http://127.0.0.1:${port}/mcp`;
    const manifest = join(dir, 'watched.json');
    const write = (extra: Record<string, unknown>) =>
      writeFileSync(
        manifest,
        JSON.stringify(gatewayManifest(issuer.issuer, resource, `${upstream.origin}/mcp`, extra), null, 2),
      );
    write({});
    const cli = runCli(['serve', manifest, '--port', String(port), '--watch']);
    await cli.waitFor('watching');
    const bearer = `Bearer ${signToken(key, claims(issuer.issuer, resource, { scope: 'read' }))}`;
    const list = () =>
      rpc(resource, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: bearer });
    try {
      expect((await list()).status).toBe(200);
      write({ tokenn: { requiredScopes: ['admin'] } });
      await cli.waitFor('reload failed (file changed)');
      await until(() => /watched\.json:\d+:\d+ error .*\[unknown_key\]/.test(cli.stderr()));
      expect((await list()).status).toBe(200);

      write({ token: { requiredScopes: ['admin'] } });
      await cli.waitFor('reloaded');
      expect((await list()).status).toBe(403);

      cli.child.kill('SIGHUP');
      await cli.waitFor('(SIGHUP)');
      expect((await list()).status).toBe(403);
    } finally {
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    }
    expect(cli.stderr()).not.toContain(bearer.slice(7));
  }, 30_000);

  it('refuses a manifest with a resource that has no upstream (exit 1, the issue named)', async () => {
    const manifest = join(dir, 'no-upstream.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        issuers: { main: { issuer: issuer.issuer, type: 'oauth' } },
        resources: [{ resource: 'http://127.0.0.1:1/mcp', authorizationServers: ['main'] }],
      }),
    );
    const cli = runCli(['serve', manifest, '--port', '0']);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain('upstream_missing');
  }, 20_000);
});
