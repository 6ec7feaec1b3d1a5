import type { ManifestIssue } from '../errors.js';
import { isNonStringEnv, readEnv, type EnvSource } from '../lib/env.js';

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string value (not in keys) of a JSON/YAML
 * manifest; `$${` writes a literal `${`. An unset variable without a default is reported with
 * its name and JSON path; an empty variable counts as set (as in POSIX `:-`, the default applies
 * to unset *or empty*).
 *
 * @example
 * ```ts
 * interpolateEnv({ issuer: '${ISSUER:-http://127.0.0.1:3000}' }, process.env);
 * ```
 */
export function interpolateEnv(value: unknown, env: EnvSource): { value: unknown; issues: ManifestIssue[] } {
  const issues: ManifestIssue[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
        if (match === '$${') return '${';
        if (isNonStringEnv(env, name!)) {
          issues.push({
            severity: 'error',
            code: 'env_not_string',
            path,
            message: `environment variable ${name} is not a string (a platform binding?); name a string variable`,
          });
          return match;
        }
        const set = readEnv(env, name!);
        if (set !== undefined && set !== '') return set;
        if (fallback !== undefined) return fallback;
        if (set === '') return '';
        issues.push({
          severity: 'error',
          code: 'unset_env',
          path,
          message: `environment variable ${name} is not set; set it or write \${${name}:-default}`,
        });
        return match;
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        Object.defineProperty(out, key, {
          value: walk(child, [...path, key]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    return node;
  };
  return { value: walk(value, []), issues };
}
