/**
 * The guarded fetch against real servers on 127.0.0.1: every refusal is a DiscoveryError with a
 * stable code, and no upstream text reaches the message.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { ServerResponse } from 'node:http';
import { promises as dns } from 'node:dns';
import { createServer as createTcpServer, type LookupFunction, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import {
  connectOptions,
  createDispatcher,
  guardedFetch,
  webFetchPath,
} from '../../src/discovery/guarded-fetch.js';
import { DiscoveryError } from '../../src/errors.js';
import {
  closeAllServers,
  closedPort,
  dripHandler,
  hugeJsonHandler,
  jsonHandler,
  listen,
  neverAnswer,
  rawHandler,
  redirectHandler,
  startServer,
} from '../support/servers.js';
import { rejection } from '../support/rejection.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((fn) => fn()));
  await closeAllServers();
});

/**
 * A raw TCP server on 127.0.0.1 that accepts connections and never writes a byte: a TLS
 * ClientHello sent to it is never answered, so the handshake stalls.
 */
async function stallingTcpServer(): Promise<{ port: number; accepted: () => number }> {
  let accepted = 0;
  const server: Server = createTcpServer((socket) => {
    accepted++;
    socket.on('error', () => undefined);
  });
  const { port, close } = await listen(server);
  cleanups.push(close);
  return { port, accepted: () => accepted };
}

/**
 * A DNS server on 127.0.0.1 (UDP) that receives queries and never answers, and a `lookup` that
 * resolves through it with a real resolver.
 */
