/**
 * The body rule, one for every adapter: which request bodies the runtime must see, how they are
 * parsed, and the marker for a body over `settings.maxBodyBytes`. Adapters only supply the bytes
 * (see {@link CoreRequest.readBody}); the runtime asks for them after the `Authorization` header
 * passed its checks, and only when the body can change the decision.
 * @module
 */
import type { CompiledResource } from './resource.js';
import type { CoreRequest } from './types.js';

/** What {@link CoreRequest.readBody} resolves to when the body is larger than the limit. */
export const BODY_TOO_LARGE: unique symbol = Symbol.for('mcp-auth-config.bodyTooLarge');

/**
 * What {@link parseBody} gives for a body that two parsers could read differently: a content type
 * that names a form (anywhere in it) on text that a JSON parser could take for an object or an
 * array. A form parser finds no `tools/call` in it, while a JSON-RPC transport that reads the
 * media type (or ignores it) runs one; such a request is refused (400) rather than decided on one
 * of the two readings.
 */
export const BODY_AMBIGUOUS: unique symbol = Symbol.for('mcp-auth-config.bodyAmbiguous');

// Lenient on purpose: anything a body parser could take for a form is treated as one.
const FORM = /application\/x-www-form-urlencoded/i;

/**
 * Whether form text is plainly a form: none of what lets a JSON parser still read an object or
 * array in it, that is a raw `{` or `[` (no JSON dialect writes them otherwise), a control
 * character (UTF-16 and UTF-32 text read as UTF-8 holds NULs), a byte-order mark (which lenient
 * parsers and `TextDecoder` drop) or a replacement character (bytes that are not UTF-8). A form
 * its browser encoded has none of these.
 */
function isPlainForm(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x7b || c === 0x5b || c === 0xfeff || c === 0xfffd) return false;
  }
  return true;
}

/** Whether a content type is (or could be parsed as) a form, whose `access_token` is a credential. */
export function isForm(contentType: string | undefined): boolean {
  return contentType !== undefined && FORM.test(contentType);
}

/**
 * Whether deciding this request needs its body: a form POST (its `access_token` would be a
 * second credential) on any resource, or any POST to a resource with per-tool scopes when the
 * caller did not name the tool. Every content type counts there, because an application's
 * parser may read JSON that is not labelled `application/json`: the tools it calls must be known.
 */
export function bodyMatters(resource: CompiledResource, request: CoreRequest, toolKnown: boolean): boolean {
  if (request.method.toUpperCase() !== 'POST') return false;
  return isForm(request.contentType) || (!toolKnown && resource.toolScopes.size > 0);
}

/**
 * Parses a body read by an adapter: a form becomes a plain object (as `express.urlencoded()`
 * makes it), or {@link BODY_AMBIGUOUS} when its text is not plainly a form (a JSON object or
 * array, a byte-order mark, UTF-16: see `isPlainForm`); anything else is tried as JSON, and
 * kept as text when it is not.
 *
 * @example
 * ```ts
 * parseBody('a=1&access_token=x', 'application/x-www-form-urlencoded'); // { a: '1', access_token: 'x' }
 * parseBody('{"method":"tools/call"}', 'application/json; x=application/x-www-form-urlencoded'); // BODY_AMBIGUOUS
 * parseBody('\ufeff{"method":"tools/call"}', 'application/x-www-form-urlencoded'); // BODY_AMBIGUOUS
 * ```
 */
export function parseBody(text: string, contentType: string | undefined): unknown {
  if (!isForm(contentType)) return parseJson(text);
  if (!isPlainForm(text)) return BODY_AMBIGUOUS;
  return Object.fromEntries(new URLSearchParams(text));
}

const TEXT = new TextDecoder();

/**
 * The reading of a body a framework left as text or bytes (`express.text()`, `express.raw()`,
 * Fastify `parseAs: 'string'`): parsed by {@link parseBody}, as bytes the runtime reads itself
 * are, since the application may still parse it as JSON and run its `tools/call`. Any other
 * body is the framework's reading, returned as it is.
 *
 * @example
 * ```ts
 * bodyReading(Buffer.from('{"method":"tools/call"}'), 'application/octet-stream'); // { method: 'tools/call' }
 * ```
 */
export function bodyReading(body: unknown, contentType: string | undefined): unknown {
  if (typeof body === 'string') return parseBody(body, contentType);
  if (body instanceof Uint8Array) return parseBody(TEXT.decode(body), contentType);
  return body;
}

/** JSON text's value, or the text itself when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A form body's `access_token` (RFC 6750 §2.2), which MCP treats as a second credential. */
export function formCarriesToken(contentType: string | undefined, body: unknown): boolean {
  return isForm(contentType) && !!body && typeof body === 'object' && Object.hasOwn(body, 'access_token');
}
