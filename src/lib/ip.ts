/**
 * IP literal checks with no `node:net`, so the manifest checks run on Web APIs alone.
 * @module
 */

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/**
 * Whether `host` is an IPv4 address in dotted-quad form (no leading zeros), as `net.isIPv4`.
 *
 * @example
 * ```ts
 * isIPv4('10.0.0.7'); // true
 * isIPv4('010.0.0.7'); // false
 * ```
 */
export function isIPv4(host: string): boolean {
  return IPV4.test(host);
}

/**
 * Whether `host` (without brackets) is an IPv6 address, by the WHATWG URL host parser.
 *
 * @example
 * ```ts
 * isIPv6('fd00::1'); // true
 * isIPv6('mcp.internal'); // false
 * ```
 */
export function isIPv6(host: string): boolean {
  if (!host.includes(':') || /[[\]/?#@%\s]/.test(host)) return false;
  try {
    return new URL(`http://[${host}]/`).hostname.startsWith('[');
  } catch {
    return false;
  }
}