async function stallingDns(): Promise<{ lookup: LookupFunction; queries: () => number }> {
  const socket: UdpSocket = createSocket('udp4');
  let queries = 0;
  socket.on('message', () => queries++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const resolver = new dns.Resolver({ timeout: 60_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${socket.address().port}`]);
  cleanups.push(() => {
    resolver.cancel();
    socket.close();
  });
  const lookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolver.resolve4(hostname).then(
      (addresses) =>
        options.all
          ? callback(
              null,
              addresses.map((address) => ({ address, family: 4 })),
            )
          : callback(null, addresses[0], 4),
      (err: unknown) => callback(err),
    );
  }) as LookupFunction;
  return { lookup, queries: () => queries };
}

/** The DiscoveryError a promise rejects with (fails the test if it resolves or throws another type). */
const failure = (promise: Promise<unknown>) => rejection(promise, DiscoveryError);

describe('guardedFetch', () => {
  it('returns the status and the parsed JSON object of a 200 answer', async () => {
    const server = await startServer(jsonHandler({ issuer: 'x', extra: [1, 2] }));
    const { status, json } = await guardedFetch(`${server.origin}/doc`);
    expect(status).toBe(200);
    expect(json).toEqual({ issuer: 'x', extra: [1, 2] });
  });

  it('is lenient on content-type: a JSON body sent as text/plain is accepted', async () => {
    const server = await startServer(rawHandler('{"a":1}', 'text/plain'));
    expect((await guardedFetch(server.origin)).json).toEqual({ a: 1 });
  });

  it('refuses a redirect, and the redirect target receives no request', async () => {
    const target = await startServer(jsonHandler({ issuer: 'evil' }));
    const redirector = await startServer(redirectHandler(`${target.origin}/doc`));
    const err = await failure(guardedFetch(`${redirector.origin}/doc`));
    expect(err.code).toBe('redirect');
    expect(err.status).toBe(302);
    expect(redirector.count()).toBe(1);
    expect(target.count()).toBe(0);
  });

  it.each([301, 303, 307, 308])('refuses a %i redirect as well', async (status) => {
    const target = await startServer(jsonHandler({}));
    const redirector = await startServer(redirectHandler(`${target.origin}/`, status));
    expect((await failure(guardedFetch(redirector.origin))).code).toBe('redirect');
    expect(target.count()).toBe(0);
  });

  it.each([
    [429, '7', 7000],
    [503, '  12 ', 12_000],
    [429, 'soon', undefined],
    [429, '-3', undefined],
    [500, '7', undefined], // Retry-After means something on 429 and 503 only
  ])('a %i with Retry-After %j is a transient http_status asking for %s ms', async (status, value, ms) => {
    const server = await startServer((_req, res) => res.writeHead(status, { 'retry-after': value }).end());
    const err = await failure(guardedFetch(server.origin));
    expect(err.code).toBe('http_status');
    expect(err.transient).toBe(true);
    expect(err.retryAfterMs).toBe(ms);
  });

  it('reads a Retry-After given as an HTTP date, on both transports', async () => {
    const server = await startServer((_req, res) =>
      res.writeHead(503, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }).end(),
    );
    for (const web of [false, true]) {
      const err = await failure(guardedFetch(server.origin, { [webFetchPath]: web }));
      expect(err.retryAfterMs).toBeGreaterThan(28_000);
      expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
    }
  });

  it('stops a slow-drip body at the deadline with timeout', async () => {
    const server = await startServer(dripHandler(20));
    const err = await failure(guardedFetch(server.origin, { timeoutMs: 300 }));
    expect(err.code).toBe('timeout');
    expect(err.transient).toBe(true);
  });

  // Each stage of the exchange stalls in turn; the test's own timeout (well under undici's 10 s
  // connect and 300 s headers/body timeouts) fails it when the deadline does not hold there.
  describe('the deadline holds at every stage', () => {
    it(
      'a TLS handshake that never completes ends at the deadline with timeout',
      { timeout: 5000 },
      async () => {
        const tcp = await stallingTcpServer();
        const err = await failure(guardedFetch(`https://127.0.0.1:${tcp.port}/jwks`, { timeoutMs: 300 }));
        expect(err.code).toBe('timeout');
        expect(tcp.accepted()).toBe(1);
      },
    );

    it(
      'a stalled TLS handshake through the shared runtime dispatcher ends at the deadline with timeout',
      { timeout: 5000 },
      async () => {
        const tcp = await stallingTcpServer();
        const dispatcher = createDispatcher({ connectTimeoutMs: 300 });
        cleanups.push(() => dispatcher.destroy());
        const err = await failure(
          guardedFetch(`https://127.0.0.1:${tcp.port}/jwks`, { timeoutMs: 300, dispatcher }),
        );
        expect(err.code).toBe('timeout');
      },
    );

    it('a DNS server that never answers ends at the deadline with timeout', { timeout: 5000 }, async () => {
      const dns = await stallingDns();
      const err = await failure(
        guardedFetch('https://issuer.mcp-auth-config.test/jwks', {
          timeoutMs: 300,
          [connectOptions]: { lookup: dns.lookup },
        }),
      );
      expect(err.code).toBe('timeout');
      expect(dns.queries()).toBeGreaterThanOrEqual(1);
    });

    it('headers that never come end at the deadline with timeout', { timeout: 5000 }, async () => {
      const server = await startServer(neverAnswer);
      expect((await failure(guardedFetch(server.origin, { timeoutMs: 300 }))).code).toBe('timeout');
      expect(server.count()).toBe(1);
    });

    it(
      'a body that stalls after the headers ends at the deadline with timeout',
      { timeout: 5000 },
      async () => {
        const server = await startServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          res.write('{"keys":');
        });
        expect((await failure(guardedFetch(server.origin, { timeoutMs: 300 }))).code).toBe('timeout');
      },
    );
  });

  it('stops a 5 MiB streamed body at the size cap with too_large', async () => {
    const server = await startServer(hugeJsonHandler(5 * 1024 * 1024));
    const err = await failure(guardedFetch(server.origin));
    expect(err.code).toBe('too_large');
  });

  it('refuses a declared content-length above the cap before reading the body', async () => {
    const server = await startServer(hugeJsonHandler(5 * 1024 * 1024, { declare: true }));
    const err = await failure(guardedFetch(server.origin, { maxBytes: 64 * 1024 }));
    expect(err.code).toBe('too_large');
  });

  it('accepts a body exactly at the cap and refuses one byte more', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(100) });
    const server = await startServer(rawHandler(body));
    await expect(guardedFetch(server.origin, { maxBytes: body.length })).resolves.toMatchObject({
      status: 200,
    });
    expect((await failure(guardedFetch(server.origin, { maxBytes: body.length - 1 }))).code).toBe(
      'too_large',
    );
  });

  it.each([
    ['an HTML page', '<!doctype html><html><body>Sign in</body></html>', 'text/html'],
    ['null', 'null', 'application/json'],
    ['an array', '[]', 'application/json'],
    ['a string', '"issuer"', 'application/json'],
    ['truncated JSON', '{"issuer":"http://127.0.0.1', 'application/json'],
    ['an empty body', '', 'application/json'],
  ])('refuses %s with not_json, without quoting the body', async (_name, body, type) => {
    const server = await startServer(rawHandler(body, type));
    const err = await failure(guardedFetch(server.origin));
    expect(err.code).toBe('not_json');
    if (body) expect(err.message).not.toContain(body);
  });

  it('fails a non-2xx answer with http_status and the status, without the upstream body', async () => {
    const server = await startServer(rawHandler('<h1>upstream secret text</h1>', 'text/html', 503));
    const err = await failure(guardedFetch(server.origin));
    expect(err.code).toBe('http_status');
    expect(err.status).toBe(503);
    expect(err.transient).toBe(true);
    expect(err.message).not.toContain('upstream secret text');
  });

  it('returns an accepted non-2xx status without a body when acceptStatus allows it', async () => {
    const server = await startServer(jsonHandler({ error: 'nope' }, 404));
    expect(await guardedFetch(server.origin, { acceptStatus: (s) => s === 404 })).toEqual({
      status: 404,
      json: undefined,
    });
  });

  it('refuses http to a non-loopback host with insecure_url and makes no request', async () => {
    // 0.0.0.0 would reach the local server on Linux: the refusal happens before any connection.
    const server = await startServer(jsonHandler({}));
    const err = await failure(guardedFetch(`http://0.0.0.0:${server.port}/`));
    expect(err.code).toBe('insecure_url');
    expect(server.count()).toBe(0);
    expect((await failure(guardedFetch('http://as.example.com/.well-known/x'))).code).toBe('insecure_url');
  });

  it.each(['ftp://127.0.0.1/x', 'file:///etc/passwd', 'not a url', '/relative/path'])(
    'refuses %s with insecure_url',
    async (url) => {
      expect((await failure(guardedFetch(url))).code).toBe('insecure_url');
    },
  );

  it('refuses a URL carrying credentials with insecure_url and never sends them', async () => {
    const server = await startServer(jsonHandler({}));
    const err = await failure(guardedFetch(`http://user:secret@127.0.0.1:${server.port}/`));
    expect(err.code).toBe('insecure_url');
    expect(err.message).not.toContain('secret');
    expect(server.count()).toBe(0);
  });

  it('reports a refused connection (closed port) as network', async () => {
    const port = await closedPort();
    const err = await failure(guardedFetch(`http://127.0.0.1:${port}/`));
    expect(err.code).toBe('network');
    expect(err.transient).toBe(true);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('reports a DNS failure on a .invalid host over https as network', async () => {
    const err = await failure(guardedFetch('https://issuer.mcp-auth-config.invalid/.well-known/x'));
    expect(err.code).toBe('network');
  });

  it('reports a connection reset in the middle of the body as network', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"a":');
      setImmediate(() => res.destroy());
    });
    expect((await failure(guardedFetch(server.origin))).code).toBe('network');
  });
});

describe('the shared pool', () => {
  it('gives each lane its own sockets: 16 stalled token checks at an origin hold neither its key set nor a token exchange back', async () => {
    const held: ServerResponse[] = [];
    const server = await startServer((req, res) => {
      if (req.url === '/introspect') held.push(res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const dispatcher = createDispatcher();
    cleanups.push(() => dispatcher.destroy());
    const stalled = Array.from({ length: 20 }, () =>
      guardedFetch(`${server.origin}/introspect`, { dispatcher, lane: 'calls', timeoutMs: 10_000 }),
    );
    const until = Date.now() + 5000;
    while (held.length < 16 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(held.length).toBe(16); // every socket of the lane taken, four more queued behind them
    for (const lane of ['keys', 'downstream'] as const) {
      const { json } = await guardedFetch(`${server.origin}/${lane}`, {
        dispatcher,
        lane,
        timeoutMs: 10_000,
      });
      expect(json).toEqual({ ok: true });
    }
    expect(held.length).toBe(16); // answered while the checks were still held
    const release = () => {
      for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    };
    release();
    while (held.length < 4 && Date.now() < until + 5000) await new Promise((r) => setTimeout(r, 10));
    release();
    await Promise.all(stalled);
  });
});
