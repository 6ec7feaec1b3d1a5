/**
 * Well-known URL rules (RFC 8414 §3.1, OpenID Connect Discovery §4, the MCP client order).
 */
import { describe, expect, it } from 'vitest';

import { protectedResourceMetadataPath, wellKnownUrls } from '../../src/metadata/well-known.js';

const hrefs = (issuer: string, type: 'oauth' | 'oidc' | 'auto') => wellKnownUrls(issuer, type).map(String);

describe('wellKnownUrls', () => {
  it('oauth inserts the well-known segment before the issuer path (RFC 8414 path insertion)', () => {
    expect(hrefs('https://as.example/tenant1', 'oauth')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server/tenant1',
    ]);
    expect(hrefs('https://as.example/a/b', 'oauth')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server/a/b',
    ]);
  });

  it('oauth without an issuer path uses the bare well-known URL', () => {
    expect(hrefs('https://as.example', 'oauth')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server',
    ]);
  });

  it('oidc appends the well-known segment to the issuer', () => {
    expect(hrefs('https://as.example/oidc', 'oidc')).toEqual([
      'https://as.example/oidc/.well-known/openid-configuration',
    ]);
    expect(hrefs('https://as.example', 'oidc')).toEqual([
      'https://as.example/.well-known/openid-configuration',
    ]);
  });

  it('auto lists oauth inserted, then oidc inserted, then oidc appended', () => {
    expect(hrefs('https://as.example/tenant1', 'auto')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server/tenant1',
      'https://as.example/.well-known/openid-configuration/tenant1',
      'https://as.example/tenant1/.well-known/openid-configuration',
    ]);
  });

  it('auto without an issuer path drops the duplicate oidc candidate', () => {
    expect(hrefs('https://as.example', 'auto')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server',
      'https://as.example/.well-known/openid-configuration',
    ]);
  });

  it('a trailing-slash issuer (Auth0 style) does not produce a double slash', () => {
    expect(hrefs('https://tenant.us.auth0.com/', 'auto')).toEqual([
      'https://tenant.us.auth0.com/.well-known/oauth-authorization-server',
      'https://tenant.us.auth0.com/.well-known/openid-configuration',
    ]);
    expect(hrefs('https://as.example/t1/', 'oidc')).toEqual([
      'https://as.example/t1/.well-known/openid-configuration',
    ]);
    expect(hrefs('https://as.example/t1/', 'oauth')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server/t1',
    ]);
  });

  it('keeps the port and every candidate on the issuer origin, whatever the path holds', () => {
    for (const issuer of [
      'http://127.0.0.1:8080/realms/demo',
      'https://as.example/..//evil.example/x',
      'https://as.example//evil.example',
      'https://as.example/%2F%2Fevil.example',
      'https://as.example/t?x=1#frag',
    ]) {
      const origin = new URL(issuer).origin;
      for (const url of wellKnownUrls(issuer, 'auto')) expect(url.origin).toBe(origin);
    }
  });

  it('drops the query and fragment of the issuer from the candidates', () => {
    expect(hrefs('https://as.example/t?x=1#frag', 'oauth')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server/t',
    ]);
  });
});

describe('protectedResourceMetadataPath', () => {
  it('inserts the resource path after /.well-known/oauth-protected-resource (RFC 9728 §3.1)', () => {
    expect(protectedResourceMetadataPath(new URL('https://api.example.com/mcp'))).toBe(
      '/.well-known/oauth-protected-resource/mcp',
    );
    expect(protectedResourceMetadataPath(new URL('https://api.example.com/'))).toBe(
      '/.well-known/oauth-protected-resource',
    );
    expect(protectedResourceMetadataPath(new URL('https://api.example.com/mcp/'))).toBe(
      '/.well-known/oauth-protected-resource/mcp',
    );
  });
});
