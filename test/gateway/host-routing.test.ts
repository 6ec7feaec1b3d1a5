/**
 * Two resources on one path, told apart by their origin: the gateway verifies a token for the
 * resource it forwards to, and for no other. Every `Host` spelling (case, trailing dot, none,
 * an origin the manifest does not name) either forwards to the upstream of the resource the
 * token was verified for, or forwards nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange } from '../support/raw-request.js';
import { claims, signToken } from '../support/tokens.js';
import { startGateway, startPythonUpstream, type ChildUpstream, type GatewayKit } from './support.js';

const BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

describe('gateway: resources that share a path on two origins', () => {
  let upstream: ChildUpstream;
  let kit: GatewayKit;
  let port: number;
  /** Resource identifier → the upstream path its requests are forwarded to. */
  const forwardedTo = new Map<string, string>();
  let other: string;

  beforeAll(async () => {
    upstream = await startPythonUpstream();
    kit = await startGateway(`${upstream.origin}/first`, {
      extra: (origin) => {
        other = `${origin.replace('127.0.0.1', 'localhost')}/mcp`;
        return [
          { resource: other, authorizationServers: ['main'], upstream: { url: `${upstream.origin}/second` } },
        ];
      },
    });
    port = Number(new URL(kit.gateway.url).port);
    forwardedTo.set(kit.resource, '/first').set(other, '/second');
  });
  afterAll(async () => {
    await kit?.close();
    await upstream?.stop();
  });

  const tokenFor = (resource: string) =>
    signToken(kit.key, claims(kit.issuer.issuer, resource, { scope: 'read' }));
  /** The status, and the upstream path the request reached (`null`: it reached none). */
  async function exchange(host: string | null, resource: string) {
    const before = upstream.seen.length;
    const status = await rawExchange(port, {
      method: 'POST',
      target: '/mcp',
      host,
      headers: [
        `Authorization: Bearer ${tokenFor(resource)}`,
        'Accept: application/json, text/event-stream',
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(BODY)}`,
      ],
      body: BODY,
    });
    const seen = upstream.seen.slice(before);
    expect(seen.length).toBeLessThanOrEqual(1);
    return { status, reached: seen[0]?.path ?? null };
  }

  it("each origin's token reaches its own upstream (control)", async () => {
    expect(await exchange(`127.0.0.1:${port}`, kit.resource)).toEqual({ status: 200, reached: '/first' });
    expect(await exchange(`localhost:${port}`, other)).toEqual({ status: 200, reached: '/second' });
  });

  it.each(['LOCALHOST', 'localhost.', 'Localhost.'])(
    'Host %s names the second origin: its token is forwarded there, the first origin’s is refused',
    async (name) => {
      expect(await exchange(`${name}:${port}`, other)).toEqual({ status: 200, reached: '/second' });
      expect(await exchange(`${name}:${port}`, kit.resource)).toEqual({ status: 401, reached: null });
    },
  );

  it('a token for one origin never reaches the other origin’s upstream', async () => {
    expect(await exchange(`localhost:${port}`, kit.resource)).toEqual({ status: 401, reached: null });
    expect(await exchange(`127.0.0.1:${port}`, other)).toEqual({ status: 401, reached: null });
  });

  it.each([null, 'evil.example', 'evil.example:{port}', '127.0.0.2:{port}'])(
    'Host %j names neither origin: whatever is forwarded was verified for the resource it reaches',
    async (host) => {
      let forwarded = 0;
      for (const resource of [kit.resource, other]) {
        const { status, reached } = await exchange(host?.replace('{port}', String(port)) ?? null, resource);
        if (reached === null) {
          expect(status, resource).toBeGreaterThanOrEqual(400);
          expect(status, resource).toBeLessThan(500);
        } else {
          expect(status).toBe(200);
          expect(reached, resource).toBe(forwardedTo.get(resource));
          forwarded++;
        }
      }
      // One resource is chosen for such a Host, so at most one of the two tokens gets through.
      expect(forwarded).toBeLessThanOrEqual(1);
    },
  );
});
