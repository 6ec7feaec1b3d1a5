/**
 * Verification seen through the gateway. The verified-token cache: a token that ends like a
 * cached one (the cache's key is the tail of a JWS signature) is verified on its own, so a
 * changed payload under a cached signature is refused and never reaches the upstream, and a
 * malformed one is refused as malformed. Checks
 * answered later (`offload: "pool"`): in a burst of new tokens, each request gets its own verdict.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64url, claims } from '../support/tokens.js';
import { rpc, startGateway, type GatewayKit } from './support.js';

let upstream: Server;
let reached = 0;
let kit: GatewayKit;
let pooled: GatewayKit;

beforeAll(async () => {
  upstream = createServer((_req, res) => {
    reached++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":1,"result":{}}');
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/mcp`;
  kit = await startGateway(url);
  pooled = await startGateway(url, { settings: { verify: { offload: 'pool' } } });
});

afterAll(async () => {
  await kit.close();
  await pooled.close();
  upstream.close();
});

describe('gateway: verified-token cache', () => {
  it('refuses a changed payload under a cached signature; the upstream sees only the genuine call', async () => {
    const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    const genuine = kit.token({ scope: 'read', sub: 'alice' });
    expect((await rpc(`${kit.gateway.url}/mcp`, LIST, { authorization: `Bearer ${genuine}` })).status).toBe(
      200,
    );
    expect(reached).toBe(1); // the genuine token is now cached
    const [header, , signature] = genuine.split('.') as [string, string, string];
    const payload = b64url(
      JSON.stringify(claims(kit.issuer.issuer, kit.resource, { scope: 'read admin', sub: 'mallory' })),
    );
    const forged = `${header}.${payload}.${signature}`;
    expect(forged.slice(-64)).toBe(genuine.slice(-64));
    const res = await rpc(`${kit.gateway.url}/mcp`, LIST, { authorization: `Bearer ${forged}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(reached).toBe(1);
  });

  it('refuses a malformed token under a cached signature as malformed (400); the upstream is not reached', async () => {
    const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    const genuine = kit.token({ scope: 'read', sub: 'carol' });
    expect((await rpc(`${kit.gateway.url}/mcp`, LIST, { authorization: `Bearer ${genuine}` })).status).toBe(
      200,
    );
    const before = reached; // the genuine token is now cached
    const [header, payload, signature] = genuine.split('.') as [string, string, string];
    // Same signature, so the same cache key; a character outside b64token in the payload.
    const malformed = `${header}.${payload.slice(0, 10)}!${payload.slice(11)}.${signature}`;
    const res = await rpc(`${kit.gateway.url}/mcp`, LIST, { authorization: `Bearer ${malformed}` });
    expect(res.status).toBe(400);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_request"');
    expect(reached).toBe(before);
  });

  it('a burst of new tokens, forged ones among them, sent at once: each call gets its own verdict', async () => {
    const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    const tokens = Array.from({ length: 30 }, (_, i) => pooled.token({ sub: `burst-${i}` }));
    // Every third token carries the signature of the token before it.
    const sent = tokens.map((t, i) =>
      i % 3 === 1
        ? `${t.slice(0, t.lastIndexOf('.'))}${tokens[i - 1]!.slice(tokens[i - 1]!.lastIndexOf('.'))}`
        : t,
    );
    const before = reached;
    const answers = await Promise.all(
      sent.map((t) => rpc(`${pooled.gateway.url}/mcp`, LIST, { authorization: `Bearer ${t}` })),
    );
    answers.forEach((res, i) => expect(res.status, `call ${i}`).toBe(i % 3 === 1 ? 401 : 200));
    expect(reached - before).toBe(20);
  });
});
