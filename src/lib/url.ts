/**
 * Hosts that count as loopback: plain `http` is allowed to them, and only to them: `localhost`,
 * `127.0.0.0/8` and `[::1]`. Names below `localhost` (`auth.localhost`) are not among them: the
 * system resolver may ask DNS for them (`hosts: files dns`), whose answer could point anywhere,
 * and a secret or token would then cross the network in cleartext.
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1'); // true
 * isLoopbackHost('auth.localhost'); // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** Parses an absolute URL, or returns `undefined`. */
export function tryParseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Why a URL is not acceptable as an https (or loopback http) endpoint, or `undefined` when it is. */
export function insecureUrlReason(url: URL): string | undefined {
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return isLoopbackHost(url.hostname) ? undefined : 'http is only allowed to loopback hosts; use https';
  }
  return `the ${url.protocol.replace(/:$/, '')} scheme is not allowed; use https`;
}

/**
 * URL text fit for a message or a log: the user information (`user:password@`) of anything that
 * looks like an authority is replaced, whether or not the text parses as a URL.
 *
 * @example
 * ```ts
 * redactUrl('https://svc:hunter2@auth.example.com/jwks'); // 'https://***@auth.example.com/jwks'
 * ```
 */
export function redactUrl(text: string): string {
  return text.replace(/\/\/[^/?#]*@/g, '//***@');
}
