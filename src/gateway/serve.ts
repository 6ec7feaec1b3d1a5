/**
 * `mcp-auth serve`: one listener that serves every resource's metadata and challenges exactly as
 * the library does, and forwards authorised requests to each resource's `upstream`.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from 'undici';
import { OptionError } from '../errors.js';
import type { McpAuth } from '../runtime/mcp-auth.js';
import type { CompiledResource } from '../runtime/resource.js';
import { createReloadable, type ReloadResult } from '../runtime/reload-runtime.js';
import { jsonLineLogger, type AccessLogger } from './access-log.js';
import { createUpstreamAgent, type UpstreamTimeouts } from './forward-request.js';
import { createGatewayHandler } from './handle-request.js';
import { upstreamRoutes, type UpstreamRoute } from './route-upstream.js';

/** Options of {@link serveGateway}. */
export interface ServeOptions extends UpstreamTimeouts {
  /** The compiled runtime; every resource needs an `upstream`. */
  readonly auth: McpAuth;
  /**
   * How to compile the manifest again, for {@link Gateway.reload} (`--watch`, SIGHUP). The new
   * runtime must also pass the gateway's checks (an `upstream` for every resource) or it is
   * closed and the running one kept.
   */
  readonly load?: (() => Promise<McpAuth>) | undefined;
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string | undefined;
  /** Port. Default 8080; 0 picks a free one. */
  readonly port?: number | undefined;
  /** Receives one record per request. Default: a JSON line on stdout. `null` turns it off. */
  readonly log?: AccessLogger | null | undefined;
}

/** A running gateway. */
export interface Gateway {
  /** `http://host:port`, as listening. */
  readonly url: string;
  readonly server: Server;
  /** The runtime new requests are served with. */
  current(): McpAuth;
  /**
   * Compiles the manifest again (with `load`) and swaps it in: requests and streams in flight
   * finish on the runtime they started with, which is closed once they are done. On failure
   * (`{ ok: false, error }`, typically a `ManifestError` or `DiscoveryError`) nothing changes.
   */
  reload(): Promise<ReloadResult>;
  /**
   * Stops accepting, lets requests in flight (streams included) finish for up to `deadlineMs`
   * (default 10 000), then cuts what is left, closes the upstream pool and the runtime.
   */
  close(deadlineMs?: number): Promise<void>;
}

/**
 * Starts the gateway.
 *
 * @example
 * ```ts
 * const load = () => compile('./mcp-auth.config.json');
 * const gateway = await serveGateway({ auth: await load(), load, port: 8080 });
 * process.on('SIGHUP', () => void gateway.reload().then((r) => r.ok || console.error(String(r.error))));
 * process.once('SIGTERM', () => void gateway.close(10_000).then(() => process.exit(0)));
 * ```
 * @throws {ManifestError} `manifest_invalid` when a resource has no `upstream` or uses the gateway's own path prefix
 */
export async function serveGateway(options: ServeOptions): Promise<Gateway> {
  const routes = new WeakMap<McpAuth, ReadonlyMap<CompiledResource, UpstreamRoute>>();
  routes.set(options.auth, upstreamRoutes(options.auth));
  const { load } = options;
  const holder = await createReloadable(
    async () => {
      if (!load) throw new OptionError('serveGateway: reload() needs the "load" option');
      const auth = await load();
      try {
        routes.set(auth, upstreamRoutes(auth));
      } catch (err) {
        await auth.close();
        throw err;
      }
      return auth;
    },
    // Every request holds a lease, so a replaced runtime can close as soon as they are done.
    { initial: options.auth, graceMs: 0 },
  );
  const dispatcher: Agent = createUpstreamAgent(options);
  const log = options.log === null ? undefined : (options.log ?? jsonLineLogger());
  const acquire = () => {
    const lease = holder.acquire();
    return { runtime: { auth: lease.auth, routes: routes.get(lease.auth)! }, release: lease.release };
  };
  const server = createServer(createGatewayHandler({ acquire, dispatcher, log }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    server,
    current: () => holder.current(),
    reload: () => holder.reload(),
    close: (deadlineMs = 10_000) =>
      (closing ??= drain(server, deadlineMs).then(async () => {
        await dispatcher.close();
        await holder.close();
      })),
  };
}

/** Stops accepting; idle keep-alive sockets close now, busy ones when done or at the deadline. */
async function drain(server: Server, deadlineMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A keep-alive connection whose request finishes during the drain is closed as soon as idle.
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, deadlineMs);
  });
  await Promise.race([closed, deadline]);
  clearTimeout(timer);
  clearInterval(idle);
  await closed;
}
