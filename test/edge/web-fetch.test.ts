/**
 * The Web `fetch` path of guardedFetch (the transport on Bun, Deno and workerd), checked on Node
 * through the `webFetchPath` seam: the same redirect, size, deadline and URL rules as undici's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { guardedFetch, outboundTransport, webFetchPath } from '../../src/discovery/guarded-fetch.js';
import { DiscoveryError } from '../../src/errors.js';
import { startServer, type TestServer } from '../support/tokens.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<string> {
  const server = await startServer(handler);
  servers.push(server);
  return server.url;
}

async function failure(promise: Promise<unknown>): Promise<DiscoveryError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DiscoveryError);
  return err as DiscoveryError;
}

const web = { [webFetchPath]: true } as const;

describe('guardedFetch through the Web fetch path', () => {
  it('is not the transport on Node, where undici is installed', async () => {
    expect(await outboundTransport()).toBe('undici');
  });

  it('returns the status and the JSON object of a 200 answer', async () => {
    const url = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"issuer":"x"}');
    });
    expect(await guardedFetch(`${url}/m`, web)).toEqual({ status: 200, json: { issuer: 'x' } });
  });

  it('refuses a redirect without following it', async () => {
    let followed = 0;
    const url = await serve((req, res) => {
      if (req.url === '/target') followed++;
      res.writeHead(302, { location: '/target' }).end();
    });
    const err = await failure(guardedFetch(`${url}/m`, web));
    expect(err.code).toBe('redirect');
    expect(followed).toBe(0);
  });

  it('refuses a declared body over maxBytes, and a streamed one once it passes the cap', async () => {
    const declared = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '4096' }).end('{' + ' '.repeat(4094) + '}');
    });
    expect((await failure(guardedFetch(`${declared}/m`, { ...web, maxBytes: 1024 }))).code).toBe('too_large');
    const streamed = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":"');
      res.write('x'.repeat(4096));
      res.end('"}');
    });
    expect((await failure(guardedFetch(`${streamed}/m`, { ...web, maxBytes: 1024 }))).code).toBe('too_large');
  });

  it('ends at the deadline with timeout when the headers never come', async () => {
    const url = await serve(() => new Promise(() => undefined));
    expect((await failure(guardedFetch(`${url}/m`, { ...web, timeoutMs: 300 }))).code).toBe('timeout');
  });

  it('refuses plain http to a non-loopback host before any request', async () => {
    expect((await failure(guardedFetch('http://auth.example.com/m', web))).code).toBe('insecure_url');
  });

  it('answers a non-JSON body with not_json, never quoting it', async () => {
    const url = await serve((_req, res) => res.end('<html>secret-upstream-text</html>'));
    const err = await failure(guardedFetch(`${url}/m`, web));
    expect(err.code).toBe('not_json');
    expect(err.message).not.toContain('secret-upstream-text');
  });
});
