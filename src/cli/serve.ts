import { DiscoveryError, ManifestError, formatIssue } from '../errors.js';
import { serveGateway } from '../gateway/serve.js';
import { compile } from '../runtime/compile.js';
import { loadForCommand } from './load.js';
import type { CommandOptions, ExitCode } from './main.js';

/** How long requests in flight may run after SIGTERM. */
const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * `mcp-auth serve`: the gateway, until SIGTERM or SIGINT. Status lines go to stderr; stdout
 * carries only the access log.
 *
 * @example
 * ```sh
 * mcp-auth serve ./mcp-auth.config.json --host 0.0.0.0 --port 8080
 * ```
 */
export async function serveCommand(o: CommandOptions): Promise<ExitCode> {
  const port = o.port === undefined ? 8080 : Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    o.err('mcp-auth serve: --port must be an integer from 0 to 65535');
    return 2;
  }
  const manifest = await loadForCommand(o);
  if (typeof manifest === 'number') return manifest;
  let gateway;
  try {
    const auth = await compile(manifest);
    try {
      gateway = await serveGateway({ auth, host: o.host ?? '127.0.0.1', port });
    } catch (err) {
      await auth.close();
      throw err;
    }
  } catch (err) {
    if (err instanceof ManifestError) o.err(err.issues.map(formatIssue).join('\n'));
    else if (err instanceof DiscoveryError) o.err(err.message);
    else if ((err as { code?: unknown }).code === 'EADDRINUSE')
      o.err(`mcp-auth serve: port ${port} is in use`);
    else throw err;
    return err instanceof ManifestError || err instanceof DiscoveryError ? 1 : 2;
  }
  o.err(`mcp-auth serve: listening on ${gateway.url}`);
  const running = gateway;
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop).off('SIGINT', stop);
      o.err('mcp-auth serve: shutting down');
      void running.close(SHUTDOWN_DEADLINE_MS).then(resolve, resolve);
    };
    process.once('SIGTERM', stop).once('SIGINT', stop);
  });
  return 0;
}
