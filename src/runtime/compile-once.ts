/**
 * `compileOnce()`: a lazy, memoised runtime for serverless handlers and code a build evaluates
 * (Next.js collects route modules at build time, when the environment is unset and the issuer
 * may be unreachable). Nothing runs when the getter is made; the first call compiles, every later
 * call gets the same runtime, and a failed compile is forgotten so the next call tries again.
 * @module
 */
import type { Manifest, ManifestInput } from '../manifest/schema.js';
import { compile, type CompileOptions } from './compile.js';
import { McpAuth } from './mcp-auth.js';

/** What a {@link compileOnce} source may give: a manifest object, or a compiled runtime. */
export type CompileSource = ManifestInput | Manifest | McpAuth;

/**
 * The getter {@link compileOnce} returns: call it (from a request handler) for the runtime.
 *
 * @example
 * ```ts
 * const getAuth: GetAuth = compileOnce(() => compile());
 * const auth = await getAuth();
 * ```
 */
export interface GetAuth<A extends unknown[] = []> {
  /**
   * The runtime, compiled at the first call; `args` reach the source and options functions of
   * that compile only (Workers' `env`, for example).
   */
  (...args: A): Promise<McpAuth>;
  /** Closes the runtime compiled so far, if any, and forgets it: the next call compiles again. */
  readonly close: () => Promise<void>;
}

/**
 * Makes a getter that compiles on first use and memoises the runtime. `source` is a manifest
 * object, or a function (called at the first compile, with the getter's arguments) that returns
 * one, or returns a runtime: `() => compile('./mcp-auth.config.yaml')` loads a file through the
 * `compile()` of `mcp-auth-config`. `options` may be a function too, so the environment is read
 * at the first request, not when the module is imported. Concurrent first calls share one
 * compile; a rejected compile is not kept (the callers waiting on it get the error, the next call
 * starts afresh). Neither the network nor the environment is touched before the first call.
 *
 * @example
 * ```ts
 * // app/mcp/route.ts (Next.js route handler): safe during `next build`
 * import { compile, compileOnce } from 'mcp-auth-config';
 * import { createFetchAuth } from 'mcp-auth-config/fetch';
 *
 * const getAuth = compileOnce(() => compile()); // finds mcp-auth.config.* at the first request
 *
 * export async function POST(request: Request): Promise<Response> {
 *   const mcpAuth = createFetchAuth(await getAuth());
 *   return (await mcpAuth(request)) ?? handleMcp(request, mcpAuth.authFor(request));
 * }
 * ```
 * @example
 * ```ts
 * // Cloudflare Workers: the manifest built from the platform's env at the first request
 * import { compileOnce, protectFetchHandler } from 'mcp-auth-config/fetch';
 * const getAuth = compileOnce((env: Env) => manifestFor(env), (env: Env) => ({ env }));
 * export default {
 *   async fetch(request: Request, env: Env, ctx: ExecutionContext) {
 *     return protectFetchHandler(await getAuth(env), app)(request, env, ctx);
 *   },
 * };
 * ```
 */
export function compileOnce<A extends unknown[] = []>(
  source: CompileSource | ((...args: A) => CompileSource | Promise<CompileSource>),
  options?: CompileOptions | ((...args: A) => CompileOptions),
): GetAuth<A> {
  let pending: Promise<McpAuth> | undefined;
  const build = async (args: A): Promise<McpAuth> => {
    const given = typeof source === 'function' ? await source(...args) : source;
    if (given instanceof McpAuth) return given;
    return compile(given, typeof options === 'function' ? options(...args) : options);
  };
  const getAuth = (...args: A): Promise<McpAuth> => {
    if (!pending) {
      const attempt = build(args);
      pending = attempt;
      // A failure is not memoised: the next call compiles again.
      attempt.catch(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  };
  const close = async (): Promise<void> => {
    const current = pending;
    pending = undefined;
    const auth = await current?.catch(() => undefined);
    await auth?.close();
  };
  return Object.freeze(Object.assign(getAuth, { close }));
}
