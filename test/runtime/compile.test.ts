/**
 * Issuer resolution inside compile(): one fetch per issuer, independent issuers concurrently,
 * fail-fast listing every failing issuer, and lazy start-up that heals without a restart.
 * Assertions are on request counts and on requests in flight at the servers, never on timing.
 */
import { createHook } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { DiscoveryError, OptionError } from '../../src/errors.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { compile } from '../../src/runtime/compile.js';
import { JWKS_PATH, OAUTH_METADATA_PATH, RESOURCE } from '../support/constants.js';
import { asMetadata, bearerRequest, manifestFor, startFakeIssuer } from '../support/issuer.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import {
  closeAllServers,
  closedPort,
  jsonHandler,
  routes,
  sendJson,
  startServer,
  type Handler,
} from '../support/servers.js';
import { rejection } from '../support/rejection.js';

const runtimes: McpAuth[] = [];
async function compiled(...args: Parameters<typeof compile>): Promise<McpAuth> {
  const auth = await compile(...args);
  runtimes.push(auth);
  return auth;
}
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((a) => a.close()));
  await closeAllServers();
});

const failure = (promise: Promise<unknown>) => rejection(promise, DiscoveryError);

/**
 * A gate that holds every request until `size` requests are waiting at once, or until a
 * fallback delay passes (so a sequential implementation finishes, and fails the assertion,
 * instead of hanging). `maxWaiting` records the most requests held at the same time.
 */
function gate(size: number, fallbackMs = 1500) {
  let waiting = 0;
  let maxWaiting = 0;
  const releases: (() => void)[] = [];
  const release = () => releases.splice(0).forEach((fn) => fn());
  return {
    get maxWaiting() {
      return maxWaiting;
    },
    wrap(handler: Handler): Handler {
      return (req, res, server) => {
        waiting++;
        maxWaiting = Math.max(maxWaiting, waiting);
        const timer = setTimeout(release, fallbackMs);
        releases.push(() => {
          clearTimeout(timer);
          waiting--;
          void handler(req, res, server);
        });
        if (waiting >= size) release();
      };
    },
  };
}

describe('compile(): issuer resolution', () => {
  it('fetches each issuer once even when several resources share it', async () => {
    const key = makeKey();
    const as = await startFakeIssuer([key]);
    const auth = await compiled({
      issuers: { main: { issuer: as.issuer, type: 'oauth' } },
      resources: [
        { resource: 'http://127.0.0.1:1/a', authorizationServers: ['main'] },
        { resource: 'http://127.0.0.1:1/b', authorizationServers: ['main'] },
        { resource: 'http://127.0.0.1:1/c', authorizationServers: ['main'] },
      ],
    });
    expect(as.metadataCount()).toBe(1);
    for (const path of ['a', 'b', 'c']) {
      const token = signToken(key, claims(as.issuer, `http://127.0.0.1:1/${path}`));
      const result = await auth.authenticate({ ...bearerRequest(token), url: `/${path}` });
      expect(result.auth?.issuer).toBe(as.issuer);
    }
    // Requests reuse the compiled metadata and one key set per issuer.
    expect(as.metadataCount()).toBe(1);
    expect(as.jwksCount()).toBe(1);
  });

  it('resolves independent issuers concurrently (both requests in flight at once)', async () => {
    const held = gate(3);
    const servers = await Promise.all(
      ['a', 'b', 'c'].map(async () => {
        let table: Record<string, unknown> = {};
        const server = await startServer(held.wrap((req, res, s) => routes(table)(req, res, s)));
        table = { [OAUTH_METADATA_PATH]: asMetadata(server.origin) };
        return server;
      }),
    );
    await compiled({
      issuers: Object.fromEntries(servers.map((s, i) => [`as${i}`, { issuer: s.origin, type: 'oauth' }])),
      resources: [
        { resource: 'http://127.0.0.1:1/mcp', authorizationServers: servers.map((_s, i) => `as${i}`) },
      ],
    });
    expect(held.maxWaiting).toBe(3);
    for (const server of servers) expect(server.count()).toBe(1);
  });

  it('fail-fast rejects listing every failing issuer, each named', async () => {
    const broken = await startServer(jsonHandler({ error: 'x' }, 500));
    const empty = await startServer(routes({}));
    const good = await startFakeIssuer();
    const port = await closedPort();
    const err = await failure(
      compile({
        issuers: {
          broken: { issuer: broken.origin, type: 'oauth' },
          empty: { issuer: empty.origin, type: 'auto' },
          good: { issuer: good.issuer, type: 'oauth' },
          down: { issuer: `http://127.0.0.1:${port}`, type: 'oauth' },
        },
        resources: [{ resource: RESOURCE, authorizationServers: ['broken', 'empty', 'good', 'down'] }],
      }),
    );
    expect(err.message).toContain('issuer "broken"');
    expect(err.message).toContain('issuer "empty"');
    expect(err.message).toContain('issuer "down"');
    expect(err.message).not.toContain('issuer "good"');
    const causes = (err.cause as AggregateError).errors as DiscoveryError[];
    expect(causes.map((c) => [c.issuerId, c.code])).toEqual([
      ['broken', 'http_status'],
      ['empty', 'not_found'],
      ['down', 'network'],
    ]);
  });

  it('fail-fast with an issuer-mismatched document rejects with issuer_mismatch', async () => {
    const server = await startServer(
      routes({ [OAUTH_METADATA_PATH]: asMetadata('https://someone-else.example') }),
    );
    const err = await failure(compile(manifestFor(server.origin)));
    expect(err.code).toBe('issuer_mismatch');
    expect(err.issuerId).toBe('main');
  });
});

