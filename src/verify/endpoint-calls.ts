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
 * Whether a failed call says the endpoint is down: a fetch failure that is `transient` (a
 * timeout, a network error, HTTP 429 or 5xx), but for 500 and 501. So a 5xx from 502 up counts
 * (gateways and CDNs: 502, 503, 504, Cloudflare's 520-527...). Not a 500 or 501
 * (what a server answers when one request trips a bug, so an attacker's token could trigger
 * it), nor any other status or answer: those fail their own call and change nothing here.
 */
function endpointDown(err: unknown): boolean {
  const failure = fetchFailure(err);
  return failure !== undefined && failure.transient && failure.status !== 500 && failure.status !== 501;
}

/** A token no authorization server issued, for the breaker's own probes. */
function probeToken(): string {
  return `mcp-auth-config-probe-${globalThis.crypto.randomUUID()}`;
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
 *   the endpoint is down (see `endpointDown`), or at once when such a failure carries a
 *   `Retry-After`, it opens: new tokens are refused at once with `unavailable` (503 with
 *   `Retry-After`) for {@link ENDPOINT_BACKOFF}, instead of each waiting for a dead endpoint.
 *   Then the breaker asks the endpoint itself, about a token of its own that no one issued
 *   (so no caller chooses what the probe meets), while new tokens wait for that answer (they
 *   count against the bound): any answer closes the breaker, a failure opens it again, for
 *   longer. The backoff starts over only after a verdict on a token (valid or not), so an edge
 *   that refuses the junk probe token cannot keep it short. A call refused for its own token in
 *   another way (a 4xx that is no verdict, a 500) fails alone and changes nothing, so a token
 *   an attacker chose can neither open the breaker for others nor keep it from opening.
 *   Cached tokens are not affected.
 *
 * @example
 * ```ts
 * const calls = new EndpointCalls<Record<string, unknown>>();
 * const answer = await calls.call(token, (t) => postToEndpoint(t));
 * ```
 */
export class EndpointCalls<T> {
  readonly #inflight = new Map<string, Promise<T>>();
  /** Calls in a row that failed because the endpoint is down. */
  #failures = 0;
  /** Whether the breaker is open (refusing until `#openUntil`, then probing). */
  #open = false;
  /** How many times it opened since the endpoint last gave a verdict: the backoff grows with it. */
  #openings = 0;
  /** Until when the open breaker refuses every new call. */
  #openUntil = 0;
  /** The breaker's own call once its time is up, while it is pending. */
  #probe: Promise<void> | undefined;
  /** Requests waiting for that call (they count against {@link ENDPOINT_MAX_PENDING}). */
  #waiting = 0;

  /**
   * The answer of `ask(token)`: the pending call's when there is one, else a new call. `ask` is
   * also how the breaker asks about a token of its own.
   *
   * @throws {TokenError} `unavailable` while the breaker is open or the calls in flight are at their bound; whatever `ask` throws
   */
  async call(token: string, ask: (token: string) => Promise<T>): Promise<T> {
    const pending = this.#inflight.get(token);
    if (pending) return pending;
    if (this.#open) {
      const waitMs = this.#openUntil - Date.now();
      if (waitMs > 0) throw refusal(Math.ceil(waitMs / 1000));
      if (this.#inflight.size + this.#waiting >= ENDPOINT_MAX_PENDING) throw refusal(1);
      this.#waiting++;
      await this.#halfOpen(ask).finally(() => this.#waiting--);
      const again = this.#inflight.get(token); // asked while this request waited for the probe
      if (again) return again;
      if (this.#open) throw refusal(Math.max(1, Math.ceil((this.#openUntil - Date.now()) / 1000)));
    }
    if (this.#inflight.size >= ENDPOINT_MAX_PENDING) throw refusal(1);
    const started = ask(token)
      .then(
        (answer) => {
          this.#close(true);
          return answer;
        },
        (err: unknown) => {
          throw this.#failed(err);
        },
      )
      .finally(() => this.#inflight.delete(token));
    this.#inflight.set(token, started);
    return started;
  }

  /** Once the breaker's time is up: its own call, which the new tokens wait for (one at a time). */
  #halfOpen(ask: (token: string) => Promise<T>): Promise<void> {
    this.#probe ??= ask(probeToken())
      .then(
        () => this.#close(true),
        (err: unknown) => {
          // Refused some other way (a WAF's 403 for a junk token): reachable, but no verdict, so
          // the next opening still waits longer.
          if (!endpointDown(err)) this.#close(false);
          else if (this.#open) this.#trip(err); // unless another call's answer closed it meanwhile
        },
      )
      .finally(() => (this.#probe = undefined));
    return this.#probe;
  }

  /** The endpoint answered: the breaker is closed; after a verdict on a token, its backoff starts over. */
  #close(verdict: boolean): void {
    this.#open = false;
    this.#failures = 0;
    if (verdict) this.#openings = 0;
  }

  /** Opens the breaker (again), for longer each time until a verdict. */
  #trip(err: unknown): void {
    this.#open = true;
    this.#openUntil = Date.now() + backoffDelayMs(++this.#openings, ENDPOINT_BACKOFF, err);
  }

  /** Counts a failure, opens the breaker when it is due, and gives the error to throw. */
  #failed(err: unknown): unknown {
    if (!endpointDown(err)) return err;
    this.#failures++;
    // Once open, only the breaker's own probe opens it again: calls that were in flight do not.
    if (
      !this.#open &&
      (this.#failures >= ENDPOINT_FAILURES_TO_OPEN || fetchFailure(err)!.retryAfterMs !== undefined)
    )
      this.#trip(err);
    const waitMs = this.#openUntil - Date.now();
    if (!this.#open || waitMs <= 0) return err;
    // The request whose call opened (or found open) the breaker is told the breaker's wait.
    return new TokenError('unavailable', 'issuer_unavailable', {
      retryAfterSeconds: Math.ceil(waitMs / 1000),
      cause: (err as TokenError).cause,
    });
  }
}

/** The refusal of a call that is not made. */
function refusal(retryAfterSeconds: number): TokenError {
  return new TokenError('unavailable', 'issuer_unavailable', { retryAfterSeconds });
}
