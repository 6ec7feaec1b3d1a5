/**
 * MCP 2026-07-28 mirrored request headers (`Mcp-Method`, `Mcp-Name`) must agree with the
 * JSON-RPC body, or the gateway answers 400 with JSON-RPC -32020 (HeaderMismatch) and forwards
 * nothing; and a body with duplicate member names on a resource with per-tool scopes is refused
 * (the runtime reads the last value, an upstream may read the first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rawRequest,
  startGateway,
  startPythonUpstream,
  type ChildUpstream,
  type GatewayKit,
} from './support.js';

const b64 = (s: string) => `=?base64?${Buffer.from(s, 'utf8').toString('base64')}?=`;
const call = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {}, ...extra } });

describe('gateway: mirrored headers and duplicate members', () => {
  let upstream: ChildUpstream;
  let plain: GatewayKit; // no per-tool scopes: the body is normally streamed unread
  let scoped: GatewayKit; // per-tool scopes: the body is read for the decision

  beforeAll(async () => {
    upstream = await startPythonUpstream();
    plain = await startGateway(`${upstream.origin}/mcp`);
    scoped = await startGateway(`${upstream.origin}/mcp`, {
      tools: { headers: { requiredScopes: ['admin'] } },
    });
  });
  afterAll(async () => {
    await plain?.close();
    await scoped?.close();
    await upstream?.stop();
  });

  async function send(kit: GatewayKit, body: string, headers: Record<string, string>, scope = 'read admin') {
    const before = upstream.seen.length;
    const res = await rawRequest(kit.gateway.url, '/mcp', {
      headers: {
        authorization: `Bearer ${await kit.token({ scope })}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body,
    });
    return { ...res, forwarded: upstream.seen.length - before };
  }

  it.each([
    ['Mcp-Method differs from method', { 'mcp-method': 'tools/list' }, call('headers')],
    [
      'Mcp-Method differs in case only',
      { 'mcp-method': 'Tools/Call', 'mcp-name': 'headers' },
      call('headers'),
    ],
    [
      'Mcp-Name differs from params.name',
      { 'mcp-method': 'tools/call', 'mcp-name': 'other' },
      call('headers'),
    ],
    [
      'Mcp-Name for a method that names nothing',
      { 'mcp-name': 'headers' },
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    ],
    ['Mcp-Method for a named method without Mcp-Name', { 'mcp-method': 'tools/call' }, call('headers')],
    [
      'Base64 Mcp-Name that decodes to another name',
      { 'mcp-method': 'tools/call', 'mcp-name': b64('other') },
      call('headers'),
    ],
    [
      'malformed Base64 Mcp-Name',
      { 'mcp-method': 'tools/call', 'mcp-name': '=?base64?@@@?=' },
      call('headers'),
    ],
    [
      'Mcp-Name mismatching resources/read params.uri',
      { 'mcp-method': 'resources/read', 'mcp-name': 'file:///a' },
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'file:///b' } }),
    ],
    [
      'MCP-Protocol-Version differing from _meta',
      { 'mcp-method': 'tools/call', 'mcp-name': 'headers', 'mcp-protocol-version': '2026-07-28' },
      call('headers', { _meta: { 'io.modelcontextprotocol/protocolVersion': '2025-11-25' } }),
    ],
    ['headers on a batch', { 'mcp-method': 'tools/call', 'mcp-name': 'headers' }, `[${call('headers')}]`],
  ])('answers 400 / -32020 and forwards nothing: %s', async (_why, headers, body) => {
    for (const kit of [plain, scoped]) {
      const res = await send(kit, body, headers);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32020 } });
      expect(res.forwarded).toBe(0);
    }
  });

  it('forwards a request whose headers agree with the body (plain and Base64 names), body byte for byte', async () => {
    for (const kit of [plain, scoped]) {
      const body = call('headers');
      const ok = await send(kit, body, {
        'mcp-method': 'tools/call',
        'mcp-name': 'headers',
        'mcp-protocol-version': '2026-07-28',
      });
      expect(ok.status).toBe(200);
      expect(ok.forwarded).toBe(1);
      expect(upstream.seen.at(-1)?.headers['mcp-name']).toBe('headers');
      expect(upstream.seen.at(-1)?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    }
    const named = 'résumé tool';
    const res = await send(plain, call(named), { 'mcp-method': 'tools/call', 'mcp-name': b64(named) });
    expect(res.status).toBe(200);
  });

  it('does not read or check bodies of requests without mirrored headers on a resource without per-tool scopes', async () => {
    const res = await send(plain, `{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call"}`, {});
    expect(res.status).toBe(200);
  });

  // The runtime reads the last value (allowed for a read-only token); an upstream reading the first
  // would run the tool that needs admin.
  it('refuses duplicate member names on a resource with per-tool scopes (400 / -32700), even when escaped differently', async () => {
    for (const body of [
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"headers","name":"echo"}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","method":"tools/list","params":{"name":"headers"}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"headers","na\\u006de":"echo"}}`,
    ]) {
      const res = await send(scoped, body, {}, 'read');
      expect(res.status, body).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: -32700 } });
      expect(res.forwarded).toBe(0);
    }
    // Equal names in different objects are not duplicates.
    const fine = await send(
      scoped,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"headers","arguments":{"name":"x"}}}`,
      {},
    );
    expect(fine.status).toBe(200);
  });
});