/**
 * Records the timers created by this repository's `src/` while `fn` runs, and returns those still
 * pending when it settles (cleared and fired timers are destroyed). Unref'd timers count too:
 * they do not keep the process alive, but a retry loop behind a failed compile would still run.
 */
async function timersLeftBy(fn: () => Promise<unknown>): Promise<string[]> {
  const src = fileURLToPath(new URL('../../src/', import.meta.url));
  const pending = new Map<number, string>();
  const hook = createHook({
    init(id, type) {
      if (type !== 'Timeout') return;
      const frame = new Error().stack?.split('\n').find((line) => line.includes(src));
      if (frame) pending.set(id, frame.trim());
    },
    destroy(id) {
      pending.delete(id);
    },
  }).enable();
  try {
    await fn().catch(() => undefined);
  } finally {
    hook.disable();
  }
  return [...pending.values()];
}

describe('compile(): a failed fail-fast compile releases everything', () => {
  it('leaves no retry timer of ours running and no socket open after it rejects', async () => {
    const broken = await startServer(jsonHandler({ error: 'x' }, 500));
    const port = await closedPort();
    const manifest = {
      issuers: {
        broken: { issuer: broken.origin, type: 'oauth' as const },
        down: { issuer: `http://127.0.0.1:${port}`, type: 'oauth' as const },
      },
      resources: [{ resource: RESOURCE, authorizationServers: ['broken', 'down'] }],
    };
    let rejected: unknown;
    const left = await timersLeftBy(() => compile(manifest).catch((err: unknown) => (rejected = err)));
    expect(rejected).toBeInstanceOf(DiscoveryError);
    expect(left).toEqual([]);
    // The runtime's keep-alive connection to the AS is closed too.
    await vi.waitFor(async () => expect(await broken.openConnections()).toBe(0), {
      timeout: 5000,
      interval: 10,
    });
    expect(broken.count()).toBe(1);
  });
});

describe('compile(): introspection secrets', () => {
  const manifest = (issuer: string) => ({
    issuers: {
      main: {
        issuer,
        type: 'oauth' as const,
        introspection: { clientId: 'rs', clientSecretEnv: 'RS_SECRET' },
      },
    },
    resources: [{ resource: RESOURCE, authorizationServers: ['main'], token: { format: 'auto' as const } }],
  });

  it.each([
    ['unset', {}, 'not set'],
    ['empty (RS_SECRET=)', { RS_SECRET: '' }, 'empty'],
    ['blank (RS_SECRET=" ")', { RS_SECRET: ' ' }, 'empty'],
    [
      'unusable (a Workers binding)',
      { RS_SECRET: { get: () => 's3cret' } },
      'not a string (a platform binding?)',
    ],
    ['inherited', Object.create({ RS_SECRET: 's3cret' }) as object, 'not set'],
  ])(
    'refuses an %s secret at compile time, naming the variable, before any fetch',
    async (_name, env, why) => {
      const as = await startFakeIssuer();
      const err: unknown = await compile(manifest(as.issuer), { env }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OptionError);
      expect((err as OptionError).code).toBe('invalid_option');
      expect((err as OptionError).message).toContain(
        `environment variable RS_SECRET (the client secret) is ${why}`,
      );
      expect(as.server.count()).toBe(0);
    },
  );

  it('accepts a non-empty secret', async () => {
    const as = await startFakeIssuer();
    await expect(compiled(manifest(as.issuer), { env: { RS_SECRET: 's3cret' } })).resolves.toBeDefined();
  });
});

