/**
 * Which headers cross the gateway. Requests: hop-by-hop headers (RFC 9110 §7.6.1, and every
 * header the `Connection` header names) are dropped, `Authorization` is never forwarded (MCP
 * forbids passing the client's token through), every incoming `X-MCP-*` header (also spelled with
 * `_`) is dropped and the verified identity set in its place, and so are the client's cookies and
 * the proxy headers it wrote (`Forwarded`, `X-Forwarded-*`, `X-Real-IP` and the like, also spelled
 * with `_`). In their place the gateway sets what it vouches for: `X-Forwarded-For` (the address
 * its socket saw) and `X-Forwarded-Proto` / `X-Forwarded-Host` (the resource identifier's, from
 * the manifest, never the request's `Host`). The rest (`Mcp-Session-Id`, `MCP-Protocol-Version`,
 * `Last-Event-ID`, `Accept`, `Content-Type`...) passes. Responses: hop-by-hop headers dropped.
 * @module
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { CompiledResource } from '../runtime/resource.js';
import type { AuthInfo } from '../verify/auth-info.js';
import { IDENTITY_HEADER_PREFIX, identityHeaders } from './identity-headers.js';

/**
 * Headers that describe one connection, not the message, plus the ones the gateway sets itself
 * (`host` is the upstream's, `content-length` follows the forwarded body, `expect` is answered
 * by Node), and the proxy credentials.
 */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);
const SET_BY_GATEWAY: ReadonlySet<string> = new Set(['host', 'expect', 'authorization']);
/**
 * What a client could use to pass as someone else upstream: its cookies (ambient credentials of
 * the gateway's origin, not the upstream's to read; MCP authenticates with the bearer token) and
 * proxy headers it wrote itself (the gateway vouches for none of them), compared with `_` read
 * as `-` (WSGI, CGI and others fold both to the same variable). See also
 * {@link CLIENT_ASSERTED_PREFIXES}.
 *
 * @example
 * ```ts
 * CLIENT_ASSERTED.has('x-real-ip'); // true: dropped
 * ```
 */
export const CLIENT_ASSERTED: ReadonlySet<string> = new Set([
  'cookie',
  // httpoxy: CGI-style stacks read a `Proxy` header as HTTP_PROXY, the proxy for outbound calls.
  'proxy',
  // who the client is, by address
  'forwarded',
  'x-forwarded',
  'x-real-ip',
  'x-client-ip',
  'client-ip',
  'x-cluster-client-ip',
  'x-originating-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'cf-connecting-ipv6',
  'fastly-client-ip',
  'x-azure-clientip',
  'forwarded-for',
  'fly-client-ip',
  'do-connecting-ip',
  'x-nf-client-connection-ip',
  // which URL, host or scheme the request had before a proxy
  'x-rewrite-url',
  'x-host',
  'front-end-https',
  'x-url-scheme',
  'x-scheme',
  'x-arr-ssl',
  // who the client is, as an authenticating proxy would say
  'remote-user',
  'x-webauth-user',
  'x-user',
  'x-email',
  'x-userinfo',
  'x-authenticated-userid',
  'x-authenticated-scope',
  'x-jwt-assertion',
  'x-endpoint-api-userinfo',
  'x-client-cert',
  'x-client-verify',
  'x-client-dn',
  'x-ssl-cert',
]);
/**
 * Families of the same (name prefixes, compared with `_` read as `-`): the proxy's own headers
 * (`X-Forwarded-*`, `X-Original-*`, `X-Remote-*`: Kubernetes' auth proxy grants
 * `X-Remote-Group`), the identity headers of authenticating proxies and platforms (oauth2-proxy,
 * Azure App Service, Google IAP, AWS ALB, Cloudflare Access, Tailscale, Pomerium, Kong),
 * client-certificate headers and a service mesh's control headers. A deny-list: a header no
 * entry names passes.
 *
 * @example
 * ```ts
 * CLIENT_ASSERTED_PREFIXES.some((p) => 'x-remote-group'.startsWith(p)); // true: dropped
 * ```
 */
