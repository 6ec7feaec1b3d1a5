/** The verified-token cache's map: bounded, expiring, and keeping entries in use. */
import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/lib/lru.js';

describe('LruCache', () => {
  it('never holds more than its bound, evicting the oldest first', () => {
    const cache = new LruCache<number>(3);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, i, Infinity);
    expect(cache.size).toBe(3);
    expect([cache.get('k7'), cache.get('k8'), cache.get('k9'), cache.get('k6')]).toEqual([
      7,
      8,
      9,
      undefined,
    ]);
  });

  it('keeps an entry that is in use while newer ones come and go', () => {
    const cache = new LruCache<string>(4);
    cache.set('hot', 'h', Infinity);
    for (let i = 0; i < 100; i++) {
      cache.set(`cold${i}`, 'c', Infinity);
      expect(cache.get('hot')).toBe('h');
    }
    expect(cache.size).toBe(4);
  });

  it('drops an entry at its expiry', () => {
    const cache = new LruCache<string>(4);
    cache.set('a', 'x', 1000);
    expect(cache.get('a', 999)).toBe('x');
    expect(cache.get('a', 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stores nothing with a bound of 0', () => {
    const cache = new LruCache<string>(0);
    cache.set('a', 'x', Infinity);
    expect(cache.get('a')).toBeUndefined();
  });
});
