/**
 * How a runtime calls a remote token endpoint under load (src/verify/endpoint-calls.ts), against
 * one real loopback server that is both the issuer's introspection endpoint and its key set, the
 * way many authorization servers are deployed: one call per token in flight, a backoff after a
 * failure, and a lane of sockets of their own, so that introspections never queue in front of a
 * key-set fetch.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readBody, startServer, type TestServer } from '../support/servers.js';
import { issuerEntry } from '../support/issuer.js';
import { now } from '../support/tokens.js';
import { ISSUER, RESOURCE } from '../support/constants.js';
import { expectAccepted, expectRefused, harness, type Harness, testKeys } from './harness.js';

/** How `/introspect` answers: at once, held until released, HTTP 500, or HTTP 429 with `busyFor`. */
let mode: 'answer' | 'hold' | 'fail' | 'busy' = 'answer';
let busyFor = '';
const held: { res: ServerResponse; token: string }[] = [];
const answer = (res: ServerResponse, token: string) =>
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(
      JSON.stringify(
        token.startsWith('opaque-')
          ? { active: true, iss: ISSUER, aud: RESOURCE, client_id: 'c', scope: 'read', exp: now() + 300 }
          : { active: false },
      ),
    );
function release(): void {
  for (const { res, token } of held.splice(0)) answer(res, token);
}

