/**
 * Gateway test kit: a fake issuer with a real signing key, the two upstreams (the Python fixture
 * and the real server-everything), and a gateway in front of them, all on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { compile } from '../../src/runtime/compile.js';
import type { ManifestInput } from '../../src/manifest/schema.js';
import type { AccessLogEntry } from '../../src/gateway/access-log.js';
import { serveGateway, type Gateway, type ServeOptions } from '../../src/gateway/serve.js';
import { startFakeIssuer, type FakeIssuer } from '../support/issuer.js';
import { claims, makeKey, signToken, type SigningKey } from '../support/tokens.js';
import { closedPort } from '../support/servers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One request as the Python upstream received it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
}

/** A running child-process upstream. */
export interface ChildUpstream {
  readonly origin: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Requests received so far (Python upstream only). */
  readonly seen: SeenRequest[];
  /** Everything the process printed (server-everything logs each request it receives). */
  readonly output: () => string;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

/** Starts test/fixtures/upstream/echo_mcp.py; resolves once it printed its port. */
export async function startPythonUpstream(): Promise<ChildUpstream> {
  const child = spawn('python3', [`${ROOT}test/fixtures/upstream/echo_mcp.py`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const seen: SeenRequest[] = [];
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => reject(new Error('python upstream exited')));
    lines.on('line', (line) => {
      const value = JSON.parse(line) as { port?: number } & SeenRequest;
      if (value.port !== undefined) resolve(value.port);
      else seen.push(value);
    });
  });
  return { origin: `http://127.0.0.1:${port}`, port, child, seen, output: () => '', stop: stopper(child) };
}

/** Starts the real server-everything in streamable HTTP mode on a free port (talked to on 127.0.0.1 only). */
export async function startEverything(): Promise<ChildUpstream> {
  const port = await closedPort();
  const child = spawn(
    process.execPath,
    [`${ROOT}node_modules/@modelcontextprotocol/server-everything/dist/index.js`, 'streamableHttp'],
    { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', () => reject(new Error('server-everything exited')));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    child,
    seen: [],
    output: () => output,
    stop: stopper(child),
  };
}

/** A gateway over a fake issuer, with a key to sign tokens and the access log collected. */
export interface GatewayKit {
  readonly gateway: Gateway;
  readonly issuer: FakeIssuer;
  readonly key: SigningKey;
  /** `http://127.0.0.1:<port>/mcp`, the resource identifier. */
  readonly resource: string;
  readonly log: AccessLogEntry[];
  token(options?: { scope?: string; sub?: string; aud?: string }): string;
  close(): Promise<void>;
}

/**
 * A gateway manifest: one resource `resource` trusting `issuer` (discovered, type oauth), with
 * scopes `read` and `admin`, forwarding to `upstream`; `extra` is merged into the resource (also
 * unknown or misspelt keys, for the reload tests).
 */
export function gatewayManifest(
  issuer: string,
  resource: string,
  upstream: string,
  extra: Record<string, unknown> = {},
): ManifestInput {
  return {
    issuers: { main: { issuer, type: 'oauth' } },
    resources: [
      {
        resource,
        authorizationServers: ['main'],
        scopesSupported: ['read', 'admin'],
        upstream: { url: upstream },
        ...(extra as Partial<ManifestInput['resources'][number]>),
      },
    ],
  };
}

/** Starts a gateway for one resource at `/mcp` forwarding to `upstream`, plus `extra` resources. */
export async function startGateway(
  upstream: string,
  options: {
    tools?: Record<string, { requiredScopes: string[] }>;
    extra?: (origin: string, issuer: string) => ManifestInput['resources'];
    serve?: Partial<ServeOptions>;
    /** `settings` of the manifest (merged over the defaults). */
    settings?: ManifestInput['settings'];
  } = {},
): Promise<GatewayKit> {
  const key = makeKey('ES256');
  const issuer = await startFakeIssuer([key]);
  const port = await closedPort();
  const origin = `http://127.0.0.1:${port}`;
  const resource = `${origin}/mcp`;
  const manifest = gatewayManifest(
    issuer.issuer,
    resource,
    upstream,
    options.tools ? { tools: options.tools } : {},
  );
  manifest.resources.push(...(options.extra?.(origin, issuer.issuer) ?? []));
  if (options.settings) manifest.settings = { ...manifest.settings, ...options.settings };
  const auth = await compile(manifest);
  const log: AccessLogEntry[] = [];
  const gateway = await serveGateway({ auth, port, log: (e) => log.push(e), ...options.serve });
  return {
    gateway,
    issuer,
    key,
    resource,
    log,
    token: (o = {}) =>
      signToken(
        key,
        claims(issuer.issuer, o.aud ?? resource, {
          client_id: 'test-client',
          scope: o.scope ?? 'read',
          sub: o.sub ?? 'user-1',
        }),
      ),
    close: async () => {
      await gateway.close(1000);
      await issuer.server.close();
    },
  };
}

/** A JSON-RPC POST through the gateway with `fetch`. */
export function rpc(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

/** A raw HTTP/1.1 request (the target sent exactly as written, headers as given). */
export function rawRequest(
  origin: string,
  target: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'POST',
        path: target,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
