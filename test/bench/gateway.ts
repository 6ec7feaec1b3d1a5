/**
 * `npm run bench:gateway`: the gateway's cost, run by hand (never by the test suite).
 *
 * Three servers, each its own child process on 127.0.0.1 (this file re-run with `--role=`): a
 * minimal node:http MCP upstream (`POST /mcp` → JSON, `GET /mcp/sse` → one event), the gateway
 * (`serveGateway`, access log off) in front of it, and a bare pass-through proxy with no auth on
 * the same undici stack (`createUpstreamAgent` + `forwardRequest`). The load generator
 * (autocannon) runs here. Figures:
 *
 * - throughput: req/s, p50, p99 of `POST /mcp` with 32 connections, straight to the upstream,
 *   through the bare proxy, through the gateway with one reused token and with distinct tokens;
 * - latency one request at a time (p50, p99), where "added ms" means something;
 * - SSE: time to the first event of `GET /mcp/sse`, direct and through the gateway.
 *
 * Bounded: `--duration=<s>` per throughput case (default 3, after a 1 s warm-up), 1 500
 * sequential requests per latency case, 300 SSE streams per path. Loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { createUpstreamAgent, forwardRequest } from '../../src/gateway/forward-request.js';
import { serveGateway } from '../../src/gateway/serve.js';
import { compile } from '../../src/runtime/compile.js';
import { drive, driveDistinct, median, type AutocannonResult, type TokenFeed } from './lib/harness.js';
import { MCP_BODY } from './lib/protocol.js';
import { ISSUER, makeKeys, signToken } from './lib/tokens.js';

const argv = process.argv.slice(2);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Child roles

const MCP_RESULT = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { tools: [] } });
const SSE_EVENT = `event: message\ndata: ${MCP_RESULT}\n\n`;

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function announce(port: number): void {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.stdin.on('end', () => process.exit(0)).resume();
  process.on('SIGTERM', () => process.exit(0));
}

async function runUpstream(): Promise<void> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/mcp/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      return void res.end(SSE_EVENT);
    }
    req.resume();
    req.on('end', () =>
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(MCP_RESULT)),
        })
        .end(MCP_RESULT),
    );
  });
  announce(await listen(server));
}

async function runGateway(config: { port: number; upstream: string; jwks: unknown[] }): Promise<void> {
  const auth = await compile({
    issuers: {
      bench: {
        metadata: {
          issuer: ISSUER,
          authorizationEndpoint: `${ISSUER}/authorize`,
          tokenEndpoint: `${ISSUER}/token`,
          responseTypesSupported: ['code'],
        },
        jwks: { keys: config.jwks as never[] },
      },
    },
    resources: [
      {
        resource: `http://127.0.0.1:${config.port}/mcp`,
        authorizationServers: ['bench'],
        token: { algorithms: ['ES256', 'RS256'] },
        upstream: { url: `${config.upstream}/mcp` },
      },
    ],
    settings: { cache: { maxEntries: 10_000, maxAgeSeconds: 600 } },
  });
  const gateway = await serveGateway({ auth, port: config.port, log: null });
  announce(Number(new URL(gateway.url).port));
}

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'host', 'trailer']);

async function runProxy(config: { port: number; upstream: string }): Promise<void> {
  const agent = createUpstreamAgent();
  const origin = config.upstream;
  const server = createServer((req: IncomingMessage, res) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined && !HOP.has(name)) headers[name] = value;
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    void forwardRequest(agent, req, res, {
      origin,
      path: req.url ?? '/',
      headers,
      body: hasBody ? req : undefined,
    });
  });
  announce(await listen(server, config.port));
}

// ---------------------------------------------------------------------------------------------
// Parent

interface Child {
  readonly port: number;
  readonly process: ChildProcess;
}

async function start(role: string, config: unknown = {}): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, `--role=${role}`], {
    env: { ...process.env, BENCH_GATEWAY: JSON.stringify(config), NODE_ENV: 'production' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buffer = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${role} did not start in 30 s`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{"port"'));
      if (!line) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
  return { port, process: child };
}

async function stop(child: Child): Promise<void> {
  if (child.process.exitCode !== null) return;
  const exited = once(child.process, 'exit');
  child.process.kill('SIGTERM');
  await exited;
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((r) => server.close(r));
  return port;
}

/** Sequential requests, one at a time on one keep-alive connection: per-request latency in ms. */
async function sequential(
  url: string,
  count: number,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; firstChunk?: boolean },
): Promise<{ p50: number; p99: number }> {
  const dispatcher = new Agent({ connections: 1 });
  const times: number[] = [];
  try {
    for (let i = 0; i < count + 50; i++) {
      const started = performance.now();
      const res = await request(url, { ...init, dispatcher });
      if (res.statusCode !== 200) throw new Error(`${url}: status ${res.statusCode}`);
      let elapsed: number | undefined;
      // Read to the end either way, so the connection is reused; time the first chunk for SSE.
      res.body.on('data', () => (elapsed ??= performance.now() - started));
      await once(res.body, 'end');
      if (!init.firstChunk) elapsed = performance.now() - started;
      if (i >= 50) times.push(elapsed ?? Number.NaN); // the first 50 warm up
    }
  } finally {
    await dispatcher.close();
  }
  times.sort((a, b) => a - b);
  return { p50: median(times), p99: times[Math.floor(times.length * 0.99)]! };
}

