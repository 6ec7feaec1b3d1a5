/** What the parent tells a bench server (as JSON in the `BENCH_CONFIG` environment variable). */
import type { JWK } from 'jose';

/**
 * `noop`: an empty async preHandler (Fastify), or two empty middlewares mounted where ours go
 * (Express), to show what any hook costs by itself.
 * `floor`: the signature check alone over HTTP (`floorCheck` in `servers/common.ts`), the least a
 * verifier can cost at that rate.
 * `jose`: a hand-written `jose.jwtVerify` hook (Fastify). `logto`: Logto's `mcp-auth` 0.2
 * `bearerAuth('jwt')`, `auth0`: `express-oauth2-jwt-bearer` (Express; both fetch the keys from a
 * loopback JWKS URL once, as deployed).
 */
export type ServerMode = 'plain' | 'noop' | 'floor' | 'ours' | 'jose' | 'logto' | 'auth0';

export interface ServerConfig {
  readonly mode: ServerMode;
  readonly issuer: string;
  readonly resource: string;
  readonly keys: readonly JWK[];
  /** `settings.cache.maxEntries` for `ours` (default 10 000). */
  readonly cacheEntries?: number;
  /** `settings.verify.offload` for `ours` (default `auto`). */
  readonly offload?: 'auto' | 'sync' | 'pool';
  /** Resources in the manifest (the bench's is the last); default 1. */
  readonly resources?: number;
  /** Issuers of the bench resource (the bench's is the last); default 1. */
  readonly issuers?: number;
}

/** What `GET /__stats` answers. */
export interface ServerStats {
  /** process.cpuUsage() user + system, µs. */
  readonly cpuUs: number;
  readonly rss: number;
  /** Peak RSS (process.resourceUsage().maxRSS), bytes. */
  readonly maxRss: number;
  readonly heapUsed: number;
  /** performance.eventLoopUtilization().active since start, ms. */
  readonly eluActiveMs: number;
  /** Time spent in garbage collection since start (PerformanceObserver `gc` entries), ms. */
  readonly gcMs: number;
  /** Entries in the verified-token cache (ours only). */
  readonly cacheSize?: number | undefined;
}

/** The JSON-RPC request every case POSTs to /mcp. */
export const MCP_BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });

export const STATS_PATH = '/__stats';
