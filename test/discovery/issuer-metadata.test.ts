/**
 * One issuer's live metadata: single-flight resolution, periodic refresh that keeps the last
 * good document, and backoff after failures. Waits are on server-side request counts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

import { IssuerMetadata } from '../../src/discovery/issuer-metadata.js';
import { DiscoveryError } from '../../src/errors.js';
import { closeAllServers, jsonHandler, routes, startServer } from '../support/servers.js';
import { asMetadata } from '../support/issuer.js';

const states: IssuerMetadata[] = [];
afterEach(async () => {
  states.splice(0).forEach((s) => s.close());
  await closeAllServers();
});

function track(state: IssuerMetadata): IssuerMetadata {
  states.push(state);
  return state;
}

describe('IssuerMetadata', () => {
  it('resolves once for many concurrent callers', async () => {
    let table: Record<string, unknown> = {};
    const server = await startServer((req, res, s) => routes(table)(req, res, s));
    table = { '/.well-known/oauth-authorization-server': asMetadata(server.origin) };
    const state = track(
      new IssuerMetadata('main', { issuer: server.origin, type: 'oauth' }, {}, { refreshMs: 0 }),
    );
    const results = await Promise.all(Array.from({ length: 50 }, () => state.get()));
    expect(new Set(results).size).toBe(1);
    expect(server.count()).toBe(1);
  });

  it('after a failure, callers within the backoff get the last error without a new fetch', async () => {
    const server = await startServer(jsonHandler({}, 500));
    const state = track(
      new IssuerMetadata(
        'main',
        { issuer: server.origin, type: 'oauth' },
        {},
        { refreshMs: 0, retryMinMs: 60_000 },
      ),
    );
    for (let i = 0; i < 10; i++) {
      const err: unknown = await state.get().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DiscoveryError);
      expect((err as DiscoveryError).code).toBe('http_status');
    }
    expect(server.count()).toBe(1);
    expect(state.retryAfterMs).toBeGreaterThan(0);
  });

  it('a periodic refresh picks up a changed document', async () => {
    let doc: Record<string, unknown> = {};
    const server = await startServer((req, res, s) =>
      routes({ '/.well-known/oauth-authorization-server': doc })(req, res, s),
    );
    doc = asMetadata(server.origin, { version: 1 });
    const state = track(
      new IssuerMetadata('main', { issuer: server.origin, type: 'oauth' }, {}, { refreshMs: 50 }),
    );
    expect((await state.get()).metadata.version).toBe(1);
    state.start();
    doc = asMetadata(server.origin, { version: 2 });
    await vi.waitFor(() => expect(state.current?.metadata.version).toBe(2), { timeout: 5000, interval: 20 });
  });

  it('a failing refresh keeps the last good document', async () => {
    let failing = false;
    let table: Record<string, unknown> = {};
    const server = await startServer((req, res, s) =>
      failing ? jsonHandler({}, 503)(req, res, s) : routes(table)(req, res, s),
    );
    table = { '/.well-known/oauth-authorization-server': asMetadata(server.origin) };
    const state = track(
      new IssuerMetadata(
        'main',
        { issuer: server.origin, type: 'oauth' },
        {},
        { refreshMs: 50, retryMinMs: 20 },
      ),
    );
    const good = await state.get();
    failing = true;
    state.start();
    await vi.waitFor(() => expect(server.count()).toBeGreaterThanOrEqual(3), { timeout: 5000, interval: 20 });
    await expect(state.get()).resolves.toBe(good);
    expect(state.current).toBe(good);
  });

  it('a refresh naming another issuer (wellKnownUrl-only entry) is refused: the last good document stays', async () => {
    let doc: Record<string, unknown> = {};
    const server = await startServer((req, res, s) => routes({ '/meta': doc })(req, res, s));
    doc = asMetadata(server.origin);
    const state = track(
      new IssuerMetadata(
        'corp',
        { wellKnownUrl: `${server.origin}/meta`, type: 'oauth' },
        {},
        { refreshMs: 50 },
      ),
    );
    const good = await state.get();
    doc = asMetadata('https://hijacked.example');
    state.start();
    await vi.waitFor(() => expect(server.count()).toBeGreaterThanOrEqual(3), { timeout: 5000, interval: 20 });
    expect(state.current).toBe(good);
    expect(state.current?.issuer).toBe(server.origin);
  });
});
