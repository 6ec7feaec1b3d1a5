/**
 * Token intake (RFC 6750 §2.1): the `Authorization` header only, `Bearer` scheme case-insensitive,
 * one or more spaces, strict `b64token` grammar, bounded length. Checked before any crypto or
 * network work.
 * @module
 */
import { TokenError } from '../errors.js';

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** What the adapter saw of a request's credentials. */
export interface CredentialSources {
  /** Every `Authorization` header value, as separate entries (frameworks that join them: split on `,` is NOT done). */
  readonly authorization: readonly string[];
  /** True when the query string carries `access_token`. */
  readonly queryToken?: boolean;
  /** True when a form body carries `access_token`. */
  readonly bodyToken?: boolean;
}

/**
 * Extracts the bearer token, or throws:
 * - `missing_token` when there is no `Authorization` header, another scheme is used, or the
 *   token is only in the query (MCP forbids query tokens; they are treated as absent);
 * - `invalid_request` for a malformed header, two `Authorization` headers, or a header plus a
 *   query or body token;
 * - `invalid_token` (`token_too_long`) for a token longer than `maxLength`: the request is
 *   well-formed but carries a token no issuer of ours mints (RFC 6750 §3.1). Refused before any
 *   crypto or network work.
 *
 * @example
 * ```ts
 * extractBearer({ authorization: ['Bearer eyJhbGciOi...'] }, 8192); // 'eyJhbGciOi...'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function extractBearer(sources: CredentialSources, maxLength: number): string {
  const token = readBearer(sources, maxLength);
  assertTokenSyntax(token);
  return token;
}

/**
 * {@link extractBearer} without its last rule, the `b64token` character set: the runtime first
 * looks the token up in the verified-token cache, and a token equal to a cached one passed that
 * rule when it was verified. Every other token must go through {@link assertTokenSyntax} before
 * any crypto or network work.
 *
 * @example
 * ```ts
 * const token = readBearer({ authorization: [header] }, 8192);
 * if (!verifier.cachedAccessToken(token)) assertTokenSyntax(token);
 * ```
 */
export function readBearer(sources: CredentialSources, maxLength: number): string {
  const headers = sources.authorization;
  if (headers.length > 1) throw new TokenError('invalid_request', 'multiple_credentials');
  const header = headers[0];
  // A token only in the query or body is treated as absent: MCP forbids both.
  if (header === undefined || header.trim() === '') throw new TokenError('missing_token', 'no_credentials');
  let token: string;
  if (header.startsWith('Bearer ')) {
    // The common spelling, read without a regex over the whole token (same result as below).
    let start = 7;
    while (header.charCodeAt(start) === 32) start++;
    token = header.slice(start);
  } else {
    const match = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?: +(.*))?$/s.exec(header);
    if (!match) throw new TokenError('invalid_request', 'malformed_header');
    if (match[1]!.toLowerCase() !== 'bearer') throw new TokenError('missing_token', 'no_credentials');
    token = match[2] ?? '';
  }
  if (sources.queryToken || sources.bodyToken)
    throw new TokenError('invalid_request', 'multiple_credentials');
  if (token.length > maxLength) throw new TokenError('invalid_token', 'token_too_long');
  return token;
}

/**
 * Throws `invalid_request` (`malformed_header`) unless `token` is in the strict `b64token`
 * grammar of RFC 6750 §2.1.
 *
 * @example
 * ```ts
 * assertTokenSyntax('eyJhbGciOi...'); // passes
 * assertTokenSyntax('a b'); // throws TokenError invalid_request
 * ```
 */
export function assertTokenSyntax(token: string): void {
  // The runtime checks a new token before verifying it, and the verifier checks it again (for
  // callers that hand it tokens directly): the token that passed last is not scanned twice.
  if (token === lastPassed) return;
  if (!B64TOKEN.test(token)) throw new TokenError('invalid_request', 'malformed_header');
  lastPassed = token;
}

/** The last token that passed {@link assertTokenSyntax} (one string kept): a token equal to it passes too. */
let lastPassed: string | undefined;
