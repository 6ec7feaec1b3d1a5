/**
 * The body reader the gateway hands the runtime (`CoreRequest.readBody`): it reads at most the
 * limit (the declared length was checked by the runtime before asking), keeps the bytes so exactly what the runtime decided on is what goes upstream, and
 * parses them with the runtime's own `parseBody`. When the runtime never asks (the body cannot
 * change the decision), nothing is read and the body is streamed instead.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { readNodeBytes } from '../adapters/node-request.js';
import { BODY_TOO_LARGE, parseBody } from '../runtime/read-body.js';

/** A body reader that remembers what it read. */
export interface CapturedBody {
  /** For `CoreRequest.readBody`: the parsed body, or `BODY_TOO_LARGE`. */
  readonly read: (limit: number) => Promise<unknown>;
  /** The bytes read, once `read` resolved with a body (else `undefined`: stream it). */
  readonly bytes: () => Buffer | undefined;
  /** The parsed value, once read. */
  readonly parsed: () => unknown;
}

/**
 * A reader over `req`'s body.
 *
 * @example
 * ```ts
 * const body = captureBody(req);
 * await auth.authenticate({ ...toCoreRequest(req), readBody: body.read }, { resource });
 * const bytes = body.bytes(); // forwarded as read, or undefined (stream req)
 * ```
 */
export function captureBody(req: IncomingMessage): CapturedBody {
  let bytes: Buffer | undefined;
  let parsed: unknown;
  return {
    read: async (limit) => {
      const read = await readNodeBytes(req, limit);
      if (read === BODY_TOO_LARGE) return read;
      bytes = read;
      parsed = parseBody(read.toString('utf8'), req.headers['content-type']);
      return parsed;
    },
    bytes: () => bytes,
    parsed: () => parsed,
  };
}
