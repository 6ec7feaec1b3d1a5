/**
 * The one retry-backoff formula of the library, used after failed issuer-metadata and key-set
 * fetches and token-endpoint calls alike: exponential from a floor, capped, with jitter that
 * never goes below the floor, and never sooner than the server's `Retry-After` (up to the cap).
 * @module
 */
import { DiscoveryError } from '../errors.js';

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

/**
 * How long to wait after this failure: {@link retryDelayMs}, lengthened to the `Retry-After` the
 * server sent with it (a {@link DiscoveryError}'s `retryAfterMs`, on the error or its `cause`),
 * but never past `bounds.maxMs`: a server that asks for an hour gets the cap, so one answer
 * cannot switch an issuer off for longer than a run of failures would.
 *
 * @example
 * ```ts
 * retryAt = Date.now() + backoffDelayMs(++failures, bounds, err); // 429 with Retry-After: 20 -> >= 20 s
 * ```
 */
export function backoffDelayMs(failures: number, bounds: BackoffBounds, failure: unknown): number {
  const delay = retryDelayMs(failures, bounds);
  const asked = askedDelayMs(failure);
  return asked === undefined ? delay : Math.max(delay, Math.min(asked, bounds.maxMs));
}

/** The `Retry-After` of a failure, in ms: on the error itself or the error it wraps. */
function askedDelayMs(failure: unknown): number | undefined {
  for (let err = failure, depth = 0; err instanceof Error && depth < 3; err = err.cause, depth++) {
    if (err instanceof DiscoveryError && err.retryAfterMs !== undefined) return err.retryAfterMs;
  }
  return undefined;
}
