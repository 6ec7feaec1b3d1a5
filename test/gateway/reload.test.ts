/**
 * Reloading the gateway's manifest (the swap behind `--watch` and SIGHUP): a broken manifest
 * keeps the last good runtime serving, a stream open across a reload survives, a valid change
 * applies to the next request.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.js';
import { compileManifestFile } from '../../src/gateway/compile-manifest-file.js';
import { serveGateway, type Gateway } from '../../src/gateway/serve.js';
import { startFakeIssuer, type FakeIssuer } from '../support/issuer.js';
import { claims, makeKey, signToken, type SigningKey } from '../support/tokens.js';
import { closedPort, startServer, type TestServer } from '../support/servers.js';
import { gatewayManifest, rpc } from './support.js';

const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list' };

describe('gateway reload', () => {
  let issuer: FakeIssuer;
  let key: SigningKey;
  let upstream: TestServer;
  /** Resolves the open SSE response's second event. */
  let releaseStream: (() => void) | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'mcp-auth-reload-'));
  const file = join(dir, 'mcp-auth.config.json');
  let gateway: Gateway | undefined;
  let resource: string;

  function manifest(resourceExtra: Record<string, unknown> = {}): string {
    return JSON.stringify(
      gatewayManifest(issuer.issuer, resource, `${upstream.origin}/mcp`, resourceExtra),
      null,
      2,
    );
  }
  const token = (scope = 'read') => signToken(key, claims(issuer.issuer, resource, { scope }));

  beforeAll(async () => {
    key = makeKey('ES256');
    issuer = await startFakeIssuer([key]);
    upstream = await startServer((req, res) => {
      if (req.url === '/mcp/sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        releaseStream = () => res.end('data: two\n\n');
        return;
      }
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { tools: [] } }));
      });
    });
  });
  afterEach(async () => {
    await gateway?.close(1000);
    gateway = undefined;
  });
  afterAll(async () => {
    await upstream?.close();
    await issuer?.server.close();
  });

  async function start(): Promise<Gateway> {
    const port = await closedPort();
    resource = `http://127.0.0.1:${port}/mcp`;
    writeFileSync(file, manifest());
    const load = () => compileManifestFile(file);
    gateway = await serveGateway({ auth: await load(), load, port, log: null });
    return gateway;
  }

  it('keeps the last good runtime when the new manifest is broken: every counted request is answered, issues are located', async () => {
    const gw = await start();
    const before = gw.current();
    const bearer = `Bearer ${await token()}`;
    const N = 30;
    const answers: Promise<number>[] = [];
    for (let i = 0; i < N; i++) {
      answers.push(rpc(`${gw.url}/mcp`, LIST, { authorization: bearer }).then((r) => r.status));
      if (i === 10) {
        // A misspelt key in place of upstream, and an unknown one.
        writeFileSync(
          file,
          manifest({ upstream: undefined, tokne: { requiredScopes: ['admin'] } }).replace(
            '"upstream"',
            '"upstreamm"',
          ),
        );
        answers.push(gw.reload().then((r) => (r.ok ? -1 : 0)));
      }
    }
    const statuses = await Promise.all(answers);
    expect(statuses.filter((s) => s === 200)).toHaveLength(N);
    expect(statuses).toContain(0); // the reload reported failure
    expect(gw.current()).toBe(before);

    const result = await gw.reload();
    expect(result.ok).toBe(false);
    const error = (result as { error: unknown }).error;
    expect(error).toBeInstanceOf(ManifestError);
    const issues = (error as ManifestError).issues.filter((i) => i.severity === 'error');
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      expect(issue.location).toMatchObject({ file, line: expect.any(Number), column: expect.any(Number) });
    }
    expect((error as ManifestError).format()).toMatch(/mcp-auth\.config\.json:\d+:\d+ error/);
    // And it still serves.
    const after = await rpc(`${gw.url}/mcp`, LIST, { authorization: bearer });
    expect(after.status).toBe(200);
  });

  it('keeps the last good runtime when a valid manifest lacks an upstream, with its location', async () => {
    const gw = await start();
    writeFileSync(file, manifest({ upstream: undefined }));
    const result = await gw.reload();
    expect(result.ok).toBe(false);
    const issue = ((result as { error: ManifestError }).error.issues ?? [])[0];
    expect(issue).toMatchObject({ code: 'upstream_missing', location: { file, line: 9, column: 5 } });
    const res = await rpc(`${gw.url}/mcp`, LIST, { authorization: `Bearer ${await token()}` });
    expect(res.status).toBe(200);
  });

  it('keeps the last good runtime when the new manifest names an issuer that cannot be resolved', async () => {
    const gw = await start();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    writeFileSync(file, manifest().replace(issuer.issuer, dead));
    const result = await gw.reload();
    expect(result.ok).toBe(false);
    expect((result as { error: { code?: string } }).error.code).toBeDefined();
    const res = await rpc(`${gw.url}/mcp`, LIST, { authorization: `Bearer ${await token()}` });
    expect(res.status).toBe(200);
  });

  it('applies a valid change to the next request: a new required scope', async () => {
    const gw = await start();
    const readOnly = `Bearer ${await token('read')}`;
    expect((await rpc(`${gw.url}/mcp`, LIST, { authorization: readOnly })).status).toBe(200);
    writeFileSync(file, manifest({ token: { requiredScopes: ['admin'] } }));
    expect(await gw.reload()).toEqual({ ok: true });
    const refused = await rpc(`${gw.url}/mcp`, LIST, { authorization: readOnly });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('scope="read admin"');
    const admin = `Bearer ${await token('read admin')}`;
    expect((await rpc(`${gw.url}/mcp`, LIST, { authorization: admin })).status).toBe(200);
  });

  it('keeps an SSE stream open across a reload, to its last event', async () => {
    const gw = await start();
    const bearer = `Bearer ${await token()}`;
    const url = new URL(`${gw.url}/mcp/sse`);
    let text = '';
    let gotFirst!: () => void;
    const firstEvent = new Promise<void>((resolve) => (gotFirst = resolve));
    const ended = new Promise<{ complete: boolean }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'GET',
          headers: { authorization: bearer, accept: 'text/event-stream' },
        },
        (res: IncomingMessage) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            if (text.includes('one')) gotFirst();
          });
          res.on('close', () => resolve({ complete: res.complete }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    await firstEvent;
    const old = gw.current();
    writeFileSync(file, manifest({ token: { requiredScopes: ['admin'] } }));
    expect(await gw.reload()).toEqual({ ok: true });
    expect(gw.current()).not.toBe(old);
    releaseStream!();
    expect(await ended).toEqual({ complete: true });
    expect(text).toBe('data: one\n\ndata: two\n\n');
    // The new runtime decides new requests.
    expect((await rpc(`${gw.url}/mcp`, LIST, { authorization: bearer })).status).toBe(403);
  });
});
