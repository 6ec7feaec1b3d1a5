/**
 * A hot-reloadable runtime: a holder whose {@link McpAuth} can be replaced while the server runs.
 * A reload compiles the new manifest completely before anything changes, then swaps it in with
 * one assignment: a request that started on the old runtime finishes on it, the next one gets
 * the new one. A manifest that does not load or compile changes nothing.
 * @module
 */
import type { McpAuth } from './mcp-auth.js';

/** What {@link Reloadable.reload} resolves to: it never rejects. */
export type ReloadResult = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/** One request's hold on a runtime: the old runtime is not closed while a lease on it is open. */
export interface RuntimeLease {
  readonly auth: McpAuth;
  /** Ends the hold (idempotent). */
  release(): void;
}

/** Options of {@link createReloadable}. */
export interface ReloadableOptions {
  /** The first runtime, when already compiled (otherwise `load()` is called once up front). */
  readonly initial?: McpAuth | undefined;
  /**
   * How long a replaced runtime stays open at least, for callers that took it with `current()`
   * (no lease) and are still verifying a token with it, in ms. Default 5 000.
   */
  readonly graceMs?: number | undefined;
  /** How long a replaced runtime waits for open leases before it is closed anyway, in ms. Default 60 000. */
  readonly drainTimeoutMs?: number | undefined;
}

/** A holder of the runtime in use; see {@link createReloadable}. */
export interface Reloadable {
  /** The runtime for a new request. */
  current(): McpAuth;
  /**
   * The runtime for a new request, held until `release()`: for work that outlives one call
   * (a streamed response), so the runtime is not closed under it.
   */
  acquire(): RuntimeLease;
  /**
   * Loads and compiles again and swaps the result in. Resolves `{ ok: false, error }` (the
   * `ManifestError`, `DiscoveryError`... thrown by `load`) and keeps the current runtime when
   * that fails. Calls are serialised: a reload waits for the one before it.
   */
  reload(): Promise<ReloadResult>;
  /** Closes the current runtime and every replaced one still open. Further reloads fail. */
  close(): Promise<void>;
}

interface Held {
  readonly auth: McpAuth;
  leases: number;
  retired?: { readonly since: number; readonly timer: NodeJS.Timeout } | undefined;
  closed?: Promise<void> | undefined;
}

/**
 * A runtime that can be reloaded without dropping requests, for a Fastify, Express or
 * `node:http` server that hot-reloads its manifest (the gateway's `--watch` and SIGHUP use the
 * same holder). `load` must return a fully compiled runtime (`compile(...)`), or throw; nothing
 * changes until it resolves. A replaced runtime is closed once its leases are released and
 * `graceMs` has passed, or at `drainTimeoutMs` at the latest.
 *
 * What it does NOT do: watch files (call `reload()` from your watcher or signal handler), or
 * re-register routes in your framework (mount handlers that read `current()` per request).
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { compile, createReloadable, type McpAuth } from 'mcp-auth-config';
 * import { requireAuth, type ExpressMiddleware } from 'mcp-auth-config/express';
 *
 * const auth = await createReloadable(() => compile('./mcp-auth.config.json'));
 * // Decide each request with the runtime current when it arrives (one guard per runtime).
 * const guards = new WeakMap<McpAuth, ExpressMiddleware>();
 * const app = express();
 * app.use('/mcp', (req, res, next) => {
 *   const current = auth.current();
 *   let guard = guards.get(current);
 *   if (!guard) guards.set(current, (guard = requireAuth(current)));
 *   guard(req, res, next);
 * });
 * process.on('SIGHUP', () => {
 *   void auth.reload().then((result) => {
 *     // On failure the last good manifest keeps serving; ManifestError lists file:line:column.
 *     if (!result.ok) console.error(String(result.error));
 *   });
 * });
 * ```
 * @throws whatever the first `load()` throws, when no `initial` runtime is given
 */
export async function createReloadable(
  load: () => Promise<McpAuth>,
  options: ReloadableOptions = {},
): Promise<Reloadable> {
  const graceMs = options.graceMs ?? 5000;
  const drainTimeoutMs = options.drainTimeoutMs ?? 60_000;
  let live: Held = { auth: options.initial ?? (await load()), leases: 0 };
  const retired = new Set<Held>();
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const closeHeld = (held: Held): Promise<void> => {
    if (held.retired) clearTimeout(held.retired.timer);
    retired.delete(held);
    return (held.closed ??= held.auth.close().catch(() => undefined));
  };
  /** Closes a replaced runtime when nothing holds it and the grace period is over. */
  const settle = (held: Held): void => {
    if (!held.retired || held.closed || held.leases > 0) return;
    const left = graceMs - (Date.now() - held.retired.since);
    if (left <= 0) return void closeHeld(held);
    clearTimeout(held.retired.timer);
    held.retired = { since: held.retired.since, timer: setTimeout(() => settle(held), left) };
    held.retired.timer.unref();
  };
  const retire = (held: Held): void => {
    const since = Date.now();
    const timer = setTimeout(() => void closeHeld(held), Math.max(graceMs, drainTimeoutMs));
    timer.unref();
    held.retired = { since, timer };
    retired.add(held);
    settle(held);
  };

  const reloadOnce = async (): Promise<ReloadResult> => {
    if (closed) return { ok: false, error: new Error('mcp-auth-config: the reloadable runtime is closed') };
    let next: McpAuth;
    try {
      next = await load();
    } catch (error) {
      return { ok: false, error };
    }
    if (closed) {
      await next.close();
      return { ok: false, error: new Error('mcp-auth-config: the reloadable runtime is closed') };
    }
    const previous = live;
    live = { auth: next, leases: 0 };
    retire(previous);
    return { ok: true };
  };

  return {
    current: () => live.auth,
    acquire: () => {
      const held = live;
      held.leases++;
      let released = false;
      return {
        auth: held.auth,
        release: () => {
          if (released) return;
          released = true;
          held.leases--;
          settle(held);
        },
      };
    },
    reload: () => {
      const run = queue.then(reloadOnce);
      queue = run;
      return run;
    },
    close: async () => {
      closed = true;
      await queue;
      await Promise.all([...retired].map(closeHeld));
      await closeHeld(live);
    },
  };
}