export const CLIENT_ASSERTED_PREFIXES: readonly string[] = [
  'x-forwarded-',
  'x-original-',
  'x-remote-',
  'x-auth-request-',
  'x-ms-client-principal',
  'x-goog-authenticated-',
  'x-goog-iap-',
  'x-amzn-oidc-',
  'x-amzn-mtls-',
  'cf-access-',
  'tailscale-',
  'ssl-client-',
  'x-ssl-client-',
  'x-arr-client',
  // a service mesh's own control headers (Envoy, Istio: retries, timeouts, "internal")
  'x-envoy-',
  // more authenticating gateways: Pomerium, Azure's token store, Kong, Google API Gateway, mod_auth_openidc
  'x-pomerium-',
  'x-ms-token-',
  'x-consumer-',
  'x-apigateway-',
  'oidc-claim-',
];
/** `X-MCP-…` with `-` or `_` anywhere a stack that folds them could read it as an identity header. */
const IDENTITY_LOOKALIKE = /^x[-_]mcp[-_]/;

/** The header names a `Connection` header lists (lower case). */
function connectionNamed(value: string | string[] | undefined): Set<string> {
  const names = new Set<string>();
  for (const part of [value ?? ''].flat().join(',').split(','))
    if (part.trim()) names.add(part.trim().toLowerCase());
  return names;
}

/** Where a forwarded request comes from, as the gateway knows it (not as the client says). */
export interface ForwardedFrom {
  /** The client's address as the gateway's socket saw it (`req.socket.remoteAddress`). */
  readonly peer: string | undefined;
  /** The resource the request was verified for: its scheme and host are the public ones. */
  readonly resource: Pick<CompiledResource, 'origin' | 'host'>;
  /** The length of the body forwarded as read; absent when the client's body is streamed. */
  readonly bodyLength?: number | undefined;
}

/**
 * The headers of the request sent upstream.
 *
 * @example
 * ```ts
 * upstreamRequestHeaders(req.headers, authInfo, { peer: '127.0.0.1', resource, bodyLength: 42 });
 * // { accept: '...', 'content-length': '42', 'x-forwarded-for': '127.0.0.1', 'x-mcp-subject': 'user-1', ... }
 * ```
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  auth: AuthInfo,
  from: ForwardedFrom,
): Record<string, string | string[]> {
  const named = connectionNamed(incoming.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    // Compared with `_` read as `-`, as a stack that folds them would read the name.
    const folded = name.replaceAll('_', '-');
    if (HOP_BY_HOP.has(folded) || SET_BY_GATEWAY.has(folded) || named.has(name) || named.has(folded))
      continue;
    // A `content_length` look-alike always; the real one when the body forwarded is the one read.
    if (folded === 'content-length' && (name !== folded || from.bodyLength !== undefined)) continue;
    if (name.startsWith(IDENTITY_HEADER_PREFIX) || IDENTITY_LOOKALIKE.test(name)) continue;
    if (CLIENT_ASSERTED.has(folded) || CLIENT_ASSERTED_PREFIXES.some((p) => folded.startsWith(p))) continue;
    out[name] = value;
  }
  if (from.bodyLength !== undefined) out['content-length'] = String(from.bodyLength);
  // An IPv4 client of a dual-stack listener is seen as `::ffff:a.b.c.d`: forwarded as `a.b.c.d`.
  if (from.peer) out['x-forwarded-for'] = from.peer.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  out['x-forwarded-proto'] = from.resource.origin.slice(0, from.resource.origin.indexOf(':'));
  out['x-forwarded-host'] = from.resource.host;
  return Object.assign(out, identityHeaders(auth));
}

/**
 * The upstream's response headers as the client gets them (hop-by-hop ones dropped).
 *
 * @example
 * ```ts
 * res.writeHead(statusCode, clientResponseHeaders(upstream.headers));
 * ```
 */
export function clientResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const named = connectionNamed(upstream.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}
