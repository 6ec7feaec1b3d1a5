/**
 * One JSON line per request. It names the method, the resource, the statuses, the duration and
 * who called: never a token, a header value other than the identity, a path or a query string.
 * @module
 */

/** One access-log record. */
export interface AccessLogEntry {
  readonly time: string;
  readonly method: string;
  /** The resource identifier the request was matched to, or `null`. */
  readonly resource: string | null;
  readonly status: number;
  readonly durationMs: number;
  readonly subject: string | null;
  readonly clientId: string | null;
  /** The upstream's status, or `null` when nothing was forwarded or it never answered. */
  readonly upstreamStatus: number | null;
}

/** Receives each finished request's record. */
export type AccessLogger = (entry: AccessLogEntry) => void;

/**
 * A logger writing each record as one JSON line to `write` (default: stdout).
 *
 * @example
 * ```ts
 * const log = jsonLineLogger();
 * log({ time: new Date().toISOString(), method: 'POST', resource: 'https://api.example/mcp', status: 200, durationMs: 3.1, subject: 'u1', clientId: 'app', upstreamStatus: 200 });
 * ```
 */
export function jsonLineLogger(write: (line: string) => void = (l) => process.stdout.write(l)): AccessLogger {
  return (entry) => write(`${JSON.stringify(entry)}\n`);
}
