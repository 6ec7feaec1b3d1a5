/**
 * Bundlers (issue 18 item 4): the fetch entry bundles for a Web-API host (`platform: 'neutral'`)
 * with no file loader, undici, cosmiconfig, typescript, node: module or global `Buffer` in it (item
 * 8), and an example server bundles for Node (`platform: 'node'`) and runs: a regression to an
 * import a bundler cannot handle, or one that drags the loader back in, fails here.
 */
import { spawn } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, edgeSetup, ROOT, type EdgeSetup } from './support.js';

/** Resolves `mcp-auth-config[/sub]` to the sources the package's exports are built from. */
const selfFromSource: Plugin = {
  name: 'mcp-auth-config-from-src',
  setup(b) {
    b.onResolve({ filter: /^mcp-auth-config(\/.*)?$/ }, async (args) => {
      const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
        exports: Record<string, { default: string }>;
      };
      const key = `.${args.path.slice('mcp-auth-config'.length)}`;
      const target = pkg.exports[key]?.default;
      if (!target) return { errors: [{ text: `no export ${key}` }] };
      return { path: join(ROOT, target.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')) };
    });
  },
};

/** The packages a bundle's modules come from. */
function packagesOf(inputs: Record<string, unknown>): string[] {
  const names = Object.keys(inputs).flatMap((file) => {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    return m ? [m[1]!] : [];
  });
  return [...new Set(names)].sort();
}

describe('bundling the fetch entry for a Web-API host', () => {
  it('compile(object) + the fetch adapter bundle with platform neutral: no loader, undici, cosmiconfig, typescript or node: module', async () => {
    const out = await bundle(join(ROOT, 'src/adapters/fetch.ts'));
    try {
      const packages = packagesOf(out.metafile.inputs);
      for (const name of ['cosmiconfig', 'typescript', 'undici', 'jiti', 'yaml'])
        expect(packages).not.toContain(name);
      expect(Object.keys(out.metafile.inputs)).not.toContain('src/manifest/load.ts');
      expect(out.text).not.toContain('node:sqlite');
      // Not one node: specifier a bundler would have to resolve (statically or in import()).
      expect(out.text).not.toMatch(/(?:from\s*|import\s*\(\s*|require\s*\(\s*)["']node:/);
    } finally {
      await out.remove();
    }
  });

  it('the fetch bundle references no global Buffer (workerd without nodejs_compat has none)', async () => {
    // esbuild replaces only free references to the global (not strings, properties such as the
    // guarded `globalThis.Buffer`, or locals named Buffer), so every one left is a marker here.
    const marker = '__bare_global_Buffer__';
    const out = await bundle(join(ROOT, 'src/adapters/fetch.ts'), { define: { Buffer: marker } });
    try {
      const uses = out.text.split('\n').filter((line) => line.includes(marker));
      expect(uses).toEqual([]);
    } finally {
      await out.remove();
    }
  });
});

describe('bundling an example server for Node', () => {
  let setup: EdgeSetup;
  beforeAll(async () => {
    setup = await edgeSetup();
  });
  afterAll(() => setup?.close());

  it('examples/node-http.ts bundles with platform node (no node:sqlite) and serves PRM, 401 and 200 from the bundle', async () => {
    const out = await bundle(
      join(ROOT, 'examples/node-http.ts'),
      {
        platform: 'node',
        mainFields: ['module', 'main'],
        plugins: [selfFromSource],
        // The MCP SDK stays a package the server resolves at run time (bundled whole, its own zod
        // copies fail to initialise under esbuild); this library and its dependencies are bundled.
        external: ['@modelcontextprotocol/sdk', '@modelcontextprotocol/sdk/*'],
        banner: {
          js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        },
      },
      join(ROOT, 'node_modules/.cache'),
    );
    try {
      // rspack fails on a node:sqlite it has to load (undici's cache store); a name in a list is fine.
      expect(out.text).not.toMatch(/(?:from\s*|import\s*\(\s*|require\s*\(\s*)["']node:sqlite/);
      expect(packagesOf(out.metafile.inputs)).not.toContain('undici');
      // The example reads ../mcp-auth.config.json next to the bundle's folder.
      await copyFile(join(ROOT, 'examples/mcp-auth.config.json'), join(out.dir, 'mcp-auth.config.json'));
      const child = spawn(process.execPath, [out.file], {
        env: { ...process.env, PORT: '0', ISSUER_URL: setup.as.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      try {
        const base = await new Promise<string>((resolve, reject) => {
          let text = '';
          const timer = setTimeout(
            () => reject(new Error(`no start line; stderr: ${stderr.slice(0, 800)}`)),
            20_000,
          );
          child.stdout.on('data', (c: Buffer) => {
            text += c.toString();
            const m = /MCP server on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
            if (m) {
              clearTimeout(timer);
              resolve(m[1]!);
            }
          });
          child.on('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`exited ${code}; stderr: ${stderr.slice(0, 800)}`));
          });
        });
        const prm = await fetch(`${base}/.well-known/oauth-protected-resource/mcp`);
        expect(prm.status).toBe(200);
        expect(await prm.json()).toMatchObject({
          resource: `${base}/mcp`,
          authorization_servers: [setup.as.url],
        });
        const init = JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 't', version: '1' },
          },
        });
        const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
        const missing = await fetch(`${base}/mcp`, { method: 'POST', headers, body: init });
        expect(missing.status).toBe(401);
        expect(missing.headers.get('www-authenticate')).toContain('resource_metadata=');
        const token = setup.loopbackToken(`${base}/mcp`, 'read:notes');
        const ok = await fetch(`${base}/mcp`, {
          method: 'POST',
          headers: { ...headers, authorization: `Bearer ${token}` },
          body: init,
        });
        expect(ok.status).toBe(200);
        await ok.arrayBuffer();
      } finally {
        child.kill('SIGTERM');
      }
    } finally {
      await out.remove();
    }
  });
});
