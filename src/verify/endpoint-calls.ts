/**
 * How the calls one endpoint gets for tokens (introspection, token information) are made under
 * load: one call at a time per token, a bound on calls in flight, and a circuit breaker that
 * stops calling an endpoint that is down, without letting one bad token switch it off.
 * @module
 */
import { DiscoveryError, TokenError } from '../errors.js';
import { backoffDelayMs, type BackoffBounds } from '../lib/backoff.js';

/**
 * How long the breaker stays open: 1 s the first time, doubling up to 30 s while the endpoint
 * keeps failing (longer when its `Retry-After` asks for it, up to the cap).
 */
export const ENDPOINT_BACKOFF: BackoffBounds = Object.freeze({ minMs: 1000, maxMs: 30_000 });

/** Failures of the endpoint in a row, with no answer between them, that open the breaker. */
export const ENDPOINT_FAILURES_TO_OPEN = 5;

/**
 * The most calls one endpoint has in flight for distinct tokens. The pool gives it 16 sockets,
 * so a call waits behind at most three rounds of others: at the default 5 s deadline, a healthy
 * endpoint answering within about 1.2 s never times out a call that is queued. Past the bound a
 * new token is refused at once with `unavailable` (`Retry-After: 1`): a flood of made-up opaque
 * tokens costs bounded memory here and a bounded load on the authorization server.
 */
export const ENDPOINT_MAX_PENDING = 64;

/** The fetch failure behind a failed call, when it is one. */
function fetchFailure(err: unknown): DiscoveryError | undefined {
  return err instanceof TokenError && err.code === 'unavailable' && err.cause instanceof DiscoveryError
    ? err.cause
    : undefined;
}

/**
 * What a failed call says about the endpoint: `down` (a timeout, a network error, HTTP 5xx or
 * 429), `up` (it answered, refusing this one call: any other status, a redirect, a body that is
 * not a JSON object or too large), or nothing (the call was never made as asked).
 */
function endpointState(err: unknown): 'down' | 'up' | undefined {
  const failure = fetchFailure(err);
  if (!failure) return undefined;
  if (failure.transient) return 'down';
  return ['http_status', 'redirect', 'not_json', 'too_large'].includes(failure.code) ? 'up' : undefined;
}

/**
 * The calls made to one remote token endpoint, shared by every resource whose tokens it checks.
 *
 * - **One call per token in flight.** Requests that carry the same token while its call is
 *   pending share that call's answer (an MCP client typically sends its first requests with a
 *   new token in parallel). Answers are not kept once given: the verified-token cache keeps
 *   positive results, and negative ones are never kept (an authorization server that replicates
 *   may call a token inactive just before it learns of it).
 * - **A bound on calls in flight**: {@link ENDPOINT_MAX_PENDING}. A refusal at the bound is
 *   no failure of the endpoint.
 * - **A circuit breaker.** After {@link ENDPOINT_FAILURES_TO_OPEN} calls in a row fail because
 *   the endpoint is down (timeout, network error, 5xx, 429), or at once when such a failure
 *   carries a `Retry-After`, it opens: new tokens are refused at once with `unavailable` (503
 *   with `Retry-After`) for {@link ENDPOINT_BACKOFF}, instead of each waiting for a dead
 *   endpoint. Then one call goes through (the others are still refused); its failure opens the
 *   breaker again, for longer. Any answer closes it, a call refused for its own token included
 *   (a 4xx that is no verdict): such a call fails alone, so one bad token cannot hold the others
 *   back. Failures of calls started before the breaker opened do not lengthen it. Cached tokens
 *   are not affected.
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
  /** Calls in a row that failed because the endpoint is down. */
  #failures = 0;
  /** How many times in a row the breaker opened (the backoff grows with it); 0: closed. */
  #openings = 0;
  /** Until when the breaker refuses every new call. */
  #openUntil = 0;
  /** The one call let through once the breaker's time is up, while it is pending. */
  #probe: Promise<T> | undefined;

  constructor(bounds: BackoffBounds = ENDPOINT_BACKOFF) {
    this.#bounds = bounds;
  }

  /**
   * The answer of `ask()` for this token: the pending call's when there is one, else a new call.
   *
   * @throws {TokenError} `unavailable` while the breaker is open or the calls in flight are at their bound; whatever `ask` throws
   */
  call(token: string, ask: () => Promise<T>): Promise<T> {
    const pending = this.#inflight.get(token);
    if (pending) return pending;
    const waitMs = this.#openUntil - Date.now();
    if (waitMs > 0) return refuse(Math.ceil(waitMs / 1000));
    if (this.#probe || this.#inflight.size >= ENDPOINT_MAX_PENDING) return refuse(1);
    const started: Promise<T> = ask()
      .then(
        (answer) => {
          this.#close();
          return answer;
        },
        (err: unknown) => {
          throw this.#failed(err, started);
        },
      )
      .finally(() => {
        this.#inflight.delete(token);
        if (this.#probe === started) this.#probe = undefined;
      });
    if (this.#openings > 0) this.#probe = started; // the breaker's time is up: this call tells
    this.#inflight.set(token, started);
    return started;
  }

  /** The endpoint answered: the breaker is closed, and a pending probe no longer holds others back. */
  #close(): void {
    this.#failures = 0;
    this.#openings = 0;
    this.#openUntil = 0;
    this.#probe = undefined;
  }

  /** Counts a failure, opens the breaker when it is due, and gives the error to throw. */
  #failed(err: unknown, call: Promise<T>): unknown {
    const state = endpointState(err);
    if (state === 'up') this.#close();
    if (state !== 'down') return err;
    const now = Date.now();
    this.#failures++;
    // Once open, only the probe's failure opens it again: calls that were in flight do not.
    const due =
      this.#openings === 0
        ? this.#failures >= ENDPOINT_FAILURES_TO_OPEN || fetchFailure(err)!.retryAfterMs !== undefined
        : call === this.#probe;
    if (due) this.#openUntil = now + backoffDelayMs(++this.#openings, this.#bounds, err);
    if (this.#openUntil <= now) return err;
    // The request whose call opened (or found open) the breaker is told the breaker's wait.
    return new TokenError('unavailable', 'issuer_unavailable', {
      retryAfterSeconds: Math.ceil((this.#openUntil - now) / 1000),
      cause: (err as TokenError).cause,
    });
  }
}

/** The refusal of a call that is not made. */
function refuse(retryAfterSeconds: number): Promise<never> {
  return Promise.reject(new TokenError('unavailable', 'issuer_unavailable', { retryAfterSeconds }));
}
