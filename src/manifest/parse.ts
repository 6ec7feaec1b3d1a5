import type { z } from 'zod';
import { ManifestError, type ManifestIssue, type ManifestIssueCode } from '../errors.js';
import { deepFreeze } from '../lib/freeze.js';
import { didYouMean } from '../lib/suggest.js';
import { expandPresets } from '../providers/expand-preset.js';
import type { PresetExpansion } from '../providers/expansion.js';
import { checkManifest } from './check-meaning.js';
import { createLocator, type ManifestSource } from './locate.js';
import { manifestSchema, type Manifest } from './schema.js';

/** Options of {@link parseManifest} and {@link validateManifest}. */
export interface ParseOptions {
  /** The text the value was read from, so issues carry `file:line:column`. */
  readonly source?: ManifestSource | undefined;
  /** A file name for messages when there is no source text (TS/JS manifests). */
  readonly file?: string | undefined;
}

/** The outcome of {@link validateManifest}: the manifest when valid, and every issue found. */
export interface ValidationResult {
  /** The parsed, deep-frozen manifest; `undefined` when there are errors. */
  readonly manifest: Manifest | undefined;
  /** Errors and warnings, errors first. */
  readonly issues: readonly ManifestIssue[];
  /** What each `issuers.<id>.preset` expanded into, by issuer id (before explicit values won). */
  readonly presets?: Readonly<Record<string, PresetExpansion>>;
}

/** Unwraps zod wrappers (optional, default, prefault, pipe...) down to the schema that holds keys. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    const next = def.innerType ?? def.in;
    if (!next) return current;
    current = next;
  }
}

/** The keys the object schema at `path` accepts, for "did you mean" hints. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let schema = unwrap(manifestSchema);
  for (const part of path) {
    const def = schema._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      element?: z.core.$ZodType;
      valueType?: z.core.$ZodType;
    };
    if (def.type === 'object' && def.shape && typeof part === 'string' && def.shape[part])
      schema = unwrap(def.shape[part]);
    else if (def.type === 'array' && def.element) schema = unwrap(def.element);
    else if (def.type === 'record' && def.valueType) schema = unwrap(def.valueType);
    else return [];
  }
  const def = schema._zod.def as { type: string; shape?: Record<string, unknown> };
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** zod's issue codes, mapped onto the library's own stable ones (zod's may change between majors). */
const SHAPE_CODES: Readonly<
  Record<Exclude<z.core.$ZodIssue['code'], 'unrecognized_keys' | 'invalid_key'>, ManifestIssueCode>
> = Object.freeze({
  invalid_type: 'wrong_type',
  too_big: 'out_of_range',
  too_small: 'out_of_range',
  not_multiple_of: 'out_of_range',
  invalid_format: 'invalid_format',
  invalid_value: 'invalid_value',
  invalid_union: 'invalid_value',
  invalid_element: 'invalid_value',
  custom: 'invalid_value',
});

function fromZod(issue: z.core.$ZodIssue): ManifestIssue[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path);
    return issue.keys.map((key) => ({
      severity: 'error' as const,
      code: 'unknown_key',
      path: [...path, key],
      message: `unknown key "${key}".${didYouMean(key, known)}`,
    }));
  }
  if (issue.code === 'invalid_key') {
    // A record key that fails its own schema (e.g. an issuer id): say which key and why.
    const key = String(path.at(-1));
    const why = issue.issues.map((i) => i.message.replace(/^Invalid input: /, '')).join('; ');
    return [{ severity: 'error', code: issue.code, path, message: `invalid key "${key}": ${why}` }];
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  return [{ severity: 'error', code: SHAPE_CODES[issue.code], path, message }];
}

/**
 * Copies plain objects and arrays (other values, functions included, are kept as they are), so
 * that freezing the parsed manifest never freezes objects the caller still owns: zod passes
 * `unknown` values (transpile patches, extra metadata, JWKs) through by reference.
 */
function copyData<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyData) as T;
  if (!value || typeof value !== 'object') return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    Object.defineProperty(out, key, {
      value: copyData(child),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out as T;
}

function sortIssues(issues: ManifestIssue[]): ManifestIssue[] {
  return issues.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

/**
 * Validates a manifest value (shape, then meaning) without throwing.
 *
 * @example
 * ```ts
 * const { manifest, issues } = validateManifest(JSON.parse(text));
 * for (const issue of issues) console.log(formatIssue(issue));
 * ```
 */
export function validateManifest(value: unknown, options: ParseOptions = {}): ValidationResult {
  // Presets expand into ordinary values first; explicit values in the manifest win.
  const expanded = expandPresets(value);
  const result = manifestSchema.safeParse(expanded.value);
  let issues: ManifestIssue[];
  let manifest: Manifest | undefined;
  if (result.success) {
    issues = [...expanded.issues, ...checkManifest(result.data)];
    manifest = issues.some((i) => i.severity === 'error') ? undefined : deepFreeze(copyData(result.data));
  } else {
    issues = result.error.issues.flatMap(fromZod);
  }
  if (options.source) {
    const locate = createLocator(options.source);
    issues = issues.map((issue) => ({ ...issue, location: locate(issue.path) }));
  }
  return {
    manifest,
    issues: Object.freeze(sortIssues(issues)),
    presets: deepFreeze(copyData(expanded.expansions)),
  };
}

/**
 * Validates a manifest and returns it normalised (defaults filled in) and deep-frozen, or throws a
 * {@link ManifestError} listing every error with its JSON path (and `file:line:column` when a
 * source text is given). Warnings do not throw; use {@link validateManifest} to see them.
 *
 * @example
 * ```ts
 * const manifest = parseManifest({
 *   issuers: { main: { issuer: 'https://auth.example.com' } },
 *   resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['main'] }],
 * });
 * manifest.resources[0].token.clockTolerance; // 30
 * ```
 * @throws {ManifestError} `manifest_invalid`
 */
export function parseManifest(value: unknown, options: ParseOptions = {}): Manifest {
  const { manifest, issues } = validateManifest(value, options);
  if (!manifest) {
    throw new ManifestError('manifest_invalid', issues, { file: options.source?.file ?? options.file });
  }
  return manifest;
}