describe('compile(): lazy start-up', () => {
  it('starts resolving issuers in the background at compile time, before any request', async () => {
    const key = makeKey();
    const as = await startFakeIssuer([key]);
    const auth = await compiled(manifestFor(as.issuer, { startup: 'lazy' }));
    // No request is made: the discovery request is the runtime's own.
    await vi.waitFor(() => expect(as.metadataCount()).toBe(1), { timeout: 5000, interval: 10 });
    const token = signToken(key, claims(as.issuer, RESOURCE));
    expect((await auth.authenticate(bearerRequest(token))).auth?.issuer).toBe(as.issuer);
    // The first request used that resolution (done or in flight) instead of starting one.
    expect(as.metadataCount()).toBe(1);
  });

  it('compiles while the AS answers 503, serves 503 + Retry-After, then heals without a restart', async () => {
    const key = makeKey();
    const as = await startFakeIssuer([key]);
    as.setAll((_req, res) => sendJson(res, 503, { error: 'maintenance' }));
    const auth = await compiled(manifestFor(as.issuer, { startup: 'lazy' }));
    // Lazy: compile() succeeds and resolution has started in the background (and failed).
    await vi.waitFor(() => expect(as.metadataCount()).toBe(1), { timeout: 5000, interval: 10 });
    const token = signToken(key, claims(as.issuer, RESOURCE));

    const down = await auth.authenticate(bearerRequest(token));
    expect(down.response?.status).toBe(503);
    expect(Number(down.response?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(down.response?.headers['www-authenticate']).toBeUndefined();
    expect(down.response?.body).not.toContain('invalid_token');

    // The PRM names the configured issuer, so it is served even while the AS is down.
    const prm = await auth.handleMetadataRequest({
      method: 'GET',
      url: '/.well-known/oauth-protected-resource/mcp',
      authorization: [],
    });
    expect(prm?.status).toBe(200);
    expect(JSON.parse(prm!.body!)).toMatchObject({ authorization_servers: [as.issuer] });

    // While backing off, requests do not hammer the AS.
    const during = as.server.count();
    for (let i = 0; i < 20; i++)
      expect((await auth.authenticate(bearerRequest(token))).response?.status).toBe(503);
    expect(as.server.count() - during).toBeLessThanOrEqual(1);

    as.setAll(undefined);
    await vi.waitFor(
      async () => {
        const result = await auth.authenticate(bearerRequest(token));
        expect(result.auth?.issuer).toBe(as.issuer);
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(as.metadataCount()).toBeGreaterThanOrEqual(1);
    expect(as.jwksCount()).toBe(1);
  });

  it('heals after the AS comes back on the same port (nothing listening at first)', async () => {
    const key = makeKey();
    const port = await closedPort();
    const issuer = `http://127.0.0.1:${port}`;
    const auth = await compiled(manifestFor(issuer, { startup: 'lazy' }));
    const token = signToken(key, claims(issuer, RESOURCE));
    const down = await auth.authenticate(bearerRequest(token));
    expect(down.response?.status).toBe(503);
    expect(down.response?.headers['retry-after']).toMatch(/^\d+$/);

    const as = await startFakeIssuer([key], { port });
    expect(as.issuer).toBe(issuer);
    await vi.waitFor(
      async () => expect((await auth.authenticate(bearerRequest(token))).auth?.subject).toBe('user-1'),
      { timeout: 10_000, interval: 50 },
    );
  });

  it('a wellKnownUrl-only issuer: the PRM is 503 + Retry-After while down, then served', async () => {
    let up = false;
    let table: Record<string, unknown> = {};
    const server = await startServer((req, res, s) =>
      up ? routes(table)(req, res, s) : sendJson(res, 503, { error: 'x' }),
    );
    table = { '/meta': asMetadata(server.origin) };
    const auth = await compiled({
      issuers: { corp: { wellKnownUrl: `${server.origin}/meta`, type: 'oauth' } },
      resources: [{ resource: RESOURCE, authorizationServers: ['corp'] }],
      settings: { startup: 'lazy' },
    });
    const request = { method: 'GET', url: '/.well-known/oauth-protected-resource/mcp', authorization: [] };
    const down = await auth.handleMetadataRequest(request);
    expect(down?.status).toBe(503);
    expect(down?.headers['retry-after']).toMatch(/^\d+$/);
    up = true;
    await vi.waitFor(
      async () => {
        const prm = await auth.handleMetadataRequest(request);
        expect(prm?.status).toBe(200);
        expect(JSON.parse(prm!.body!)).toMatchObject({ authorization_servers: [server.origin] });
      },
      { timeout: 10_000, interval: 50 },
    );
  });

  it('hundreds of simultaneous cold-start requests make one metadata fetch and one JWKS fetch', async () => {
    const key = makeKey();
    const as = await startFakeIssuer([key]);
    const auth = await compiled(manifestFor(as.issuer, { startup: 'lazy' }));
    const tokens = await Promise.all(
      Array.from({ length: 300 }, (_v, i) => signToken(key, claims(as.issuer, RESOURCE, { sub: `u${i}` }))),
    );
    const results = await Promise.all(tokens.map((t) => auth.authenticate(bearerRequest(t))));
    expect(results.every((r) => r.auth !== undefined)).toBe(true);
    expect(as.metadataCount()).toBe(1);
    expect(as.server.count(JWKS_PATH)).toBe(1);
  });
});
