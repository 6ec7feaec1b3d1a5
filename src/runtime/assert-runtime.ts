/**
 * The one check every adapter makes of what it was given: a compiled {@link McpAuth}, not a
 * promise of one (the classic `register(mcpAuth, { auth: compile() })` without `await`), not a
 * manifest, not nothing.
 * @module
 */
import { OptionError } from '../errors.js';
import type { McpAuth } from './mcp-auth.js';

/**
 * Returns `auth` when it is a compiled runtime, else throws an `OptionError` that says what to do.
 *
 * @example
 * ```ts
 * assertRuntime(compile(), 'mcpAuth plugin options.auth'); // OptionError: ... is a Promise: await compile() first
 * ```
 */
export function assertRuntime(auth: unknown, where: string): McpAuth {
  // By shape, not instanceof: two copies of the package (a bundle and node_modules) must still work.
  if (isRuntime(auth)) return auth;
  if (auth !== null && typeof auth === 'object' && typeof (auth as { then?: unknown }).then === 'function') {
    throw new OptionError(
      `${where} is a Promise: await compile() first, then pass the runtime it resolves to`,
    );
  }
  const kind = auth === null ? 'null' : typeof auth;
  throw new OptionError(
    `${where} must be the runtime returned by await compile(...), not ${kind === 'object' ? 'a plain object' : kind}`,
  );
}

function isRuntime(value: unknown): value is McpAuth {
  const candidate = value as Partial<
    Record<'handle' | 'authenticate' | 'handleMetadataRequest', unknown>
  > | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.handle === 'function' &&
    typeof candidate.authenticate === 'function' &&
    typeof candidate.handleMetadataRequest === 'function'
  );
}
