/**
 * The live state of one issuer inside a runtime: resolved once per compile, optionally refreshed,
 * and in lazy start-up retried in the background with the shared backoff ({@link backoffDelayMs}).
 * @module
 */
import { DiscoveryError } from '../errors.js';
import { BACKOFF_DEFAULTS, backoffDelayMs } from '../lib/backoff.js';
import { resolveIssuer, type ResolveContext, type ResolvedIssuer } from './resolve.js';
import type { Transpile } from './transpile.js';
import type { IssuerEntry } from '../manifest/schema.js';

/** How an issuer is kept fresh. */
export interface IssuerMetadataOptions {
  /** Re-fetch this often (ms); 0 = never. A failed refresh keeps the last good document. */
  readonly refreshMs: number;
  /** Backoff bounds for retries after a failure (ms); default {@link BACKOFF_DEFAULTS}. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

type Entry = Pick<IssuerEntry, 'issuer' | 'wellKnownUrl' | 'metadata' | 'type'> & {
  transpile?: Transpile | undefined;
};

/**
 * One issuer's metadata with single-flight resolution. `get()` never starts a second fetch while
 * one is in flight, and does not fetch at all while a retry backoff is pending (it rejects with
 * the last error at once, so an outage is not hammered by incoming requests).
 */
export class IssuerMetadata {
  readonly id: string;
  #entry: Entry;
  #context: ResolveContext;
  #options: IssuerMetadataOptions;
  #current: ResolvedIssuer | undefined;
  #inflight: Promise<ResolvedIssuer> | undefined;
  #lastError: DiscoveryError | undefined;
  #retryAt = 0;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(id: string, entry: Entry, context: ResolveContext, options: IssuerMetadataOptions) {
    this.id = id;
    this.#entry = entry;
    this.#context = context;
    this.#options = options;
  }

  /** The last good resolution, if any. */
  get current(): ResolvedIssuer | undefined {
    return this.#current;
  }

  /** Milliseconds until the next retry is allowed (0 when a fetch may start now). */
  get retryAfterMs(): number {
    return Math.max(0, this.#retryAt - Date.now());
  }

  /** The resolved metadata, resolving it when needed. */
  get(): Promise<ResolvedIssuer> {
    if (this.#current) return Promise.resolve(this.#current);
    if (this.#inflight) return this.#inflight;
    if (this.#lastError && Date.now() < this.#retryAt) return Promise.reject(this.#lastError);
    return this.#resolve();
  }

  /** Starts background work: periodic refresh, or retries in lazy mode after a failure. */
  start(): void {
    this.#schedule();
  }

  /** Stops timers. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #resolve(): Promise<ResolvedIssuer> {
    const attempt = resolveIssuer(this.id, this.#entry, this.#context).then(
      (resolved) => {
        // A refresh that names another issuer is refused: keep the last good document.
        if (this.#current && resolved.issuer !== this.#current.issuer) return this.#current;
        this.#current = resolved;
        this.#lastError = undefined;
        this.#failures = 0;
        this.#retryAt = 0;
        return resolved;
      },
      (err: unknown) => {
        const error =
          err instanceof DiscoveryError
            ? err
            : new DiscoveryError('network', `resolving issuer "${this.id}" failed`, {
                issuerId: this.id,
                cause: err,
              });
        this.#lastError = error;
        this.#failures++;
        this.#retryAt = Date.now() + this.#backoffMs(error);
        if (this.#current) return this.#current;
        throw error;
      },
    );
    this.#inflight = attempt.finally(() => {
      this.#inflight = undefined;
      this.#schedule();
    });
    return this.#inflight;
  }

  #backoffMs(error: DiscoveryError): number {
    const bounds = {
      minMs: this.#options.retryMinMs ?? BACKOFF_DEFAULTS.minMs,
      maxMs: this.#options.retryMaxMs ?? BACKOFF_DEFAULTS.maxMs,
    };
    return backoffDelayMs(this.#failures, bounds, error);
  }

  #schedule(): void {
    if (this.#closed || this.#inflight) return;
    clearTimeout(this.#timer);
    let delay: number | undefined;
    if (!this.#current && this.#lastError) delay = this.retryAfterMs;
    else if (this.#current && this.#options.refreshMs > 0)
      delay = this.#lastError ? this.retryAfterMs : this.#options.refreshMs;
    if (delay === undefined) return;
    // A refresh or a retry: a failure is recorded by #resolve and the last good document kept.
    this.#timer = setTimeout(() => void this.#resolve().catch(() => undefined), delay);
    // A number on workerd and in browsers: only Node-style timers can be unreferenced.
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
