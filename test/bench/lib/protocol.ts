/** What the parent tells a bench server (as JSON in the `BENCH_CONFIG` environment variable). */
import type { JWK } from 'jose';

/** `noop`: an empty async preHandler (Fastify), to show what any async hook costs by itself. */
export type ServerMode = 'plain' | 'noop' | 'ours' | 'jose';

export interface ServerConfig {
  readonly mode: ServerMode;
  readonly issuer: string;
  readonly resource: string;
  readonly keys: readonly JWK[];
  /** `settings.cache.maxEntries` for `ours` (default 10 000). */
  readonly cacheEntries?: number;
}

/** What `GET /__stats` answers. */
export interface ServerStats {
  /** process.cpuUsage() user + system, µs. */
  readonly cpuUs: number;
  readonly rss: number;
  /** Peak RSS (process.resourceUsage().maxRSS), bytes. */
  readonly maxRss: number;
  readonly heapUsed: number;
  /** Entries in the verified-token cache (ours only). */
  readonly cacheSize?: number | undefined;
}

/** The JSON-RPC request every case POSTs to /mcp. */
export const MCP_BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });

export const STATS_PATH = '/__stats';
