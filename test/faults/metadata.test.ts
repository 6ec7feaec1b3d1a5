/**
 * Metadata-server faults through compile(): in fail-fast mode each one rejects with its stable
 * code and the issuer named; in lazy mode compile succeeds and requests get 503 + Retry-After.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { DiscoveryError, type DiscoveryErrorCode } from '../../src/errors.js';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { RESOURCE } from '../support/constants.js';
import { bearerRequest, manifestFor } from '../support/issuer.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import {
  closeAllServers,
  dripHandler,
  hugeJsonHandler,
  jsonHandler,
  neverAnswer,
  rawHandler,
  redirectHandler,
  startServer,
  type Handler,
} from '../support/servers.js';

const runtimes: McpAuth[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((a) => a.close()));
  await closeAllServers();
});

const faults: [string, DiscoveryErrorCode, Handler][] = [
  ['answers 500', 'http_status', jsonHandler({ error: 'x' }, 500)],
  ['answers 404 everywhere', 'not_found', jsonHandler({ error: 'x' }, 404)],
  ['redirects', 'redirect', redirectHandler('http://127.0.0.1:1/elsewhere')],
  ['sends HTML', 'not_json', rawHandler('<html>hello</html>', 'text/html')],
  ['never answers', 'timeout', neverAnswer],
  ['drips one byte at a time', 'timeout', dripHandler(20)],
  ['streams 5 MiB', 'too_large', hugeJsonHandler(5 * 1024 * 1024)],
  ['returns null', 'not_json', rawHandler('null')],
  ['returns []', 'not_json', rawHandler('[]')],
  ['returns truncated JSON', 'not_json', rawHandler('{"issuer":')],
  [
    'returns a document without issuer',
    'invalid_metadata',
    jsonHandler({ token_endpoint: 'https://x.example/t' }),
  ],
];

describe('metadata faults at start-up', () => {
  it.each(faults)('fail-fast: a server that %s rejects compile with %s', async (_name, code, handler) => {
    const server = await startServer(handler);
    const err: unknown = await compile(manifestFor(server.origin, { fetch: { timeoutMs: 300 } })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DiscoveryError);
    expect((err as DiscoveryError).code).toBe(code);
    expect((err as DiscoveryError).issuerId).toBe('main');
    expect((err as DiscoveryError).message).toContain('issuer "main"');
  });

  it.each(faults)(
    'lazy: a server that %s (%s) leaves compile working and requests at 503',
    async (_name, _code, handler) => {
      const server = await startServer(handler);
      const auth = await compile(manifestFor(server.origin, { startup: 'lazy', fetch: { timeoutMs: 300 } }));
      runtimes.push(auth);
      const key = makeKey();
      const result = await auth.authenticate(bearerRequest(signToken(key, claims(server.origin, RESOURCE))));
      expect(result.response?.status).toBe(503);
      expect(result.response?.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expect(result.response?.headers['www-authenticate']).toBeUndefined();
    },
  );
});

describe("the metadata server's Retry-After", () => {
  it.each([503, 429])(
    'lazy: a %i with Retry-After: 20 holds the retry back that long, and the 503 answers say so',
    async (status) => {
      const server = await startServer((_req, res) =>
        res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '20' }).end('{}'),
      );
      const auth = await compile(manifestFor(server.origin, { startup: 'lazy' }));
      runtimes.push(auth);
      const token = signToken(makeKey(), claims(server.origin, RESOURCE));
      const first = await auth.authenticate(bearerRequest(token));
      expect(first.response?.status).toBe(503);
      // The first failure alone would back off 1 s.
      expect(Number(first.response?.headers['retry-after'])).toBeGreaterThanOrEqual(19);
      const fetches = server.count();
      await new Promise((r) => setTimeout(r, 2000)); // the first retry would be 1 s after the failure
      const again = await auth.authenticate(bearerRequest(token));
      expect(again.response?.status).toBe(503);
      expect(Number(again.response?.headers['retry-after'])).toBeGreaterThanOrEqual(17);
      expect(server.count()).toBe(fetches); // neither the background retry nor the request fetched
    },
  );
});
