/**
 * The one retry-backoff formula of the library, used after failed issuer-metadata and key-set
 * fetches alike: exponential from a floor, capped, with jitter that never goes below the floor.
 * @module
 */

/**
 * Bounds of a {@link retryDelayMs} backoff (milliseconds).
 *
 * @example
 * ```ts
 * const bounds: BackoffBounds = { minMs: 500, maxMs: 30_000 };
 * ```
 */
export interface BackoffBounds {
  /** The floor: no retry is ever sooner than this after a failure. */
  readonly minMs: number;
  /** The cap the exponential growth stops at. */
  readonly maxMs: number;
}

/**
 * The bounds used when a caller gives none: 1 s after the first failure, at most 60 s.
 *
 * @example
 * ```ts
 * retryDelayMs(1, BACKOFF_DEFAULTS); // 1000
 * ```
 */
export const BACKOFF_DEFAULTS: BackoffBounds = Object.freeze({ minMs: 1000, maxMs: 60_000 });

/**
 * How long to wait before retrying after `failures` consecutive failures (1 = the first): the
 * step doubles from `minMs` up to `maxMs`, then a random point in its upper half is taken (so
 * many runtimes do not retry in step), and never less than `minMs`. The first retry is exactly
 * `minMs` after the failure.
 *
 * @example
 * ```ts
 * retryAt = Date.now() + retryDelayMs(++failures); // 1000, then 1000..2000, 2000..4000, ...
 * ```
 */
export function retryDelayMs(
  failures: number,
  bounds: BackoffBounds = BACKOFF_DEFAULTS,
  random: () => number = Math.random,
): number {
  const minMs = Math.max(0, bounds.minMs);
  const maxMs = Math.max(minMs, bounds.maxMs);
  const step = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.max(minMs, Math.round(step / 2 + random() * (step / 2)));
}
