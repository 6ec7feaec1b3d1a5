/**
 * Which hosts plain http may reach: loopback addresses and `localhost` itself, never a name that
 * a resolver could send to DNS (`*.localhost` included: `hosts: files dns` asks DNS for it).
 */
import { describe, expect, it } from 'vitest';
import { insecureUrlReason, isLoopbackHost } from '../../src/lib/url.js';

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
