/**
 * `compile()` as `mcp-auth-config` exports it: the loader-free compile of `compile.ts`, plus the
 * manifest file loader for a path or nothing, imported only then. A runtime compiled from an
 * object never loads `node:fs` or cosmiconfig.
 * @module
 */
import type { Manifest, ManifestInput } from '../manifest/schema.js';
import { compile as compileObject, type CompileOptions } from './compile.js';
import type { McpAuth } from './mcp-auth.js';

/**
 * Compiles a manifest into an immutable runtime: loads it (given a path, or searched from `cwd`
 * when omitted), validates it, resolves every issuer once (concurrently), builds one verifier per
 * resource and precomputes the route table. With `settings.startup: "fail-fast"` (the default)
 * it rejects listing every issuer that failed; with `"lazy"` it resolves in the background. It
 * reads the environment and may fetch issuer metadata: call it from a request or start-up path,
 * not at module scope of code a build evaluates (see `compileOnce`).
 *
 * @example
 * ```ts
 * import { compile } from 'mcp-auth-config';
 * const auth = await compile();                      // finds mcp-auth.config.* from cwd
 * const auth2 = await compile('./config/auth.yaml');  // or a path, or a manifest object
 * // ... mount it with an adapter; on shutdown:
 * await auth.close();
 * ```
 * @throws {ManifestError} for an invalid manifest; {@link DiscoveryError} when issuers fail in fail-fast mode
 */
export async function compile(
  input?: string | ManifestInput | Manifest,
  options: CompileOptions = {},
): Promise<McpAuth> {
  if (input !== undefined && typeof input !== 'string') return compileObject(input, options);
  const { loadManifest } = await import('../manifest/load.js');
  const { manifest } = await loadManifest({
    ...(input === undefined ? {} : { path: input }),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  return compileObject(manifest, options);
}
