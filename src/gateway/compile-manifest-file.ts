/**
 * The gateway's compile step for a manifest file, used at start-up and on every reload: read,
 * validate, compile, and check what the gateway needs beyond the library (an `upstream` for every
 * resource). Every problem found in the file comes back with its `file:line:column`.
 * @module
 */
import { ManifestError } from '../errors.js';
import { readManifestFile, validateManifestFile } from '../manifest/load.js';
import { createLocator } from '../manifest/locate.js';
import { compile, type CompileOptions } from '../runtime/compile.js';
import type { McpAuth } from '../runtime/mcp-auth.js';
import { upstreamRoutes } from './route-upstream.js';

/**
 * Compiles the manifest in `file` for the gateway.
 *
 * @example
 * ```ts
 * const load = () => compileManifestFile('/etc/mcp-auth/mcp-auth.config.json');
 * const gateway = await serveGateway({ auth: await load(), load });
 * ```
 * @throws {ManifestError} unreadable or invalid, or a resource without `upstream` (issues located)
 * @throws {DiscoveryError} when an issuer cannot be resolved (`settings.startup: "fail-fast"`)
 */
export async function compileManifestFile(file: string, options: CompileOptions = {}): Promise<McpAuth> {
  const read = await readManifestFile(file, options.env);
  const result = validateManifestFile(read);
  if (!result.manifest) throw new ManifestError('manifest_invalid', result.issues, { file: read.file });
  const auth = await compile(result.manifest, options);
  try {
    upstreamRoutes(auth, read.source && createLocator(read.source));
  } catch (err) {
    await auth.close();
    throw err;
  }
  return auth;
}
