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

/**
 * How `/introspect` answers: at once, held until released, HTTP 503 (`fail`: the endpoint is
 * down), HTTP 500 (`crash`: what one token may trigger), HTTP 522 (`edge`: a CDN whose origin
 * is down), or HTTP 429 with `busyFor`.
 * Whatever the mode, a token starting with `evil` gets a 400 (an authorization server refusing
 * the request for that token alone).
 */
let mode: 'answer' | 'hold' | 'fail' | 'crash' | 'edge' | 'busy' = 'answer';
/** Whether a WAF in front of the endpoint answers 403 to the breaker's own probes (a junk token). */
let wafRefusesProbes = false;
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
    if (token.startsWith('evil')) res.writeHead(400).end('{"error":"invalid_request"}');
    else if (wafRefusesProbes && token.startsWith('mcp-auth-config-probe-')) res.writeHead(403).end();
    else if (mode === 'fail') res.writeHead(503).end('{"error":"temporarily_unavailable"}');
    else if (mode === 'crash') res.writeHead(500).end('{"error":"server_error"}');
    else if (mode === 'edge') res.writeHead(522).end();
    else if (mode === 'busy') res.writeHead(429, { 'retry-after': busyFor }).end();
    else if (mode === 'hold') held.push({ res, token });
    else answer(res, token);
  });
  h = await runtime();
});
/** A runtime whose issuer introspects at the server above (its own breaker). */
function runtime(settings?: { fetch: { timeoutMs: number } }): Promise<Harness> {
  return harness({
    ...(settings ? { settings } : {}),
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
  wafRefusesProbes = false;
});

/** Runs `test` with a runtime of its own (so its breaker starts closed and holds no other test back). */
async function withOwnRuntime(
  test: (own: Harness) => Promise<void>,
  settings?: { fetch: { timeoutMs: number } },
): Promise<void> {
  const own = await runtime(settings);
  try {
    await test(own);
  } finally {
    await own.close();
  }
}

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

  it("a call refused for its own token fails alone: the next user's new token is still checked", async () => {
    for (let i = 0; i < 8; i++) expectRefused(await h.call(`evil-${i}`), { status: 503 });
    const calls = server.count('/introspect');
    expectAccepted(await h.call(opaque()));
    expect(server.count('/introspect')).toBe(calls + 1);
  });

  it('five failures of the endpoint in a row open the breaker: new tokens get 503 at once, cached ones pass; then it asks about a token of its own', async () => {
    await withOwnRuntime(async (own) => {
      const cached = opaque();
      expectAccepted(await own.call(cached));
      mode = 'fail';
      const before = server.count('/introspect');
      for (let i = 0; i < 4; i++) expectRefused(await own.call(opaque()), { status: 503 });
      expect(server.count('/introspect')).toBe(before + 4); // four failures: still calling
      const opening = await own.call(opaque());
      expectRefused(opening, { status: 503 });
      expect(opening.header('retry-after')).toBe('1'); // the breaker's wait, from the call that opened it
      const refused = await own.call(opaque());
      expectRefused(refused, { status: 503 });
      expect(refused.header('retry-after')).toBe('1');
      expect(server.count('/introspect')).toBe(before + 5); // not asked again
      expectAccepted(await own.call(cached));
      // After the first opening's 1 s, the breaker's own probe goes out; new tokens wait for it.
      await new Promise((r) => setTimeout(r, 1100));
      mode = 'hold';
      const waiting = [own.call(opaque()), own.call(opaque())];
      expect(await introspections(before + 6, 2000)).toBe(before + 6);
      await new Promise((r) => setTimeout(r, 100));
      expect(server.count('/introspect')).toBe(before + 6); // the probe alone
      expect(held.map((call) => call.token)).toEqual([expect.stringMatching(/^mcp-auth-config-probe-/)]);
      mode = 'answer';
      release(); // "inactive": an answer, so the breaker closes and both tokens are asked about
      for (const res of await Promise.all(waiting)) expectAccepted(res);
      expect(server.count('/introspect')).toBe(before + 8);
    });
  });

  /** Five failures in a row, then the wait: the next new token sets the breaker's probe off. */
  async function openThenWait(own: Harness): Promise<void> {
    mode = 'fail';
    for (let i = 0; i < 5; i++) expectRefused(await own.call(opaque()), { status: 503 });
    expectRefused(await own.call(opaque()), { status: 503 }); // open
    await new Promise((r) => setTimeout(r, 1100));
  }

  it('a probe that fails opens the breaker again, for longer', async () => {
    await withOwnRuntime(async (own) => {
      await openThenWait(own);
      const before = server.count('/introspect');
      const refused = await own.call(opaque()); // waits for the probe, which fails
      expectRefused(refused, { status: 503 });
      expect(Number(refused.header('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(server.count('/introspect')).toBe(before + 1); // the probe, not the token
      expectRefused(await own.call(opaque()), { status: 503 });
      expect(server.count('/introspect')).toBe(before + 1);
      // The second opening waited 1-2 s; the next failed probe opens it for 2-4 s.
      await new Promise((r) => setTimeout(r, Number(refused.header('retry-after')) * 1000 + 100));
      const longer = await own.call(opaque());
      expectRefused(longer, { status: 503 });
      expect(server.count('/introspect')).toBe(before + 2);
      expect(Number(longer.header('retry-after'))).toBeGreaterThanOrEqual(2);
    });
  });

  it('tokens an attacker chose cannot keep the breaker from opening: a 400 or a 500 for one token changes nothing', async () => {
    await withOwnRuntime(async (own) => {
      mode = 'fail';
      for (let i = 0; i < 4; i++) expectRefused(await own.call(opaque()), { status: 503 });
      expectRefused(await own.call('evil-between'), { status: 503 }); // 400 for that token
      mode = 'crash';
      expectRefused(await own.call(opaque()), { status: 503 }); // 500 for that token
      mode = 'fail';
      expectRefused(await own.call(opaque()), { status: 503 }); // the fifth failure of the endpoint
      const calls = server.count('/introspect');
      expectRefused(await own.call(opaque()), { status: 503 });
      expect(server.count('/introspect')).toBe(calls); // open
    });
  });

  it("a CDN's 522 (origin down) is a failure of the endpoint: five of them open the breaker", async () => {
    await withOwnRuntime(async (own) => {
      mode = 'edge';
      for (let i = 0; i < 5; i++) expectRefused(await own.call(opaque()), { status: 503 });
      const calls = server.count('/introspect');
      expectRefused(await own.call(opaque()), { status: 503 });
      expect(server.count('/introspect')).toBe(calls);
    });
  });

  it("a probe refused without a verdict (a WAF's 403 for a junk token) lets calls through, but the next opening waits longer", async () => {
    await withOwnRuntime(async (own) => {
      wafRefusesProbes = true;
      const cycle = async () => {
        mode = 'fail';
        for (let i = 0; i < 5; i++) expectRefused(await own.call(opaque()), { status: 503 });
        const refused = await own.call(opaque());
        expectRefused(refused, { status: 503 });
        return Number(refused.header('retry-after'));
      };
      expect(await cycle()).toBe(1); // the first opening: 1 s
      await new Promise((r) => setTimeout(r, 1100));
      const waitsAfterSecond = await cycle(); // the probe's 403 let these five through
      await new Promise((r) => setTimeout(r, waitsAfterSecond * 1000 + 100));
      // The third opening waits 2-4 s (no verdict came between): not the 1 s of a fresh start.
      expect(await cycle()).toBeGreaterThanOrEqual(2);
    });
  });

  it('the requests that wait for a probe count against the bound: past it, new tokens are refused at once', async () => {
    await withOwnRuntime(
      async (own) => {
        await openThenWait(own);
        mode = 'hold';
        const results: Awaited<ReturnType<Harness['call']>>[] = [];
        const flood = Array.from({ length: 100 }, () =>
          own.call(opaque()).then((res) => (results.push(res), res)),
        );
        const until = Date.now() + 4000;
        while (results.length < 36 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
        expect(results.length).toBe(36); // 64 wait for the probe, still held
        for (const res of results) expectRefused(res, { status: 503 });
        mode = 'answer';
        release(); // the probe's verdict: the 64 go on with their own calls
        const answered = await Promise.all(flood);
        expect(answered.filter((res) => res.status === 200)).toHaveLength(64);
      },
      { fetch: { timeoutMs: 30_000 } },
    );
  });

  it('a 500 for a token is no failure of the endpoint: six of them open nothing', async () => {
    await withOwnRuntime(async (own) => {
      mode = 'crash';
      for (let i = 0; i < 6; i++) expectRefused(await own.call(opaque()), { status: 503 });
      mode = 'answer';
      const calls = server.count('/introspect');
      expectAccepted(await own.call(opaque()));
      expect(server.count('/introspect')).toBe(calls + 1);
    });
  });

  it('an answer to an older call closes the breaker: a probe failing afterwards does not open it again', async () => {
    await withOwnRuntime(async (own) => {
      mode = 'hold';
      const before = server.count('/introspect');
      const older = own.call(opaque());
      expect(await introspections(before + 1, 2000)).toBe(before + 1);
      const olderCall = held.splice(0);
      await openThenWait(own);
      mode = 'hold';
      const waiting = own.call(opaque()); // sets the probe off, and waits for it
      expect(await introspections(before + 7, 2000)).toBe(before + 7);
      const probe = held.splice(0);
      for (const { res, token } of olderCall) answer(res, token); // the endpoint answers: closed
      expectAccepted(await older);
      for (const { res } of probe) res.writeHead(503).end(); // then the probe fails
      mode = 'answer';
      expectAccepted(await waiting);
    });
  });

  it('calls that were in flight when the breaker opened do not keep it open longer', async () => {
    await withOwnRuntime(async (own) => {
      mode = 'hold';
      const before = server.count('/introspect');
      const inflight = Array.from({ length: 8 }, () => own.call(opaque()));
      expect(await introspections(before + 8, 2000)).toBe(before + 8);
      // All eight fail at once: the first five open the breaker for 1 s, the last three count for nothing.
      for (const { res } of held.splice(0)) res.writeHead(503).end('{"error":"temporarily_unavailable"}');
      for (const res of await Promise.all(inflight)) expectRefused(res, { status: 503 });
      mode = 'answer';
      await new Promise((r) => setTimeout(r, 1100));
      expectAccepted(await own.call(opaque()));
    });
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

  it('at most 64 distinct tokens wait for the endpoint; one more is refused at once, and that opens nothing', async () => {
    // Held calls never time out here: everything refused is refused by the bound.
    await withOwnRuntime(
      async (own) => {
        mode = 'hold';
        const before = server.count('/introspect');
        const results: Awaited<ReturnType<Harness['call']>>[] = [];
        const flood = Array.from({ length: 100 }, () =>
          own.call(opaque()).then((res) => (results.push(res), res)),
        );
        // Everything past the bound comes back while the 64 others are still held.
        const until = Date.now() + 10_000;
        while (results.length < 36 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
        expect(results.length).toBe(36);
        for (const res of results) {
          expectRefused(res, { status: 503 });
          expect(res.header('retry-after')).toBe('1');
        }
        mode = 'answer'; // for the calls still queued behind the 16 sockets, too
        release();
        const answered = await Promise.all(flood);
        expect(answered.filter((res) => res.status === 200)).toHaveLength(64);
        expect(server.count('/introspect') - before).toBe(64);
        expectAccepted(await own.call(opaque()));
      },
      { fetch: { timeoutMs: 30_000 } },
    );
  });

  it.each([
    ['a number of seconds', () => '12', 12],
    ['an HTTP date', () => new Date(Date.now() + 12_500).toUTCString(), 12],
    ['more than the cap (30 s)', () => '86400', 30],
  ])(
    "a 429's Retry-After (%s) opens the breaker at once, for that long, capped",
    async (_name, retryAfter, seconds) => {
      await withOwnRuntime(async (own) => {
        mode = 'busy'; // one 429 that says when to come back opens the breaker at once
        busyFor = retryAfter();
        expectRefused(await own.call(opaque()), { status: 503 });
        const calls = server.count('/introspect');
        mode = 'answer';
        await new Promise((r) => setTimeout(r, 1100)); // past the 1 s the first opening alone would wait
        const refused = await own.call(opaque());
        expectRefused(refused, { status: 503 });
        expect(server.count('/introspect')).toBe(calls);
        // What is left after the 1.1 s waited, give or take a slow machine.
        expect(Number(refused.header('retry-after'))).toBeGreaterThan(seconds - 5);
        expect(Number(refused.header('retry-after'))).toBeLessThanOrEqual(seconds);
      });
    },
  );
});
