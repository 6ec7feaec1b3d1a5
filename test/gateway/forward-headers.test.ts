/**
 * The proxy headers the gateway vouches for, on their own (the Python-upstream suite shows them
 * crossing a real gateway): the peer address as the socket saw it, an IPv4 client of a
 * dual-stack listener without its `::ffff:` prefix, and the public scheme and host from the
 * manifest's resource.
 */
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ASSERTED,
  CLIENT_ASSERTED_PREFIXES,
  upstreamRequestHeaders,
} from '../../src/gateway/forward-headers.js';
import type { AuthInfo } from '../../src/verify/auth-info.js';

const auth = {
  token: 't',
  clientId: 'c',
  scopes: [],
  issuer: 'https://as.example',
  subject: 'u',
  claims: {},
} as unknown as AuthInfo;
const resource = { origin: 'https://mcp.example.com', host: 'mcp.example.com' };

describe('upstreamRequestHeaders: the proxy headers the gateway sets', () => {
  it.each([
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::FFFF:192.168.0.7', '192.168.0.7'],
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['2001:db8::7', '2001:db8::7'],
  ])('forwards the peer %s as %s', (peer, forwarded) => {
    const headers = upstreamRequestHeaders({ 'x-forwarded-for': '6.6.6.6' }, auth, { peer, resource });
    expect(headers['x-forwarded-for']).toBe(forwarded);
    expect(headers['x-forwarded-proto']).toBe('https');
    expect(headers['x-forwarded-host']).toBe('mcp.example.com');
  });

  it('sets no X-Forwarded-For without a peer address, and never keeps the client’s', () => {
    const headers = upstreamRequestHeaders({ 'x-forwarded-for': '6.6.6.6' }, auth, {
      peer: undefined,
      resource,
    });
    expect(headers['x-forwarded-for']).toBeUndefined();
  });
});

describe('upstreamRequestHeaders: what a client may not pass upstream', () => {
  it.each([
    'proxy', // httpoxy
    'x-original-url',
    'x-rewrite-url',
    'x-original-host',
    'client-ip',
    'x-envoy-external-address',
    'remote-user',
    'x-auth-request-user',
    'x-ssl-client-cert',
    'front-end-https',
    'proxy_authorization',
    'transfer_encoding',
    'content_length',
    'x_original_url',
    'Remote_User'.toLowerCase(),
    'x-remote-group', // Kubernetes' auth proxy: system:masters
    'x-remote-extra-scopes',
    'x-auth-request-groups',
    'x-original-uri',
    'ssl-client-verify',
    'x-ssl-client-verify',
    'x-ms-client-principal-name',
    'x-goog-authenticated-user-email',
    'x-goog-iap-jwt-assertion',
    'x-amzn-oidc-identity',
    'x-amzn-mtls-clientcert',
    'cf-access-authenticated-user-email',
    'tailscale-user-login',
    'x-arr-clientcert',
  ])('drops %s', (name) => {
    const headers = upstreamRequestHeaders({ [name]: 'forged', 'x-app-header': 'kept' }, auth, {
      peer: '127.0.0.1',
      resource,
    });
    expect(headers[name]).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain('forged');
    expect(headers['x-app-header']).toBe('kept');
  });
});

describe('upstreamRequestHeaders: what MCP clients and applications need passes', () => {
  it.each([
    'mcp-session-id',
    'mcp-protocol-version',
    'last-event-id',
    'traceparent',
    'tracestate',
    'baggage',
    'x-request-id',
    'x-correlation-id',
    'accept',
    'content-type',
    'user-agent',
  ])('keeps %s', (name) => {
    const headers = upstreamRequestHeaders({ [name]: 'v' }, auth, { peer: '127.0.0.1', resource });
    expect(headers[name]).toBe('v');
  });
});

describe('upstreamRequestHeaders: every name and family of the drop list', () => {
  const names = [
    ...[...CLIENT_ASSERTED].filter((n) => n !== 'cookie'),
    ...CLIENT_ASSERTED_PREFIXES.map((p) => `${p}${p.endsWith('-') ? '' : '-'}x`),
    'oidc_claim_email', // mod_auth_openidc's spelling
    'x-envoy-max-retries',
  ];
  it.each(names)('drops %s', (name) => {
    const headers = upstreamRequestHeaders({ [name]: 'forged' }, auth, { peer: '127.0.0.1', resource });
    expect(JSON.stringify(headers)).not.toContain('forged');
  });
});
