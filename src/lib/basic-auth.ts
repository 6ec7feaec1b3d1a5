/**
 * The `Authorization: Basic` value of `client_secret_basic` (RFC 6749 §2.3.1), with Web APIs
 * alone (no `Buffer` on workerd): the client id and secret are each
 * `application/x-www-form-urlencoded`, joined by `:`, then base64 encoded.
 *
 * @example
 * ```ts
 * basicAuthorization('rs client', 's3cr:t'); // 'Basic cnMrY2xpZW50OnMzY3IlM0F0'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  // The form encoding leaves only ASCII, so `btoa` sees exactly the UTF-8 bytes of the pair.
  return `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`;
}

/** `application/x-www-form-urlencoded` encoding of one credential. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
