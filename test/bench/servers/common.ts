/** Shared bits of the bench servers: config, the manifest, the floor check, stats, start-up line and shutdown. */
import { createPublicKey, verify } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import type { ManifestInput } from '../../../src/manifest/schema.js';
import type { McpAuth } from 'mcp-auth-config';
import type { ServerConfig, ServerStats } from '../lib/protocol.js';
import { DIGEST, keyInput, type Alg } from '../lib/tokens.js';

export function readConfig(): ServerConfig {
  const raw = process.env.BENCH_CONFIG;
  if (!raw) throw new Error('BENCH_CONFIG is not set');
  return JSON.parse(raw) as ServerConfig;
}

/**
 * The offline manifest: one issuer with inline keys, one resource; with `resources`/`issuers`,
 * more of each before the bench's own (other origins' resources, other issuers' keys), to show
 * what the request path pays as the manifest grows.
 */
export function manifestFor(config: ServerConfig): ManifestInput {
  const issuer = (id: number, iss: string) => ({
    metadata: {
      issuer: iss,
      authorizationEndpoint: `${iss}/authorize`,
      tokenEndpoint: `${iss}/token`,
      responseTypesSupported: ['code'],
    },
    jwks: { keys: config.keys.map((k) => ({ ...k, kid: id ? `${k.kid}-${id}` : k.kid })) },
  });
  const extraIssuers = Math.max(0, (config.issuers ?? 1) - 1);
  const issuers: Record<string, ReturnType<typeof issuer>> = {};
  for (let i = 1; i <= extraIssuers; i++) issuers[`other${i}`] = issuer(i, `https://as${i}.bench.example`);
  issuers.bench = issuer(0, config.issuer);
  const authorizationServers = [...Object.keys(issuers).filter((k) => k !== 'bench'), 'bench'];
  const algorithms = ['ES256', 'RS256', 'EdDSA'] as const;
  const others = Array.from({ length: Math.max(0, (config.resources ?? 1) - 1) }, (_, i) => ({
    resource: `https://api${i}.bench.example/r${i}/mcp`,
    authorizationServers: ['bench'],
    token: { algorithms: [...algorithms] },
  }));
  return {
    issuers,
    resources: [
      ...others,
      { resource: config.resource, authorizationServers, token: { algorithms: [...algorithms] } },
    ],
    settings: {
      cache: { maxEntries: config.cacheEntries ?? 10_000, maxAgeSeconds: 600 },
      ...(config.offload ? { verify: { offload: config.offload } } : {}),
    },
  };
}

const ONE_CORE = availableParallelism() <= 1;

/** The answers of this turn's checks, given together once it is over (one immediate per turn). */
let due: Array<() => void> = [];
function answerAfterTurn(answer: () => void): void {
  if (due.push(answer) > 1) return;
  setImmediate(() => {
    const now = due;
    due = [];
    for (const give of now) give();
  });
}

/**
 * The `floor` mode's check: the signature alone with a prepared key: no claims, no header checks
 * (the key is found once per distinct header segment). Where it runs is the cheapest under a
 * flood on this machine: on the thread pool when the process has two cores or more, and on one
 * core on the loop with the answers of a turn given together after it (so a burst's answers leave together);
 * `offload: "sync"` answers at once. No verifier can cost less per request over HTTP, so a peer's
 * CPU per request divided by this one's is the most any verifier could gain on that peer here.
 */
export function floorCheck(
  keys: ServerConfig['keys'],
  offload?: 'auto' | 'sync' | 'pool',
): (token: string) => Promise<boolean> {
  const byHeader = new Map<string, { hash: string | null; input: ReturnType<typeof keyInput> }>();
  const keyFor = (header: string) => {
    let found = byHeader.get(header);
    if (!found) {
      const { alg, kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as {
        alg: Alg;
        kid: string;
      };
      const jwk = keys.find((k) => k.kid === kid);
      if (!jwk) throw new Error(`floor: no key ${kid}`);
      found = {
        hash: DIGEST[alg],
        input: keyInput(alg, createPublicKey({ key: jwk as never, format: 'jwk' })),
      };
      byHeader.set(header, found);
    }
    return found;
  };
  return (token) => {
    const dot = token.lastIndexOf('.');
    const { hash, input } = keyFor(token.slice(0, token.indexOf('.')));
    const data = Buffer.from(token.slice(0, dot), 'latin1');
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    if (offload === 'sync') return Promise.resolve(verify(hash, data, input, signature));
    if (ONE_CORE) {
      const ok = verify(hash, data, input, signature);
      return new Promise((resolve) => answerAfterTurn(() => resolve(ok)));
    }
    return new Promise((resolve) => verify(hash, data, input, signature, (err, ok) => resolve(!err && ok)));
  };
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

export function stats(auth: McpAuth | undefined, gc: boolean): ServerStats {
  if (gc && typeof globalThis.gc === 'function') globalThis.gc();
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuUs: cpu.user + cpu.system,
    rss: mem.rss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    heapUsed: mem.heapUsed,
    eluActiveMs: performance.eventLoopUtilization().active,
    gcMs,
    // The verifier is internal (not in the published types); the bench peeks at its cache size.
    cacheSize: (auth?.resources.at(-1) as { verifier?: { cacheSize: number } } | undefined)?.verifier
      ?.cacheSize,
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
