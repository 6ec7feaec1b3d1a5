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

  it('keeps what `keep` makes of a value, and calls it only for values it stores', () => {
    const kept: string[] = [];
    const keep = (value: string) => (kept.push(value), `${value}!`);
    const cache = new LruCache<string>(1, { admission: 'second-sighting', keep });
    expect(cache.set('a', 'x', Infinity)).toBe(true);
    expect(cache.get('a')).toBe('x!');
    expect(cache.set('b', 'y', Infinity)).toBe(false); // full, first sighting: refused
    expect(kept).toEqual(['x']);
    expect(new LruCache<string>(0, { keep }).set('c', 'z', Infinity)).toBe(false);
    expect(kept).toEqual(['x']);
  });

  describe("admission: 'second-sighting'", () => {
    const full = () => {
      const cache = new LruCache<string>(3, { admission: 'second-sighting' });
      for (const k of ['a', 'b', 'c']) expect(cache.set(k, k, Infinity)).toBe(true); // room: admitted at once
      return cache;
    };

    it('once full, a flood of keys seen once evicts nothing', () => {
      const cache = full();
      for (let i = 0; i < 5_000; i++) expect(cache.set(`one-shot-${i}`, 'x', Infinity)).toBe(false);
      expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['a', 'b', 'c']);
      expect(cache.size).toBe(3);
    });

    it('admits a key on its second sighting, evicting the least recently used', () => {
      const cache = full();
      expect(cache.set('d', 'd', Infinity)).toBe(false);
      expect(cache.get('d')).toBeUndefined();
      expect(cache.set('d', 'd', Infinity)).toBe(true);
      expect(cache.get('d')).toBe('d');
      expect(cache.get('a')).toBeUndefined();
      expect(cache.size).toBe(3);
    });

    it('numeric keys (the verifier keys a JWS by a number) pass the doorkeeper alike', () => {
      const cache = new LruCache<string, number>(2, { admission: 'second-sighting' });
      expect(cache.set(1, 'a', Infinity)).toBe(true);
      expect(cache.set(2, 'b', Infinity)).toBe(true);
      for (let k = 3; k < 500; k++) expect(cache.set(k, 'x', Infinity)).toBe(false);
      expect([cache.get(1), cache.get(2)]).toEqual(['a', 'b']);
      expect(cache.set(499, 'y', Infinity)).toBe(true); // its second sighting
      expect(cache.get(499)).toBe('y');
    });

    it('replaces a key it holds without asking the doorkeeper', () => {
      const cache = full();
      expect(cache.set('b', 'B', Infinity)).toBe(true);
      expect(cache.get('b')).toBe('B');
    });

    it('remembers a first sighting through the rest of its window (63 other keys)', () => {
      const cache = full();
      expect(cache.set('late', 'x', Infinity)).toBe(false);
      for (let i = 0; i < 62; i++) cache.set(`filler-${i}`, 'x', Infinity);
      expect(cache.set('late', 'x', Infinity)).toBe(true);
    });

    it('admits a new key at once when the oldest entry has expired (it makes room)', () => {
      const cache = new LruCache<string>(2, { admission: 'second-sighting' });
      cache.set('stale', 's', Date.now() - 1);
      cache.set('live', 'l', Infinity);
      expect(cache.set('new', 'n', Infinity)).toBe(true);
      expect([cache.get('new'), cache.get('live'), cache.size]).toEqual(['n', 'l', 2]);
    });

    it('forgets first sightings after its window (a key seen once, long ago, is seen once again)', () => {
      const cache = full();
      expect(cache.set('late', 'x', Infinity)).toBe(false);
      for (let i = 0; i < 64; i++) cache.set(`filler-${i}`, 'x', Infinity); // the smallest window
      expect(cache.set('late', 'x', Infinity)).toBe(false);
    });
  });
});
