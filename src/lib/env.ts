/**
 * Environment variables as the library reads them, from whatever object holds them.
 * @module
 */

/**
 * Where variables are read from: `process.env`, a Cloudflare Workers `env` (bindings and all, as
 * its own `interface Env` declares it), or any object. Only members whose value is a string are
 * values: a manifest that names a binding (a KV namespace, a queue) or a number is refused
 * (`env_not_string`, or an `OptionError` for a secret), never given `[object Object]` nor its
 * `${NAME:-default}`. Own members only (an inherited `toString` is no variable), read one at a
 * time, when a manifest names them.
 *
 * @example
 * ```ts
 * const auth = await compile(manifest, { env }); // Workers: the `env` of `fetch(request, env)`
 * ```
 */
export type EnvSource = object;

/**
 * Whether a variable is there but is no string (a binding, a number): a mistake to report,
 * never a reason to fall back to a default.
 *
 * @example
 * ```ts
 * isNonStringEnv({ PORT: 8080 }, 'PORT'); // true
 * ```
 */
export function isNonStringEnv(env: EnvSource, name: string): boolean {
  const value = member(env, name);
  return value !== undefined && typeof value !== 'string';
}

/**
 * The value of one variable: its string, or `undefined` when it is absent or not a string.
 *
 * @example
 * ```ts
 * readEnv({ ISSUER: 'https://auth.example.com', NOTES: kvNamespace }, 'NOTES'); // undefined
 * ```
 */
export function readEnv(env: EnvSource, name: string): string | undefined {
  const value = member(env, name);
  return typeof value === 'string' ? value : undefined;
}

/** An own member only: `toString`, or a string planted on `Object.prototype`, is no variable. */
function member(env: EnvSource, name: string): unknown {
  return Object.hasOwn(env, name) ? (env as Readonly<Record<string, unknown>>)[name] : undefined;
}

/**
 * Why a variable cannot serve as a secret: unset, empty (or blank), or not a string; `undefined`
 * when it can. Worded to follow "environment variable NAME is …".
 *
 * @example
 * ```ts
 * secretProblem({ SECRET: ' ' }, 'SECRET'); // 'empty'
 * ```
 */
export function secretProblem(env: EnvSource, name: string): string | undefined {
  if (isNonStringEnv(env, name)) return 'not a string (a platform binding?)';
  const value = readEnv(env, name);
  if (value === undefined) return 'not set';
  return value.trim() === '' ? 'empty' : undefined;
}
