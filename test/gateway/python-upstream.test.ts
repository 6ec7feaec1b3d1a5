/**
 * The gateway in front of an MCP endpoint written in another language (Python's standard
 * library, test/fixtures/upstream/echo_mcp.py), which reports every request it receives: what
 * crosses the gateway, what never does, and how faults are answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../support/servers.js';
import { rawStatus } from '../support/raw-request.js';
import { RAW_SPELLINGS, SPELLINGS } from '../support/target-spellings.js';
import {
  rawRequest,
  rpc,
  startGateway,
  startPythonUpstream,
  type ChildUpstream,
  type GatewayKit,
} from './support.js';

const CALL_HEADERS = {
  jsonrpc: '2.0',
  id: 7,
  method: 'tools/call',
  params: { name: 'headers', arguments: {} },
};

function receivedHeaders(body: string): Record<string, string> {
  const reply = JSON.parse(body) as { result: { content: { text: string }[] } };
  return JSON.parse(reply.result.content[0]!.text) as Record<string, string>;
}

describe('gateway → Python upstream', () => {
  let upstream: ChildUpstream;
  let kit: GatewayKit;
  let base: string;

  beforeAll(async () => {
    upstream = await startPythonUpstream();
    kit = await startGateway(`${upstream.origin}/mcp`, {
      tools: { headers: { requiredScopes: ['admin'] } },
    });
    base = kit.gateway.url;
  });
  afterAll(async () => {
    await kit?.close();
    await upstream?.stop();
  });

  it('sets the identity headers from the verified token and drops those the client sent', async () => {
    const token = await kit.token({ scope: 'read admin', sub: 'user-42' });
    const res = await rpc(`${base}/mcp`, CALL_HEADERS, {
      authorization: `Bearer ${token}`,
      'x-mcp-subject': 'admin',
      'x-mcp-scopes': 'everything',
      'x-mcp-client-id': 'forged',
      'x-mcp-issuer': 'https://evil.example',
      'X-MCP-Other': 'forged',
    });
    expect(res.status).toBe(200);
    const seen = receivedHeaders(await res.text());
    expect(seen['x-mcp-subject']).toBe('user-42');
    expect(seen['x-mcp-scopes']).toBe('read admin');
    expect(seen['x-mcp-client-id']).toBe('test-client');
    expect(seen['x-mcp-issuer']).toBe(kit.issuer.issuer);
    expect(seen['x-mcp-other']).toBeUndefined();
  });

  it("drops the client's cookies, the proxy headers it wrote and look-alikes of the identity headers; sets the ones it vouches for", async () => {
    const token = await kit.token({ scope: 'read admin', sub: 'user-42' });
    const res = await rpc(`${base}/mcp`, CALL_HEADERS, {
      authorization: `Bearer ${token}`,
      cookie: 'session=SECRET-SESSION-COOKIE',
      forwarded: 'for=10.0.0.1;host=admin.internal',
      'x-forwarded-for': '10.0.0.1',
      'x-forwarded-host': 'admin.internal',
      'x-real-ip': '10.0.0.1',
      // Spellings a stack that folds `_` into `-` (WSGI, CGI) reads as the same headers.
      x_forwarded_for: '6.6.6.6',
      x_forwarded_host: 'evil.example',
      x_real_ip: '6.6.6.6',
      'x-forwarded': 'for=6.6.6.6',
      'x-original-forwarded-for': '6.6.6.6',
      'true-client-ip': '6.6.6.6',
      'x-mcp_subject': 'admin',
      x_mcp_scopes: 'everything',
      'mcp-session-id': 'kept',
    });
    expect(res.status).toBe(200);
    const seen = receivedHeaders(await res.text());
    for (const name of ['cookie', 'forwarded', 'x-real-ip']) expect(seen[name], name).toBeUndefined();
    // The client's own values are replaced by the socket's peer and the manifest's resource.
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-host']).toBe(new URL(kit.resource).host);
    expect(Object.keys(seen).filter((n) => /^x[-_]mcp[-_]/i.test(n) && n.includes('_'))).toEqual([]);
    expect(JSON.stringify(seen)).not.toContain('SECRET-SESSION-COOKIE');
    expect(JSON.stringify(seen)).not.toMatch(/6\.6\.6\.6|evil\.example/);
    expect(seen['x-mcp-subject']).toBe('user-42');
    expect(seen['mcp-session-id']).toBe('kept'); // the rest passes
  });

  it('never forwards the Authorization header', async () => {
    const token = await kit.token({ scope: 'read admin' });
    const res = await rpc(`${base}/mcp`, CALL_HEADERS, { authorization: `Bearer ${token}` });
    const seen = receivedHeaders(await res.text());
    expect(seen.authorization).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain(token);
  });

  /** The `headers` tool called through a raw request (any header allowed); what the upstream received. */
  async function rawHeadersCall(headers: Record<string, string>): Promise<Record<string, string>> {
    const token = await kit.token({ scope: 'read admin' });
    const body = JSON.stringify(CALL_HEADERS);
    const res = await rawRequest(base, '/mcp', {
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'mcp-protocol-version': '2025-06-18',
        'content-length': String(Buffer.byteLength(body)),
        ...headers,
      },
      body,
    });
    expect(res.status).toBe(200);
    return receivedHeaders(res.body);
  }

  it('drops hop-by-hop headers and those the Connection header names', async () => {
    const seen = await rawHeadersCall({
      connection: 'keep-alive, X-Hop-Secret',
      'x-hop-secret': 'only-for-this-hop',
      'keep-alive': 'timeout=5',
      'proxy-authorization': 'Basic abc',
    });
    expect(seen['x-hop-secret']).toBeUndefined();
    expect(seen['keep-alive']).toBeUndefined();
    expect(seen['proxy-authorization']).toBeUndefined();
    expect(seen['mcp-protocol-version']).toBe('2025-06-18');
  });

  it("sets X-Forwarded-Host from the manifest's resource, whatever Host the client sent", async () => {
    const seen = await rawHeadersCall({ host: 'admin.internal' });
    expect(seen['x-forwarded-host']).toBe(new URL(kit.resource).host);
    expect(JSON.stringify(seen)).not.toContain('admin.internal');
  });

  it('answers 401 with resource_metadata without a token, and the upstream never sees it', async () => {
    const before = upstream.seen.length;
    const res = await rpc(`${base}/mcp`, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain(
      `resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`,
    );
    expect(upstream.seen.length).toBe(before);
  });

  it('serves the Protected Resource Metadata itself', async () => {
    const res = await fetch(`${base}/.well-known/oauth-protected-resource/mcp`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { resource: string; authorization_servers: string[] };
    expect(doc.resource).toBe(kit.resource);
    expect(doc.authorization_servers).toEqual([kit.issuer.issuer]);
  });

  it('answers 404 for a path under no resource, even with a valid token, and forwards nothing', async () => {
    const before = upstream.seen.length;
    const token = await kit.token();
    const res = await rpc(
      `${base}/admin`,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(res.status).toBe(404);
    expect(upstream.seen.length).toBe(before);
  });

  it('never forwards a differently spelled target without a token (the whole spelling catalogue)', async () => {
    const before = upstream.seen.length;
    const port = Number(new URL(base).port);
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    for (const target of [...SPELLINGS, ...RAW_SPELLINGS]) {
      const status = await rawStatus(port, target, undefined, body);
      expect(status, JSON.stringify(target)).toBeGreaterThanOrEqual(400);
      expect(status, JSON.stringify(target)).toBeLessThan(500);
    }
    expect(upstream.seen.length).toBe(before);
  });

  it('a tools/call under a content type that names a form never reaches the upstream without its scope', async () => {
    // The upstream ignores the content type (as many do): a body read as a form would hide the call.
    const token = await kit.token({ scope: 'read' });
    const before = upstream.seen.length;
    const text = JSON.stringify(CALL_HEADERS);
    // Python's json.loads(bytes) also reads the call behind a byte-order mark, and in UTF-16.
    const bodies = [text, `\ufeff${text}`, Buffer.from(`\ufeff${text}`, 'utf16le')];
    for (const type of [
      'application/json; x=application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded',
    ]) {
      for (const body of bodies) {
        const res = await rawRequest(base, '/mcp', {
          headers: { authorization: `Bearer ${token}`, 'content-type': type },
          body,
        });
        expect(res.status, type).toBe(400);
        expect(JSON.parse(res.body), type).toEqual({
          error: 'invalid_request',
          error_description: 'The request body is ambiguous',
        });
      }
    }
    expect(upstream.seen.length).toBe(before);
  });

  it('forwards the path the guard decided on: normalised, below the upstream path, query kept', async () => {
    const token = await kit.token();
    const res = await rawRequest(base, '/MCP/./x/%61b/../c?q=1&r=%20', {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(200);
    expect(upstream.seen.at(-1)?.path).toBe('/mcp/x/c?q=1&r=%20');
  });

  it('refuses an ambiguous target with 400 even with a valid token, and forwards nothing', async () => {
    const before = upstream.seen.length;
    const token = await kit.token();
    for (const target of ['/mcp/a%2F..%2F..%2Fadmin', '/mcp/a%5Cb', '/mcp;x/y']) {
      const res = await rawRequest(base, target, {
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(res.status, target).toBe(400);
    }
    expect(upstream.seen.length).toBe(before);
  });

  it('refuses a tools/call without the tool scope with 403, before the upstream sees it', async () => {
    const before = upstream.seen.length;
    const token = await kit.token({ scope: 'read' });
    const res = await rpc(`${base}/mcp`, CALL_HEADERS, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(upstream.seen.length).toBe(before);
  });

  it('forwards a body it read for per-tool scopes byte for byte', async () => {
    const token = await kit.token({ scope: 'read admin' });
    const body = `{ "jsonrpc": "2.0", "id": 12345678901234567890, "method": "tools/call", "params": {"name": "headers"} }`;
    const res = await rawRequest(base, '/mcp', {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.body).toContain('12345678901234567890');
    expect(receivedHeaders(res.body)['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('refuses a body that is not JSON on a resource with per-tool scopes', async () => {
    const before = upstream.seen.length;
    const token = await kit.token({ scope: 'read' });
    const res = await rawRequest(base, '/mcp', {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"headers"},}`,
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: -32700 } });
    expect(upstream.seen.length).toBe(before);
  });

  it('logs one JSON line per request: identity and statuses, never the token or the query', async () => {
    const token = await kit.token({ scope: 'read', sub: 'logged-user' });
    kit.log.length = 0;
    const res = await rpc(
      `${base}/mcp?secret=hunter2`,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      {
        authorization: `Bearer ${token}`,
      },
    );
    await res.text();
    await new Promise((r) => setTimeout(r, 50));
    expect(kit.log).toHaveLength(1);
    expect(kit.log[0]).toMatchObject({
      method: 'POST',
      resource: kit.resource,
      status: 200,
      subject: 'logged-user',
      clientId: 'test-client',
      upstreamStatus: 200,
    });
    const line = JSON.stringify(kit.log[0]);
    expect(line).not.toContain(token);
    expect(line).not.toContain('hunter2');
  });

  it('serves /healthz and /readyz under its reserved prefix, never forwarded', async () => {
    const before = upstream.seen.length;
    const health = await fetch(`${base}/.well-known/mcp-auth/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/.well-known/mcp-auth/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });
    // readiness probes the upstream itself (one GET), but forwards no client request
    expect(upstream.seen.slice(before).every((r) => r.method === 'GET' && r.path === '/mcp')).toBe(true);
  });

  it('a burst of /readyz probes sends the upstream one GET, not one per probe', async () => {
    const probes = () => upstream.seen.filter((r) => r.method === 'GET' && r.path === '/mcp').length;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the reuse of an earlier answer
    const before = probes();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => fetch(`${base}/.well-known/mcp-auth/readyz`)),
    );
    for (const answer of answers) expect(answer.status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await fetch(`${base}/.well-known/mcp-auth/readyz`)).status).toBe(200);
    // The upstream reports each request on its stdout before answering it; the lines arrive a
    // little after the answers.
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    for (let waited = 0; probes() === before && waited < 2000; waited += 20) await sleep(20);
    await sleep(200);
    expect(probes() - before).toBe(1);
  });
});

describe('gateway faults', () => {
  it('answers 502 with a fixed JSON-RPC body when the upstream refuses connections', async () => {
    const kit = await startGateway(`http://127.0.0.1:${await closedPort()}/mcp`);
    try {
      const res = await rpc(
        `${kit.gateway.url}/mcp`,
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        {
          authorization: `Bearer ${await kit.token()}`,
        },
      );
      expect(res.status).toBe(502);
      const body = (await res.json()) as { error: { code: number; message: string } };
      expect(body).toEqual({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32603, message: 'The MCP server is unavailable' },
      });
      const ready = await fetch(`${kit.gateway.url}/.well-known/mcp-auth/readyz`);
      expect(ready.status).toBe(503);
    } finally {
      await kit.close();
    }
  });

  it('answers 504 when the upstream is slow to send headers, with nothing of the upstream', async () => {
    const upstream = await startPythonUpstream();
    const kit = await startGateway(`${upstream.origin}/slow`, { serve: { headersTimeoutMs: 300 } });
    try {
      const res = await rpc(
        `${kit.gateway.url}/mcp`,
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        {
          authorization: `Bearer ${await kit.token()}`,
        },
      );
      expect(res.status).toBe(504);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32603 } });
      expect(text).not.toContain('python');
    } finally {
      await kit.close();
      await upstream.stop();
    }
  });
});
