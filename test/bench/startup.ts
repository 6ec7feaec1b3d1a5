/**
 * Start-up figures: `mcp-auth validate` wall time against `node -e 0`, and `compile()` with 1 and
 * with 50 issuers discovered from local HTTP servers that answer after a fixed delay. Run alone
 * with `npx tsx test/bench/startup.ts [--quick]`, or as part of `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ManifestInput } from '../../src/manifest/schema.js';
import { compile } from '../../src/runtime/compile.js';
import { ROOT, buildPackage, median } from './lib/harness.js';

export interface StartupFigures {
  readonly runs: number;
  readonly nodeMs: number;
  readonly validateMs: number;
  readonly compileRuns: number;
  readonly delayMs: number;
  readonly compile1Ms: number;
  readonly compileManyMs: number;
  readonly compileOfflineMs: number;
}

function wallMs(args: readonly string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - start;
  if (result.status !== 0) {
    throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr.toString()}`);
  }
  return ms;
}

/** Median wall times of `node dist/cli/bin.js validate <example>` and `node -e 0`, interleaved. */
export function measureValidate(runs: number): { nodeMs: number; validateMs: number } {
  const bin = join(ROOT, 'dist/cli/bin.js');
  buildPackage();
  const validate = [bin, 'validate', 'mcp-auth.config.example.json'];
  wallMs(['-e', '0']);
  wallMs(validate);
  const node: number[] = [];
  const cli: number[] = [];
  for (let i = 0; i < runs; i++) {
    node.push(wallMs(['-e', '0']));
    cli.push(wallMs(validate));
  }
  return { nodeMs: median(node), validateMs: median(cli) };
}

/** Local authorization servers that answer RFC 8414 discovery after `delayMs`. */
async function delayedIssuers(
  count: number,
  delayMs: number,
): Promise<{ urls: string[]; close(): Promise<void> }> {
  const servers: Server[] = [];
  const urls: string[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer((req, res) => {
      const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      setTimeout(() => {
        if (req.url === '/.well-known/oauth-authorization-server') {
          const body = JSON.stringify({
            issuer,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
            response_types_supported: ['code'],
            code_challenge_methods_supported: ['S256'],
          });
          res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        } else res.writeHead(404).end();
      }, delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
  return {
    urls,
    close: async () => {
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}

function discoveryManifest(urls: readonly string[]): ManifestInput {
  const issuers = Object.fromEntries(urls.map((issuer, i) => [`as${i}`, { issuer, type: 'oauth' as const }]));
  return {
    issuers,
    resources: [{ resource: 'http://127.0.0.1/mcp', authorizationServers: Object.keys(issuers) }],
  };
}

/** How many slow issuers the second compile figure discovers (issue 17: 50). */
export const MANY_ISSUERS = 50;

async function timeCompile(manifest: ManifestInput): Promise<number> {
  const start = performance.now();
  const auth = await compile(manifest);
  const ms = performance.now() - start;
  await auth.close();
  return ms;
}

/** Median `compile()` time with 1 and with {@link MANY_ISSUERS} delayed issuers (and an offline manifest for reference). */
export async function measureCompile(
  runs: number,
  delayMs: number,
): Promise<{ compile1Ms: number; compileManyMs: number; compileOfflineMs: number }> {
  const servers = await delayedIssuers(MANY_ISSUERS, delayMs);
  try {
    const one = discoveryManifest(servers.urls.slice(0, 1));
    const eight = discoveryManifest(servers.urls);
    const offline: ManifestInput = {
      issuers: {
        local: {
          metadata: {
            issuer: 'https://as.example',
            authorizationEndpoint: 'https://as.example/a',
            tokenEndpoint: 'https://as.example/t',
            responseTypesSupported: ['code'],
          },
          jwks: { keys: [] },
        },
      },
      resources: [{ resource: 'http://127.0.0.1/mcp', authorizationServers: ['local'] }],
    };
    await timeCompile(one); // warm the module graph and the JIT
    await timeCompile(eight);
    const t1: number[] = [];
    const t8: number[] = [];
    const t0: number[] = [];
    for (let i = 0; i < runs; i++) {
      t1.push(await timeCompile(one));
      t8.push(await timeCompile(eight));
      t0.push(await timeCompile(offline));
    }
    return { compile1Ms: median(t1), compileManyMs: median(t8), compileOfflineMs: median(t0) };
  } finally {
    await servers.close();
  }
}

export async function measureStartup(quick: boolean): Promise<StartupFigures> {
  const runs = quick ? 5 : 11;
  const compileRuns = quick ? 3 : 7;
  const delayMs = 200;
  const validate = measureValidate(runs);
  const compiled = await measureCompile(compileRuns, delayMs);
  return { runs, compileRuns, delayMs, ...validate, ...compiled };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await measureStartup(process.argv.includes('--quick'));
  console.log(figures);
}
