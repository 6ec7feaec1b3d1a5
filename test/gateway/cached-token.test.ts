/**
 * The verified-token cache seen through the gateway: a token that ends like a cached one (the
 * cache's key is the tail of a JWS signature) is verified on its own, so a changed payload under
 * a cached signature is refused and never reaches the upstream.
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

beforeAll(async () => {
  upstream = createServer((_req, res) => {
    reached++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":1,"result":{}}');
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  kit = await startGateway(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}/mcp`);
});

afterAll(async () => {
  await kit.close();
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
});
