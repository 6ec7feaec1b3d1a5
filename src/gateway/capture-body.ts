/**
 * The body reader the gateway hands the runtime (`CoreRequest.readBody`): it reads at most the
 * limit, keeps the bytes so exactly what the runtime decided on is what goes upstream, and
 * parses them with the runtime's own `parseBody`. When the runtime never asks (the body cannot
 * change the decision), nothing is read and the body is streamed instead.
 * @module
 */
import type { IncomingMessage } from 'node:http';
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
      if (Number(req.headers['content-length']) > limit) return BODY_TOO_LARGE;
      const read = await readUpTo(req, limit);
      if (read === BODY_TOO_LARGE) return read;
      bytes = read;
      parsed = parseBody(read.toString('utf8'), req.headers['content-type']);
      return parsed;
    },
    bytes: () => bytes,
    parsed: () => parsed,
  };
}

/** The whole body, or `BODY_TOO_LARGE` (reading stops, the stream is paused, not destroyed). */
function readUpTo(req: IncomingMessage, limit: number): Promise<Buffer | typeof BODY_TOO_LARGE> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData).off('end', onEnd).off('error', reject).off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      done();
      req.pause();
      resolve(BODY_TOO_LARGE);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onClose = () => {
      done();
      reject(new Error('request closed before its body ended'));
    };
    req.on('data', onData).on('end', onEnd).on('error', reject).on('close', onClose);
  });
}