interface Throughput {
  readonly id: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly bad: number;
}

async function throughput(id: string, port: number, feed: TokenFeed, duration: number): Promise<Throughput> {
  let r: AutocannonResult;
  if (feed.kind === 'cycle') {
    r = await driveDistinct(port, feed.tokens, { warmupTokens: 3_000, duration }, 32);
  } else {
    await drive(port, feed, { duration: 1 }, 32);
    r = await drive(port, feed, { duration }, 32);
  }
  return {
    id,
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    bad: r.non2xx + r.errors + r.timeouts,
  };
}

async function main(): Promise<void> {
  const duration = Number(option('duration') ?? 3);
  const keys = makeKeys();
  const upstream = await start('upstream');
  const upstreamOrigin = `http://127.0.0.1:${upstream.port}`;
  const gatewayPort = await freePort();
  const resource = `http://127.0.0.1:${gatewayPort}/mcp`;
  const gateway = await start('gateway', {
    port: gatewayPort,
    upstream: upstreamOrigin,
    jwks: [keys.ES256.publicJwk, keys.RS256.publicJwk],
  });
  const proxy = await start('proxy', { port: await freePort(), upstream: upstreamOrigin });
  const reused = signToken(keys.ES256, 0, { aud: resource });
  const distinct = Array.from({ length: 40_000 }, (_, i) => signToken(keys.ES256, i + 1, { aud: resource }));
  try {
    const rows: Throughput[] = [];
    rows.push(await throughput('direct to upstream', upstream.port, { kind: 'none' }, duration));
    rows.push(await throughput('bare undici proxy (no auth)', proxy.port, { kind: 'none' }, duration));
    rows.push(
      await throughput(
        'gateway, ES256 reused token',
        gateway.port,
        { kind: 'reused', token: reused },
        duration,
      ),
    );
    rows.push(
      await throughput(
        'gateway, ES256 distinct tokens',
        gateway.port,
        { kind: 'cycle', tokens: distinct },
        duration,
      ),
    );

    const post = (token?: string) => ({
      method: 'POST' as const,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: MCP_BODY,
    });
    const latency = {
      direct: await sequential(`${upstreamOrigin}/mcp`, 1500, post()),
      proxy: await sequential(`http://127.0.0.1:${proxy.port}/mcp`, 1500, post()),
      gateway: await sequential(`http://127.0.0.1:${gateway.port}/mcp`, 1500, post(reused)),
    };
    const sse = (token?: string) => ({
      method: 'GET' as const,
      headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      firstChunk: true,
    });
    const firstEvent = {
      direct: await sequential(`${upstreamOrigin}/mcp/sse`, 300, sse()),
      gateway: await sequential(`http://127.0.0.1:${gateway.port}/mcp/sse`, 300, sse(reused)),
    };

    const proxyRow = rows[1]!;
    const fmt = (n: number, d = 0) =>
      n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
    const lines = [
      `Gateway bench (${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}, 32 connections, ${duration} s per case after 1 s warm-up; upstream, gateway and proxy in separate processes, unpinned)`,
      '',
      '| case | req/s | p50 ms | p99 ms | vs bare proxy | non-2xx/errors |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${r.id} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${(r.rps / proxyRow.rps).toFixed(2)}× | ${r.bad} |`,
      ),
      '',
      '| one request at a time (1 500) | p50 ms | p99 ms |',
      '|---|---:|---:|',
      `| direct to upstream | ${fmt(latency.direct.p50, 3)} | ${fmt(latency.direct.p99, 3)} |`,
      `| bare undici proxy | ${fmt(latency.proxy.p50, 3)} | ${fmt(latency.proxy.p99, 3)} |`,
      `| gateway, reused token | ${fmt(latency.gateway.p50, 3)} | ${fmt(latency.gateway.p99, 3)} |`,
      `| **gateway added vs bare proxy** | ${fmt(latency.gateway.p50 - latency.proxy.p50, 3)} | |`,
      '',
      '| SSE time to first event (300) | p50 ms | p99 ms |',
      '|---|---:|---:|',
      `| direct to upstream | ${fmt(firstEvent.direct.p50, 3)} | ${fmt(firstEvent.direct.p99, 3)} |`,
      `| through the gateway | ${fmt(firstEvent.gateway.p50, 3)} | ${fmt(firstEvent.gateway.p99, 3)} |`,
      `| **added** | ${fmt(firstEvent.gateway.p50 - firstEvent.direct.p50, 3)} | |`,
      '',
      `Targets (issue 14): reused-token throughput ≥ 0.85× the bare proxy: ${(rows[2]!.rps / proxyRow.rps).toFixed(2)}×; ` +
        `added p50 ≤ 1 ms: ${fmt(latency.gateway.p50 - latency.proxy.p50, 3)} ms; ` +
        `added time to first SSE event ≤ 2 ms: ${fmt(firstEvent.gateway.p50 - firstEvent.direct.p50, 3)} ms.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.all([stop(gateway), stop(proxy), stop(upstream)]);
  }
}

const role = option('role');
const config = JSON.parse(process.env.BENCH_GATEWAY ?? '{}') as {
  port: number;
  upstream: string;
  jwks: unknown[];
};
const run =
  role === 'upstream'
    ? runUpstream()
    : role === 'gateway'
      ? runGateway(config)
      : role === 'proxy'
        ? runProxy(config)
        : main();
run.catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
