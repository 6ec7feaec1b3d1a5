/**
 * `resources[].upstream`: where the gateway may forward. http only to loopback, or to a private IP
 * literal the operator allowed with `privateHttp`; https elsewhere; no query, fragment or userinfo.
 */
import { describe, expect, it } from 'vitest';
import { validateManifest } from '../../src/manifest/parse.js';

function codesFor(upstream: unknown): string[] {
  const { issues } = validateManifest({
    issuers: { main: { issuer: 'https://as.example', type: 'oauth' } },
    resources: [{ resource: 'https://api.example/mcp', authorizationServers: ['main'], upstream }],
  });
  return issues.filter((i) => i.severity === 'error').map((i) => i.code);
}

describe('resources[].upstream', () => {
  it('accepts https anywhere and http to loopback', () => {
    expect(codesFor({ url: 'https://mcp.internal.example/mcp' })).toEqual([]);
    expect(codesFor({ url: 'http://127.0.0.1:3001/mcp' })).toEqual([]);
    expect(codesFor({ url: 'http://[::1]:3001/mcp' })).toEqual([]);
  });

  it('refuses http to a private address unless privateHttp names it', () => {
    expect(codesFor({ url: 'http://10.0.0.7:3001/mcp' })).toEqual(['insecure_url']);
    expect(codesFor({ url: 'http://10.0.0.7:3001/mcp', privateHttp: true })).toEqual([]);
    expect(codesFor({ url: 'http://[fd12::7]/mcp', privateHttp: true })).toEqual([]);
  });

  it('refuses http to public addresses and host names even with privateHttp', () => {
    expect(codesFor({ url: 'http://8.8.8.8/mcp', privateHttp: true })).toEqual(['insecure_url']);
    expect(codesFor({ url: 'http://mcp.internal/mcp', privateHttp: true })).toEqual(['insecure_url']);
    expect(codesFor({ url: 'http://172.32.0.1/mcp', privateHttp: true })).toEqual(['insecure_url']);
    // fc00::/7 takes a full first group: fc::1 is 00fc::1, not a private address.
    for (const host of ['[fc::1]', '[fd::1]', '[fc0::1]', '[fdf::1]'])
      expect(codesFor({ url: `http://${host}/mcp`, privateHttp: true }), host).toEqual(['insecure_url']);
    expect(codesFor({ url: 'ftp://127.0.0.1/mcp' })).toEqual(['insecure_url']);
  });

  it('refuses a query, a fragment, credentials and unknown keys', () => {
    expect(codesFor({ url: 'http://127.0.0.1/mcp?x=1' })).toEqual(['upstream_query']);
    expect(codesFor({ url: 'http://127.0.0.1/mcp#x' })).toEqual(['url_fragment']);
    expect(codesFor({ url: 'http://u:p@127.0.0.1/mcp' })).toEqual(['url_userinfo']);
    expect(codesFor({ url: 'not a url' })).toEqual(['invalid_url']);
    expect(codesFor({ url: 'http://127.0.0.1/mcp', target: 'x' }).length).toBeGreaterThan(0);
    expect(codesFor('http://127.0.0.1/mcp').length).toBeGreaterThan(0);
  });
});
