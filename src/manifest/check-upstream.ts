/**
 * The rules for a resource's `upstream` (gateway mode): where `mcp-auth serve` may forward
 * authorised requests. Plain http only to loopback, or to a private IP address the operator wrote
 * in the manifest and allowed with `privateHttp`; https anywhere else. Never a URL from a request.
 * @module
 */
import type { ManifestIssueCode } from '../errors.js';
import type { ManifestIssue } from '../errors.js';
import { isIPv4, isIPv6 } from '../lib/ip.js';
import { isLoopbackHost, tryParseUrl } from '../lib/url.js';
import type { ResourceEntry } from './schema.js';

type Path = (string | number)[];

/**
 * Whether a URL host is a private IP literal: RFC 1918 IPv4 or an RFC 4193 unique local IPv6
 * address. Names are never private here: DNS could point them anywhere.
 *
 * @example
 * ```ts
 * isPrivateAddress('10.0.0.7'); // true
 * isPrivateAddress('mcp.internal'); // false
 * ```
 */
export function isPrivateAddress(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIPv4(host)) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  return isIPv6(host) && /^f[cd][0-9a-f]{2}:/.test(host); // fc00::/7: a full first group
}

/**
 * Checks `resources[i].upstream`; pushes one issue per problem found.
 *
 * @example
 * ```ts
 * const issues: ManifestIssue[] = [];
 * checkUpstream({ url: 'http://10.0.0.7/mcp', privateHttp: false }, ['resources', 0, 'upstream'], issues);
 * issues[0]?.code; // 'insecure_url'
 * ```
 */
export function checkUpstream(
  upstream: NonNullable<ResourceEntry['upstream']>,
  at: Path,
  issues: ManifestIssue[],
): void {
  const path = [...at, 'url'];
  const error = (code: ManifestIssueCode, message: string) =>
    issues.push({ severity: 'error', code, path, message });
  const url = tryParseUrl(upstream.url);
  if (!url) return void error('invalid_url', `"${upstream.url}" is not an absolute URL`);
  if (url.protocol === 'http:') {
    const allowed = isLoopbackHost(url.hostname) || (upstream.privateHttp && isPrivateAddress(url.hostname));
    if (!allowed)
      error(
        'insecure_url',
        upstream.privateHttp
          ? 'privateHttp allows http only to a private IP address (10/8, 172.16/12, 192.168/16, fc00::/7); use https'
          : 'http is only allowed to loopback, or to a private IP address with "privateHttp": true; use https',
      );
  } else if (url.protocol !== 'https:') {
    error('insecure_url', `the ${url.protocol.replace(/:$/, '')} scheme is not allowed; use https`);
  }
  if (url.username || url.password)
    error('url_userinfo', 'a URL here must not carry a user name or password');
  if (url.hash || upstream.url.includes('#'))
    error('url_fragment', 'a URL here must not have a fragment (#...)');
  if (url.search || upstream.url.includes('?'))
    error('upstream_query', "an upstream URL has no query: the request's own query is forwarded");
}
