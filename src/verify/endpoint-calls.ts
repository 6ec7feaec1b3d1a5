/**
 * How the calls one endpoint gets for tokens (introspection, token information) are made under
 * load: one call at a time per token, and none at all for a while after the endpoint failed.
 * @module
 */
import { TokenError } from '../errors.js';
import { backoffDelayMs, type BackoffBounds } from '../lib/backoff.js';

/**
 * The backoff after a failed call: 1 s after the first failure, doubling up to 30 s while the
 * endpoint keeps failing; the first answer resets it.
 */
export const ENDPOINT_BACKOFF: BackoffBounds = Object.freeze({ minMs: 1000, maxMs: 30_000 });

/**
 * The most calls one endpoint has in flight for distinct tokens (the pool gives it 16 sockets;
 * the rest wait for one). Past it, a new token is refused at once with `unavailable`
 * (`Retry-After: 1`) instead of waiting: a flood of made-up opaque tokens then costs a bounded
 * amount of memory here and a bounded load on the authorization server.
 */
export const ENDPOINT_MAX_PENDING = 256;

/**
 * The calls made to one remote token endpoint, shared by every resource whose tokens it checks.
 *
 * - **One call per token in flight.** Requests that carry the same token while its call is
 *   pending share that call's answer (an MCP client typically sends its first requests with a
 *   new token in parallel). Answers are not kept once given: the verified-token cache keeps
 *   positive results, and negative ones are never kept (an authorization server that replicates
 *   may call a token inactive just before it learns of it).
 * - **Backoff after a failure.** When a call fails as `unavailable` (a timeout, a network
 *   error, any non-2xx answer that is not a token verdict, HTTP 429 and 5xx included), calls for
 *   new tokens are refused at once with `unavailable` (503 with `Retry-After`) until
 *   {@link ENDPOINT_BACKOFF} has passed (longer when the endpoint's `Retry-After` asks for it,
 *   up to the cap), instead of each waiting for the endpoint in turn.
 *   Failures of calls that were already in flight do not lengthen it. Cached tokens are not
 *   affected.
 * - **A bound on calls in flight.** At most {@link ENDPOINT_MAX_PENDING} distinct tokens wait
 *   for the endpoint at once; one more is refused with `unavailable` and `Retry-After: 1`,
 *   without a call and without starting the backoff.
 *
 * @example
 * ```ts
 * const calls = new EndpointCalls<Record<string, unknown>>();
 * const answer = await calls.call(token, () => postToEndpoint(token));
 * ```
 */
export class EndpointCalls<T> {
  readonly #inflight = new Map<string, Promise<T>>();
  readonly #bounds: BackoffBounds;
  #failures = 0;
  #retryAt = 0;
  #lastFailure: TokenError | undefined;

  constructor(bounds: BackoffBounds = ENDPOINT_BACKOFF) {
    this.#bounds = bounds;
  }

  /**
   * The answer of `ask()` for this token: the pending call's when there is one, else a new call.
   *
   * @throws {TokenError} `unavailable` while the backoff runs or the calls in flight are at their bound; whatever `ask` throws
   */
  call(token: string, ask: () => Promise<T>): Promise<T> {
    const pending = this.#inflight.get(token);
    if (pending) return pending;
    const waitMs = this.#retryAt - Date.now();
    if (waitMs > 0) return refuse(Math.ceil(waitMs / 1000), this.#lastFailure);
    if (this.#inflight.size >= ENDPOINT_MAX_PENDING) return refuse(1, undefined);
    const started = ask()
      .then(
        (answer) => {
          this.#failures = 0;
          return answer;
        },
        (err: unknown) => {
          if (err instanceof TokenError && err.code === 'unavailable') this.#failed(err);
          throw err;
        },
      )
      .finally(() => this.#inflight.delete(token));
    this.#inflight.set(token, started);
    return started;
  }

  /** Starts (or, once it has run out, lengthens) the backoff. */
  #failed(err: TokenError): void {
    this.#lastFailure = err;
    const now = Date.now();
    if (now < this.#retryAt) return; // a call that was in flight when the backoff began
    this.#retryAt = now + backoffDelayMs(++this.#failures, this.#bounds, err);
  }
}

/** The refusal of a call that is not made. */
function refuse(retryAfterSeconds: number, cause: TokenError | undefined): Promise<never> {
  return Promise.reject(new TokenError('unavailable', 'issuer_unavailable', { retryAfterSeconds, cause }));
}
