/**
 * Finding and reading manifest files: JSON, JSONC, YAML, JS and TS, or a `"mcp-auth"` key in
 * package.json. An explicit path is read directly; searching uses cosmiconfig 9 (loaded lazily).
 * @module
 */
import { readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getNodeValue, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { ManifestError, type ManifestIssue } from '../errors.js';
import type { EnvSource } from '../lib/env.js';
import { MANIFEST_EXTENSIONS, MANIFEST_FILES, manifestFormatOf } from './formats.js';
import { interpolateEnv } from './interpolate.js';
import { createLocator, loadYaml, type ManifestSource, type ParsedSource } from './locate.js';
import { validateManifest, type ValidationResult } from './parse.js';
import type { Manifest } from './schema.js';

export { MANIFEST_FILES } from './formats.js';

/** The package.json key a manifest may live under. */
export const PACKAGE_KEY = 'mcp-auth';

/** Options of {@link loadManifest}. */
export interface LoadOptions {
  /** Where to start searching. Default: `process.cwd()`. */
  readonly cwd?: string;
  /** Read exactly this file instead of searching. */
  readonly path?: string;
  /** Variables for `${VAR}` interpolation in JSON/YAML manifests (string members only). Default: `process.env`. */
  readonly env?: EnvSource;
}

/** A manifest file read from disk, before validation. */
export interface ManifestFile {
  /** The absolute path of the file. */
  readonly file: string;
  /** The value it holds, after `${VAR}` interpolation for JSON/YAML. */
  readonly value: unknown;
  /** The text, for `file:line:column` reporting (JSON, JSONC, YAML). */
  readonly source: ManifestSource | undefined;
  /** Problems found while reading (syntax errors, unset variables). */
  readonly issues: readonly ManifestIssue[];
}

/** A loaded, validated manifest. */
export interface LoadedManifest {
  readonly manifest: Manifest;
  readonly file: string;
  /** Warnings found while validating (errors throw). */
  readonly warnings: readonly ManifestIssue[];
}

function syntaxIssue(file: string, text: string, offset: number, message: string): ManifestIssue {
  const before = text.slice(0, offset).split('\n');
  return {
    severity: 'error',
    code: 'syntax',
    path: [],
    message,
    location: { file, line: before.length, column: (before.at(-1)?.length ?? 0) + 1 },
  };
}

/** A file read into its value, its syntax issues and the tree it was parsed into (kept for locating). */
interface ReadText {
  readonly value: unknown;
  readonly issues: ManifestIssue[];
  readonly parsed: ParsedSource;
}

function readJson(file: string, text: string): ReadText {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  return {
    value: tree ? (getNodeValue(tree) as unknown) : undefined,
    issues: errors.map((e) =>
      syntaxIssue(file, text, e.offset, `invalid JSON: ${printParseErrorCode(e.error)}`),
    ),
    parsed: { format: 'json', tree },
  };
}

function readYaml(file: string, text: string): ReadText {
  const { LineCounter, parseDocument } = loadYaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues = doc.errors.map((e) =>
    syntaxIssue(file, text, e.pos[0], `invalid YAML: ${e.code.toLowerCase()}`),
  );
  return {
    value: issues.length ? undefined : doc.toJS({ maxAliasCount: 100 }),
    issues,
    parsed: { format: 'yaml', doc, lineCounter },
  };
}

async function importModule(file: string): Promise<unknown> {
  const ext = extname(file);
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return mod.default ?? mod;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (
      manifestFormatOf(ext) !== 'typescript' ||
      (code !== 'ERR_UNKNOWN_FILE_EXTENSION' && code !== 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING')
    )
      throw err;
  }
  // Node without type stripping: fall back to jiti, an optional peer dependency.
  let createJiti: (id: string) => { import: (id: string, opts: { default: true }) => Promise<unknown> };
  try {
    ({ createJiti } = (await import('jiti')) as unknown as { createJiti: typeof createJiti });
  } catch {
    throw new ManifestError('manifest_unreadable', [], {
      file,
      message: `mcp-auth-config: ${file} is TypeScript and this Node.js cannot import it natively; install the optional peer "jiti" (npm i -D jiti) or use Node.js >= 22.18`,
    });
  }
  return createJiti(import.meta.url).import(file, { default: true });
}

/**
 * Reads one manifest file (no validation). JSON and JSONC accept comments and trailing commas;
 * `${VAR}` interpolation is applied to JSON and YAML string values.
 */
export async function readManifestFile(path: string, env: EnvSource = process.env): Promise<ManifestFile> {
  const file = resolve(path);
  const ext = extname(file).toLowerCase();
  const format = manifestFormatOf(ext);
  if (format === 'json' || format === 'yaml') {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const missing = (err as { code?: string }).code === 'ENOENT';
      throw new ManifestError(missing ? 'manifest_not_found' : 'manifest_unreadable', [], {
        file,
        message: `mcp-auth-config: cannot read ${file}${missing ? ': no such file' : ''}`,
        cause: err,
      });
    }
    const isYaml = format === 'yaml';
    const read = isYaml ? readYaml(file, text) : readJson(file, text);
    const inPackage = basename(file) === 'package.json';
    const source: ManifestSource = {
      file,
      text,
      format: isYaml ? 'yaml' : 'json',
      root: inPackage ? [PACKAGE_KEY] : [],
      parsed: read.parsed,
    };
    if (read.issues.length) return { file, value: undefined, source, issues: read.issues };
    const value = inPackage ? (read.value as Record<string, unknown> | undefined)?.[PACKAGE_KEY] : read.value;
    const interpolated = interpolateEnv(value, env);
    const locate = createLocator(source);
    const issues = interpolated.issues.map((i) => ({ ...i, location: locate(i.path) }));
    return { file, value: interpolated.value, source, issues };
  }
  if (format === 'module' || format === 'typescript') {
    return { file, value: await importModule(file), source: undefined, issues: [] };
  }
  throw new ManifestError('manifest_unreadable', [], {
    file,
    message: `mcp-auth-config: cannot read ${file}: unsupported extension "${ext}" (use ${MANIFEST_EXTENSIONS.join(', ')})`,
  });
}

