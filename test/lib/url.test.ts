/**
 * Which hosts plain http may reach: loopback addresses and `localhost` itself, never a name that
 * a resolver could send to DNS (`*.localhost` included: `hosts: files dns` asks DNS for it).
 */
import { describe, expect, it } from 'vitest';
import { assertFetchableUrl } from '../../src/discovery/guarded-fetch.js';
import { fetchServerConfig } from '../../src/discovery/server-config.js';
import { DiscoveryError } from '../../src/errors.js';
import { insecureUrlReason, isLoopbackHost, redactUrl } from '../../src/lib/url.js';
import { closedPort } from '../support/servers.js';

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '[::1]', '::1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['auth.localhost', 'a.b.localhost', 'localhost.example', '128.0.0.1', '[::2]', '0.0.0.0'])(
    '%s is not',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );

  it('plain http to a name below localhost is refused, https to it is not', () => {
    expect(insecureUrlReason(new URL('http://introspect.corp.localhost/x'))).toMatch(/loopback/);
    expect(insecureUrlReason(new URL('https://introspect.corp.localhost/x'))).toBeUndefined();
    expect(insecureUrlReason(new URL('http://127.0.0.1:8080/x'))).toBeUndefined();
  });
});

describe('no message names the password of a URL', () => {
  it('redactUrl replaces the user information, parsed or not', () => {
    expect(redactUrl('https://svc:hunter2@auth.example.com/jwks')).toBe('https://***@auth.example.com/jwks');
    expect(redactUrl('http://svc:hunter2@auth example.com/x')).toBe('http://***@auth example.com/x');
    expect(redactUrl('https://auth.example.com/a@b')).toBe('https://auth.example.com/a@b');
  });

  it.each([
    'https://svc:hunter2@auth.example.com/jwks',
    'http://svc:hunter2@auth.example.com/jwks', // refused for http too: credentials are checked first
    'ftp://svc:hunter2@auth.example.com/jwks',
    'http://svc:hunter2@auth example.com/jwks', // not a URL at all
  ])('assertFetchableUrl(%j)', (url) => {
    let error: unknown;
    try {
      assertFetchableUrl(url);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as DiscoveryError).code).toBe('insecure_url');
    expect(
      JSON.stringify({ message: (error as Error).message, url: (error as DiscoveryError).url }),
    ).not.toContain('hunter2');
  });

  it('fetchServerConfig names the issuer without its password', async () => {
    const port = await closedPort();
    const error = await fetchServerConfig(`https://admin:hunter2@127.0.0.1:${port}/realms/x`, {
      type: 'oidc',
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
