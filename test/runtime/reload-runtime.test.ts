/**
 * The reloadable holder's lifecycle: which runtime a request gets, when a replaced runtime is
 * closed (after its leases and the grace period, never before), and that a failed load changes
 * nothing. The runtimes here are stand-ins that only record `close()`: the holder calls nothing
 * else on them (the gateway tests run it over real compiled runtimes).
 */
import { describe, expect, it } from 'vitest';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { createReloadable } from '../../src/runtime/reload-runtime.js';

function runtime(name: string) {
  const state = { name, closed: 0 };
  const auth = { name, close: async () => void state.closed++ } as unknown as McpAuth;
  return { auth, state };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('createReloadable', () => {
  it('serves the first load, swaps on reload, and closes the replaced runtime once its leases are released', async () => {
    const a = runtime('a');
    const b = runtime('b');
    const loads = [a.auth, b.auth];
    const holder = await createReloadable(async () => loads.shift()!, { graceMs: 0 });
    expect(holder.current()).toBe(a.auth);
    const lease = holder.acquire();
    expect(lease.auth).toBe(a.auth);

    expect(await holder.reload()).toEqual({ ok: true });
    expect(holder.current()).toBe(b.auth);
    expect(holder.acquire().auth).toBe(b.auth);
    await tick(20);
    expect(a.state.closed).toBe(0); // still held by a request that started on it
    lease.release();
    lease.release(); // idempotent
    await tick();
    expect(a.state.closed).toBe(1);
    await holder.close();
    expect(b.state.closed).toBe(1);
    expect(a.state.closed).toBe(1);
  });

  it('keeps the current runtime and reports the error when the load fails', async () => {
    const a = runtime('a');
    const failure = new Error('broken manifest');
    let calls = 0;
    const holder = await createReloadable(async () => {
      if (calls++ > 0) throw failure;
      return a.auth;
    });
    expect(await holder.reload()).toEqual({ ok: false, error: failure });
    expect(holder.current()).toBe(a.auth);
    expect(a.state.closed).toBe(0);
    await holder.close();
  });

  it('keeps a replaced runtime open for the grace period when nothing leased it', async () => {
    const a = runtime('a');
    const b = runtime('b');
    const holder = await createReloadable(async () => b.auth, { initial: a.auth, graceMs: 80 });
    await holder.reload();
    await tick(10);
    expect(a.state.closed).toBe(0);
    await tick(150);
    expect(a.state.closed).toBe(1);
    await holder.close();
  });

  it('closes a replaced runtime at the drain deadline even when a lease is never released', async () => {
    const a = runtime('a');
    const b = runtime('b');
    const holder = await createReloadable(async () => b.auth, {
      initial: a.auth,
      graceMs: 0,
      drainTimeoutMs: 50,
    });
    holder.acquire();
    await holder.reload();
    await tick(150);
    expect(a.state.closed).toBe(1);
    await holder.close();
  });

  it('runs reloads one after another, the last load winning', async () => {
    const order: string[] = [];
    const made = ['b', 'c'].map(runtime);
    let n = 0;
    const holder = await createReloadable(
      async () => {
        const r = made[n++]!;
        order.push(`start ${r.state.name}`);
        await tick(20);
        order.push(`end ${r.state.name}`);
        return r.auth;
      },
      { initial: runtime('a').auth },
    );
    await Promise.all([holder.reload(), holder.reload()]);
    expect(order).toEqual(['start b', 'end b', 'start c', 'end c']);
    expect(holder.current()).toBe(made[1]!.auth);
    await holder.close();
  });
});
