/**
 * The in-memory store: values expire at their TTL, hashes, publish/subscribe (delivered after the
 * current turn), and unsubscribe.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';

describe('MemoryStore', () => {
  it('returns a value until its TTL, then nothing', async () => {
    const store = new MemoryStore();
    await store.set('k', 'v', 40);
    expect(await store.get('k')).toBe('v');
    await new Promise((r) => setTimeout(r, 60));
    expect(await store.get('k')).toBeUndefined();
    await store.set('k', 'v', 60_000);
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
  });

  it('keeps hashes and delivers published messages to subscribers until they unsubscribe', async () => {
    const store = new MemoryStore();
    await store.hashSet('h', 'a', '1');
    await store.hashSet('h', 'b', '2');
    await store.hashDelete('h', ['a']);
    expect(await store.hashEntries('h')).toEqual({ b: '2' });
    const got: string[] = [];
    const stop = await store.subscribe('ch', (m) => got.push(m));
    await store.publish('ch', 'one');
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual(['one']);
    await stop();
    await store.publish('ch', 'two');
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual(['one']);
  });
});
