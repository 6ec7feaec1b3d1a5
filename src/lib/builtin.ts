/**
 * Node built-in modules, where the runtime has them, looked up without importing them: modules
 * that use these stay loadable on runtimes with Web APIs only (workerd without `nodejs_compat`).
 * @module
 */
import type * as NodeCryptoModule from 'node:crypto';

/** `node:crypto`'s module type. */
export type NodeCrypto = typeof NodeCryptoModule;

/**
 * A Node built-in module, when the runtime has it (Node, Deno, Bun, workerd with
 * `nodejs_compat`); `null` elsewhere.
 *
 * @example
 * ```ts
 * const os = builtin<typeof import('node:os')>('node:os'); // null on workerd without nodejs_compat
 * ```
 */
export function builtin<T>(id: string): T | null {
  const host = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
  try {
    return (host.process?.getBuiltinModule?.(id) as T | undefined) ?? null;
  } catch {
    return null;
  }
}

/**
 * The runtime's `node:crypto`, looked up once (`null` where there is none).
 *
 * @example
 * ```ts
 * const backend = NODE_CRYPTO ? 'node' : 'webcrypto';
 * ```
 */
export const NODE_CRYPTO: NodeCrypto | null = builtin<NodeCrypto>('node:crypto');
