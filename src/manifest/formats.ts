/**
 * The manifest file names and formats: one frozen table (no dependencies, so the CLI's help can
 * read it without loading the loader).
 * @module
 */

/**
 * The manifest file formats by extension, in search order: the one table every reader, the
 * searcher, the error messages and the CLI help are derived from.
 */
export const MANIFEST_FORMATS = Object.freeze({
  '.json': 'json',
  '.jsonc': 'json',
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.js': 'module',
  '.mjs': 'module',
  '.cjs': 'module',
  '.ts': 'typescript',
  '.mts': 'typescript',
} as const);

/** An extension of {@link MANIFEST_FORMATS}. */
export type ManifestExtension = keyof typeof MANIFEST_FORMATS;

/** The extensions of {@link MANIFEST_FORMATS}, in search order. */
export const MANIFEST_EXTENSIONS: readonly ManifestExtension[] = Object.freeze(
  Object.keys(MANIFEST_FORMATS) as ManifestExtension[],
);

/** The format of a file extension (lower case, with its dot), or `undefined`. */
export function manifestFormatOf(ext: string): (typeof MANIFEST_FORMATS)[ManifestExtension] | undefined {
  return Object.hasOwn(MANIFEST_FORMATS, ext) ? MANIFEST_FORMATS[ext as ManifestExtension] : undefined;
}

/**
 * File names searched, in order, in each directory from `cwd` upwards (then package.json).
 *
 * @example
 * ```ts
 * MANIFEST_FILES.includes('mcp-auth.config.yaml'); // true
 * ```
 */
export const MANIFEST_FILES: readonly string[] = Object.freeze(
  MANIFEST_EXTENSIONS.map((ext) => `mcp-auth.config${ext}`),
);