/** A package.json text reduced to its `"mcp-auth"` key for cosmiconfig (`{}` when absent or unparsable). */
function packageKey(content: string): Record<string, unknown> {
  try {
    const pkg = JSON.parse(content) as Record<string, unknown> | null;
    return pkg && typeof pkg === 'object' && pkg[PACKAGE_KEY] !== undefined
      ? { [PACKAGE_KEY]: pkg[PACKAGE_KEY] }
      : {};
  } catch {
    return {};
  }
}

/** Finds the manifest file for `cwd` (searching upwards), or throws `manifest_not_found`. */
export async function findManifestFile(cwd: string = process.cwd()): Promise<string> {
  const { cosmiconfig } = await import('cosmiconfig');
  const explorer = cosmiconfig(PACKAGE_KEY, {
    searchPlaces: [...MANIFEST_FILES, 'package.json'],
    searchStrategy: 'global',
    // Only locate here; reading is done by readManifestFile so every format reports positions.
    // package.json is parsed, so that cosmiconfig passes over one without a "mcp-auth" key.
    loaders: Object.fromEntries(
      [...MANIFEST_EXTENSIONS, 'noExt'].map((ext) => [
        ext,
        (filepath: string, content: string) =>
          basename(filepath) === 'package.json' ? packageKey(content) : {},
      ]),
    ),
  });
  const found = await explorer.search(cwd).catch(() => null);
  if (found) return found.filepath;
  throw new ManifestError('manifest_not_found', [], {
    message: `mcp-auth-config: no manifest found from ${cwd} upwards (looked for ${MANIFEST_FILES.join(', ')} and a "${PACKAGE_KEY}" key in package.json); run "npx mcp-auth init" to create one`,
  });
}

/** Reads and validates a manifest file without throwing on validation errors (the CLI uses this). */
export function validateManifestFile(file: ManifestFile): ValidationResult {
  if (file.issues.some((i) => i.severity === 'error')) return { manifest: undefined, issues: file.issues };
  return validateManifest(file.value, { source: file.source, file: file.file });
}

/**
 * Finds (or reads the given), interpolates and validates a manifest.
 *
 * @example
 * ```ts
 * const { manifest, file, warnings } = await loadManifest({ cwd: process.cwd() });
 * ```
 * @throws {ManifestError} `manifest_not_found`, `manifest_unreadable` or `manifest_invalid`
 */
export async function loadManifest(options: LoadOptions = {}): Promise<LoadedManifest> {
  const path = options.path
    ? resolve(options.cwd ?? process.cwd(), options.path)
    : await findManifestFile(options.cwd);
  const read = await readManifestFile(path, options.env);
  const result = validateManifestFile(read);
  if (!result.manifest) throw new ManifestError('manifest_invalid', result.issues, { file: read.file });
  return { manifest: result.manifest, file: read.file, warnings: result.issues };
}
