/**
 * The packed package and the recipes, as the global setup (`packed-project.ts`) installed and
 * copied them. The ecosystem project's `server.deps.external` (vitest.config.ts) hands those files
 * to Node's own loader, not Vitest's module runner, so every `mcp-auth-config...` specifier in them
 * resolves as in a user's project: through the installed package's `exports` map, to the files its
 * tarball holds.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Package from 'mcp-auth-config';
import { inject } from 'vitest';

const nativeImport = (url: string): Promise<unknown> => import(/* @vite-ignore */ url);

/** The per-run directory holding the recipes, linked to the installed package. */
export function packedProject(): string {
  return inject('packedProject');
}

/** The tarball the global setup packed (path and integrity), for tests that install it themselves. */
export function packedTarball(): { readonly path: string; readonly integrity: string } {
  return inject('packedTarball');
}

/** `mcp-auth-config` as the recipes import it, and the URL it resolved to. */
export async function packedPackage(): Promise<typeof Package & { resolvedFrom: string }> {
  return (await nativeImport(pathToFileURL(join(packedProject(), 'package.js')).href)) as typeof Package & {
    resolvedFrom: string;
  };
}

/** The recipe `examples/<name>.ts`, transpiled, importing the packed package. */
export async function loadRecipe<Module>(name: string): Promise<Module> {
  return (await nativeImport(pathToFileURL(join(packedProject(), `${name}.js`)).href)) as Module;
}