let server: TestServer;
/** The key set served: the RS256 key only until a test publishes the ES256 one. */
let keys = [testKeys().RS256.publicJwk];
let h: Harness;
let seq = 0;
const opaque = () => `opaque-${++seq}-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  server = await startServer(async (req, res) => {
    if (req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
      return;
    }
    const token = new URLSearchParams(await readBody(req)).get('token') ?? '';
    if (mode === 'fail') res.writeHead(500).end('{"error":"server_error"}');
    else if (mode === 'busy') res.writeHead(429, { 'retry-after': busyFor }).end();
    else if (mode === 'hold') held.push({ res, token });
    else answer(res, token);
  });
  h = await runtime();
});
/** A runtime whose issuer introspects at the server above. */
function runtime(): Promise<Harness> {
  return harness({
    issuers: {
      main: {
        ...issuerEntry(ISSUER, { uri: `${server.origin}/jwks` }),
        introspection: {
          endpoint: `${server.origin}/introspect`,
          clientId: 'rs',
          clientSecretEnv: 'RS_SECRET',
        },
      },
    },
    token: { format: 'auto' },
    env: { RS_SECRET: 'secret' },
  });
}
afterAll(async () => {
  release();
  await h.close();
  await server.close();
});
afterEach(() => {
  release();
  mode = 'answer';
});

/** Resolves once `/introspect` has had `n` requests in all, or after `ms` (whichever is first). */
async function introspections(n: number, ms: number): Promise<number> {
  const until = Date.now() + ms;
  while (server.count('/introspect') < n && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  return server.count('/introspect');
}

describe('remote token checks under load', () => {
  it('requests that carry the same new token while its introspection is pending share that one call', async () => {
    mode = 'hold';
    const before = server.count('/introspect');
    const token = opaque();
    const answers = Promise.all(Array.from({ length: 5 }, () => h.call(token)));
    // Held until five calls arrive (what a runtime without sharing makes) or 500 ms pass.
    expect(await introspections(before + 5, 500)).toBe(before + 1);
    release();
    for (const res of await answers) expectAccepted(res);
    expect(server.count('/introspect')).toBe(before + 1);
  });

  it('after a failed call, new tokens get 503 at once until the backoff has passed; cached tokens still pass', async () => {
    const cached = opaque();
    expectAccepted(await h.call(cached));
    mode = 'fail';
    expectRefused(await h.call(opaque()), { status: 503 });
    const failedCalls = server.count('/introspect');
    const refused = await h.call(opaque());
    expectRefused(refused, { status: 503 });
    expect(refused.header('retry-after')).toBe('1');
    expect(server.count('/introspect')).toBe(failedCalls); // not asked again
    expectAccepted(await h.call(cached));
    mode = 'answer';
    await new Promise((r) => setTimeout(r, 1100)); // the first backoff is exactly 1 s
    expectAccepted(await h.call(opaque()));
    expect(server.count('/introspect')).toBe(failedCalls + 1);
  });

  it('introspections that take every socket of the origin do not hold a key-set fetch back', async () => {
    mode = 'hold';
    const before = server.count('/introspect');
    // 16 sockets per origin: 20 stalled introspections fill them and queue behind them.
    const stalled = Promise.all(Array.from({ length: 20 }, () => h.call(opaque())));
    expect(await introspections(before + 16, 5000)).toBeGreaterThanOrEqual(before + 16);
    // A JWT signed with a key the runtime has not fetched yet: its check needs the key set.
    keys = [testKeys().RS256.publicJwk, testKeys().ES256.publicJwk];
    const jwksFetches = server.count('/jwks');
    const jwt = h.call(h.token({}, { alg: 'ES256' }));
    // Answered while every introspection is still held (they are released only after it, or at
    // the fetch deadline when they share the key set's sockets).
    const first = await Promise.race([jwt.then(() => 'jwt'), stalled.then(() => 'introspections')]);
    expect(first).toBe('jwt');
    expect(held.length).toBeGreaterThanOrEqual(16);
    expectAccepted(await jwt);
    expect(server.count('/jwks')).toBe(jwksFetches + 1);
    mode = 'answer'; // for the four still queued, too
    release();
    for (const res of await stalled) expectAccepted(res);
  });

  it('at most 256 distinct tokens wait for the endpoint; one more is refused at once, with no backoff after', async () => {
    mode = 'hold';
    const before = server.count('/introspect');
    const results: Awaited<ReturnType<Harness['call']>>[] = [];
    const flood = Array.from({ length: 300 }, () => h.call(opaque()).then((res) => (results.push(res), res)));
    // Everything past the bound comes back while the 256 others are still held (their calls
    // end only when released, or at the 5 s fetch deadline).
    const until = Date.now() + 4000;
    while (results.length < 44 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(results.length).toBe(44);
    for (const res of results) {
      expectRefused(res, { status: 503 });
      expect(res.header('retry-after')).toBe('1');
    }
    expect(server.count('/introspect') - before).toBeLessThanOrEqual(256);
    mode = 'answer'; // for the calls still queued behind the 16 sockets, too
    release();
    const answered = await Promise.all(flood);
    expect(answered.filter((res) => res.status === 200)).toHaveLength(256);
    expect(server.count('/introspect') - before).toBe(256);
    expectAccepted(await h.call(opaque())); // refusals at the bound start no backoff
  });

  it.each([
    // What is left of it after the 1.1 s waited: 10.9 s, 10.9-11.4 s, 28.9 s (rounded up).
    ['a number of seconds', () => '12', /^1[01]$/],
    ['an HTTP date', () => new Date(Date.now() + 12_500).toUTCString(), /^1[012]$/],
    ['more than the cap (30 s)', () => '86400', /^2[89]$/],
  ])(
    "a 429's Retry-After (%s) holds new tokens back that long, capped",
    async (_name, retryAfter, expected) => {
      const busy = await runtime(); // a backoff of its own, so the other tests are not held
      try {
        mode = 'busy';
        busyFor = retryAfter();
        expectRefused(await busy.call(opaque()), { status: 503 });
        const calls = server.count('/introspect');
        mode = 'answer';
        await new Promise((r) => setTimeout(r, 1100)); // past the 1 s the failure alone would wait
        const refused = await busy.call(opaque());
        expectRefused(refused, { status: 503 });
        expect(server.count('/introspect')).toBe(calls);
        expect(refused.header('retry-after')).toMatch(expected);
      } finally {
        await busy.close();
      }
    },
  );
});
