import { resolve } from 'node:path';
import { DiscoveryError, ManifestError, McpAuthError } from '../errors.js';
import { compileManifestFile } from '../gateway/compile-manifest-file.js';
import { serveGateway, type Gateway } from '../gateway/serve.js';
import { watchManifest } from '../gateway/watch-manifest.js';
import { findManifestFile } from '../manifest/load.js';
import type { CommandOptions, ExitCode } from './main.js';

/** How long requests in flight may run after SIGTERM. */
const SHUTDOWN_DEADLINE_MS = 10_000;

/** The lines that explain why a manifest could not be used (never a token or upstream text). */
function describe(err: unknown): string {
  if (err instanceof ManifestError) return err.issues.length ? err.format() : err.message;
  if (err instanceof McpAuthError) return err.message;
  return `unexpected ${err instanceof Error ? err.name : typeof err}`;
}

/**
 * `mcp-auth serve`: the gateway, until SIGTERM or SIGINT. With `--watch` (and on SIGHUP) a
 * changed manifest is compiled and swapped in; a manifest that fails keeps the last good one
 * serving, and every issue is logged as `file:line:column`. Status lines go to stderr; stdout
 * carries only the access log.
 *
 * @example
 * ```sh
 * mcp-auth serve ./mcp-auth.config.json --host 0.0.0.0 --port 8080 --watch
 * kill -HUP <pid>   # reload now
 * ```
 */
export async function serveCommand(o: CommandOptions): Promise<ExitCode> {
  const port = o.port === undefined ? 8080 : Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    o.err('mcp-auth serve: --port must be an integer from 0 to 65535');
    return 2;
  }
  let gateway: Gateway;
  let file: string;
  try {
    file = o.path ? resolve(o.path) : await findManifestFile();
    const load = () => compileManifestFile(file);
    const auth = await load();
    try {
      gateway = await serveGateway({ auth, load, host: o.host ?? '127.0.0.1', port });
    } catch (err) {
      await auth.close();
      throw err;
    }
  } catch (err) {
    if ((err as { code?: unknown }).code === 'EADDRINUSE') {
      o.err(`mcp-auth serve: port ${port} is in use`);
      return 2;
    }
    if (!(err instanceof ManifestError) && !(err instanceof DiscoveryError)) throw err;
    o.err(describe(err));
    return err instanceof DiscoveryError || err.code === 'manifest_invalid' ? 1 : 2;
  }
  o.err(`mcp-auth serve: listening on ${gateway.url}`);
  const running = gateway;
  const reload = async (why: string) => {
    const result = await running.reload();
    if (result.ok) return o.err(`mcp-auth serve: reloaded ${file} (${why})`);
    o.err(`mcp-auth serve: reload failed (${why}); still serving the last good manifest`);
    o.err(describe(result.error));
  };
  const onHup = () => void reload('SIGHUP');
  process.on('SIGHUP', onHup);
  const watching = o.watch ? watchManifest(file, () => void reload('file changed')) : undefined;
  if (watching) o.err(`mcp-auth serve: watching ${file}`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGTERM', stop).off('SIGINT', stop).off('SIGHUP', onHup);
      watching?.close();
      o.err('mcp-auth serve: shutting down');
      void running.close(SHUTDOWN_DEADLINE_MS).then(done, done);
    };
    process.once('SIGTERM', stop).once('SIGINT', stop);
  });
  return 0;
}
