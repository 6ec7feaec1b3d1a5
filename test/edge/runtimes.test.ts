/**
 * The fetch adapter and `compile(manifestObject)` on real Web-API runtimes from the npm registry:
 * Bun (`bun`), Deno (`deno`) and Cloudflare's workerd (through `miniflare`). Each serves an esbuild
 * bundle (`platform: 'neutral'`) of test/fixtures/edge on 127.0.0.1 and passes the same checks;
 * the platform arguments (Workers' env and ctx, Bun's server, Deno's info) reach the handler, and
 * outbound fetches take the Web `fetch` path: discovery, the JWKS (ES256 and RS256 keys) and
 * RFC 7662 introspection with `client_secret_basic` at a loopback node:http server. A runtime that cannot run here is reported (and
 * fails under CI), never skipped silently.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  bundle,
  edgeSetup,
  expectProtected,
  FIXTURES,
  itOnRuntime,
  type Bundle,
  type EdgeSetup,
} from './support.js';

let setup: EdgeSetup;
beforeAll(async () => {
  setup = await edgeSetup();
});
afterAll(() => setup?.close());

/** Starts `bin args`, resolves with the port it prints as `READY <port>`. */
async function serve(
  bin: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ port: number; child: ChildProcess; stderr: () => string }> {
  const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`no READY line within 20 s; stderr: ${stderr.slice(0, 500)}`)),
      20_000,
    );
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before READY; stderr: ${stderr.slice(0, 800)}`));
    });
  });
  return { port, child, stderr: () => stderr };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('Bun', () => {
  itOnRuntime('bun')(
    'serves PRM, challenges, verifies ES256 and RS256 from a discovered loopback issuer and introspects its opaque tokens with Basic credentials, all through Web fetch; the server reaches the handler',
    async (bin) => {
      const out: Bundle = await bundle(join(FIXTURES, 'serve-bun.ts'));
      const running = await serve(bin, [out.file], {
        MANIFEST: JSON.stringify(setup.manifest),
        ENV: JSON.stringify(setup.env),
      });
      try {
        const { reached, runtime } = await expectProtected(`http://127.0.0.1:${running.port}`, setup, {
          discovery: true,
        });
        expect(reached.platform).toEqual([
          { marker: 'undefined', waitUntil: 'undefined', requestIP: 'function', remoteAddr: 'undefined' },
        ]);
        expect(runtime.transport).toBe('web');
      } finally {
        await stop(running.child);
        await out.remove();
      }
    },
    60_000,
  );
});

describe('Deno', () => {
  itOnRuntime('deno')(
    'serves PRM, challenges, verifies ES256 and RS256 from a discovered loopback issuer and introspects its opaque tokens with Basic credentials, all through Web fetch; the info reaches the handler',
    async (bin) => {
      const out = await bundle(join(FIXTURES, 'serve-deno.ts'));
      const running = await serve(
        bin,
        [
          'run',
          '--no-prompt',
          '--allow-net=127.0.0.1',
          out.file,
          JSON.stringify(setup.manifest),
          JSON.stringify(setup.env),
        ],
        { DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(out.dir, 'deno') },
      );
      try {
        const { reached, runtime } = await expectProtected(`http://127.0.0.1:${running.port}`, setup, {
          discovery: true,
        });
        expect(reached.platform).toEqual([
          { marker: 'undefined', waitUntil: 'undefined', requestIP: 'undefined', remoteAddr: 'object' },
        ]);
        expect(runtime.transport).toBe('web');
      } finally {
        await stop(running.child);
        await out.remove();
      }
    },
    60_000,
  );
});

describe('workerd (miniflare)', () => {
  itOnRuntime('workerd')(
    'serves PRM, challenges, verifies ES256 and RS256 from a discovered loopback issuer and introspects its opaque tokens with Basic credentials, with no Node APIs; env and ctx reach the handler',
    async () => {
      const out = await bundle(join(FIXTURES, 'worker.ts'));
      const { Miniflare } = await import('miniflare');
      // No nodejs_compat flag: the bundle runs on Web APIs alone (no Buffer, no node: modules).
      const mf = new Miniflare({
        // Listed, not discovered: miniflare refuses to walk the non-literal import() specifiers
        // (undici's, the Redis client's) that keep those packages out of the bundle.
        modulesRoot: out.dir,
        modules: [{ type: 'ESModule', path: out.file, contents: out.text }],
        compatibilityDate: '2025-01-01',
        host: '127.0.0.1',
        port: 0,
        bindings: {
          MANIFEST: JSON.stringify(setup.manifest),
          ENV: JSON.stringify(setup.env),
          MARKER: 'from-env',
        },
      });
      try {
        const url = await mf.ready;
        const { reached, runtime } = await expectProtected(url.origin, setup, { discovery: true });
        expect(reached.platform).toEqual([
          { marker: 'from-env', waitUntil: 'undefined', requestIP: 'undefined', remoteAddr: 'undefined' },
          { marker: 'undefined', waitUntil: 'function', requestIP: 'undefined', remoteAddr: 'undefined' },
        ]);
        expect(runtime).toEqual({ transport: 'web', buffer: 'undefined' });
      } finally {
        await mf.dispose();
        await out.remove();
      }
    },
    60_000,
  );
});
