/** Shared bits of the bench servers: config, the manifest, stats, start-up line and shutdown. */
import type { ManifestInput } from '../../../src/manifest/schema.js';
import type { McpAuth } from '../../../src/runtime/mcp-auth.js';
import type { ServerConfig, ServerStats } from '../lib/protocol.js';

export function readConfig(): ServerConfig {
  const raw = process.env.BENCH_CONFIG;
  if (!raw) throw new Error('BENCH_CONFIG is not set');
  return JSON.parse(raw) as ServerConfig;
}

/** The offline manifest: one issuer with inline keys, one resource. */
export function manifestFor(config: ServerConfig): ManifestInput {
  return {
    issuers: {
      bench: {
        metadata: {
          issuer: config.issuer,
          authorizationEndpoint: `${config.issuer}/authorize`,
          tokenEndpoint: `${config.issuer}/token`,
          responseTypesSupported: ['code'],
        },
        jwks: { keys: config.keys.map((k) => ({ ...k })) },
      },
    },
    resources: [
      {
        resource: config.resource,
        authorizationServers: ['bench'],
        token: { algorithms: ['ES256', 'RS256'] },
      },
    ],
    settings: { cache: { maxEntries: config.cacheEntries ?? 10_000, maxAgeSeconds: 600 } },
  };
}

export function stats(auth: McpAuth | undefined, gc: boolean): ServerStats {
  if (gc && typeof globalThis.gc === 'function') globalThis.gc();
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuUs: cpu.user + cpu.system,
    rss: mem.rss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    heapUsed: mem.heapUsed,
    cacheSize: auth?.resources[0]?.verifier.cacheSize,
  };
}

/** Prints the port for the parent and exits when told to, or when the parent goes away. */
export function announce(port: number, close: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    void close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}
