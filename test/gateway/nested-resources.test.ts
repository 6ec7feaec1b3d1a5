/**
 * A resource nested under another (`/mcp/admin` under `/mcp`), each with its own upstream path:
 * a target whose readings name both (a dot segment climbing from one into the other) is refused
 * with 400 and forwards nothing. It was once verified for `/mcp` (the reading with the dots
 * kept) and forwarded to `/mcp/admin` (the resolved one) when the nested resource said
 * `protect: false`, which the gateway ignores (it protects every resource).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claims, signToken } from '../support/tokens.js';
import {
  rawRequest,
  startGateway,
  startPythonUpstream,
  type ChildUpstream,
  type GatewayKit,
} from './support.js';

const BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

describe.each([false, true])('gateway: a resource nested under another (protect: %s)', (protect) => {
  let upstream: ChildUpstream;
  let kit: GatewayKit;
  let nested: string;

  beforeAll(async () => {
    upstream = await startPythonUpstream();
    kit = await startGateway(`${upstream.origin}/mcp`, {
      extra: (origin) => {
        nested = `${origin}/mcp/admin`;
        return [
          {
            resource: nested,
            authorizationServers: ['main'],
            protect,
            token: { requiredScopes: ['admin'] },
            upstream: { url: `${upstream.origin}/mcp/admin` },
          },
        ];
      },
    });
  });
  afterAll(async () => {
    await kit?.close();
    await upstream?.stop();
  });

  /** The status, and the upstream path the request reached (`null`: none). */
  async function post(target: string, token: string) {
    const before = upstream.seen.length;
    const res = await rawRequest(kit.gateway.url, target, {
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: BODY,
    });
    return { status: res.status, reached: upstream.seen.slice(before).at(-1)?.path ?? null };
  }
  const outerToken = () => kit.token({ scope: 'read' });
  const nestedToken = () => signToken(kit.key, claims(kit.issuer.issuer, nested, { scope: 'admin' }));

  it('each resource takes its own token to its own upstream path (control)', async () => {
    expect(await post('/mcp', outerToken())).toEqual({ status: 200, reached: '/mcp' });
    expect(await post('/mcp/admin', nestedToken())).toEqual({ status: 200, reached: '/mcp/admin' });
    expect(await post('/mcp/admin', outerToken())).toEqual({ status: 401, reached: null });
  });

  it.each(['/mcp/x/../admin', '/mcp/%2e%2e/mcp/admin', '/mcp//../mcp/admin', '/MCP/x/../admin'])(
    '%s names both resources: 400, whichever token, and nothing is forwarded',
    async (target) => {
      for (const token of [outerToken(), nestedToken()])
        expect(await post(target, token)).toEqual({ status: 400, reached: null });
    },
  );
});
