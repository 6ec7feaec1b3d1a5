/**
 * The exchanged-token cache key: a SHA-256 of the downstream name and the caller's token, the
 * same 64 hex digits from `node:crypto` and from WebCrypto (workerd without `nodejs_compat`), so
 * instances on different runtimes find each other's entries in a shared store.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../src/downstream/token-cache.js';

const expected = (token: string, name: string) =>
  createHash('sha256').update(`${name}\0${token}`, 'utf8').digest('hex');

describe('downstream cacheKey', () => {
  it.each([
    ['an ASCII token', 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln', 'notes-api'],
    ['non-ASCII text', 'tøken-é', 'api-ü'],
  ])('gives the same digest with node:crypto and with WebCrypto for %s', async (_name, token, name) => {
    const viaNode = cacheKey(token, name);
    const viaWeb = cacheKey(token, name, null);
    expect(typeof viaNode).toBe('string'); // computed at once where node:crypto exists
    expect(viaWeb).toBeInstanceOf(Promise);
    expect(viaNode).toBe(expected(token, name));
    expect(await viaWeb).toBe(viaNode);
  });

  it('keeps the name and the token apart: (a, bc) and (ab, c) differ', async () => {
    expect(cacheKey('bc', 'a')).not.toBe(cacheKey('c', 'ab'));
    expect(await cacheKey('bc', 'a', null)).not.toBe(await cacheKey('c', 'ab', null));
  });
});
