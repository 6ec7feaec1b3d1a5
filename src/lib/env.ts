/**
 * Environment variables as the library reads them, from whatever object holds them.
 * @module
 */

/**
 * Where variables are read from: `process.env`, a Cloudflare Workers `env` (bindings and all, as
 * its own `interface Env` declares it), or any object. Only members whose value is a string count
 * as set: a binding (a KV namespace, a queue) reads as unset, so it is never interpolated into a
 * manifest nor taken for a secret. Members are read one at a time, when a manifest names them.
 *
 * @example
 * ```ts
 * const auth = await compile(manifest, { env }); // Workers: the `env` of `fetch(request, env)`
 * ```
 */
export type EnvSource = object;

/**
 * The value of one variable: its string, or `undefined` when it is absent or not a string.
 *
 * @example
 * ```ts
 * readEnv({ ISSUER: 'https://auth.example.com', NOTES: kvNamespace }, 'NOTES'); // undefined
 * ```
 */
export function readEnv(env: EnvSource, name: string): string | undefined {
  const value = (env as Readonly<Record<string, unknown>>)[name];
  return typeof value === 'string' ? value : undefined;
}
