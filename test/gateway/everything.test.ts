/**
 * A real upstream nobody here wrote: `@modelcontextprotocol/server-everything` in streamable
 * HTTP mode behind the gateway, driven by the official SDK client (v1) with a real signed token.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, startEverything, startGateway, type ChildUpstream, type GatewayKit } from './support.js';

const requestsSeen = (upstream: ChildUpstream) => upstream.output().split('Received MCP').length - 1;

async function connect(url: string, token: string | undefined): Promise<Client> {
  const client = new Client({ name: 'gateway-test', version: '1.0.0' });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

function textOf(result: unknown): string {
  return (result as { content: { type: string; text?: string }[] }).content.map((c) => c.text ?? '').join('');
}

describe('gateway → server-everything, with the SDK client', () => {
  let upstream: ChildUpstream;
  let kit: GatewayKit;
  let client: Client | undefined;

  beforeAll(async () => {
    upstream = await startEverything();
    kit = await startGateway(`${upstream.origin}/mcp`);
  }, 30_000);
  afterAll(async () => {
    await client?.close();
    await kit?.close();
    await upstream?.stop();
  });

  it('refuses the client without a token (401 with resource_metadata); server-everything sees nothing', async () => {
    const before = requestsSeen(upstream);
    await expect(connect(kit.resource, undefined)).rejects.toThrow();
    const res = await fetch(kit.resource, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata="[^"]+"/);
    expect(requestsSeen(upstream)).toBe(before);
  });

  it('lists tools and calls echo through the gateway, session header and all', async () => {
    client = await connect(kit.resource, await kit.token());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['echo', 'trigger-long-running-operation']),
    );
    const result = await client.callTool({ name: 'echo', arguments: { message: 'through the gateway' } });
    expect(textOf(result)).toContain('through the gateway');
  });

  it('streams progress notifications over SSE while the tool is still running', async () => {
    const events: string[] = [];
    let echoed: Promise<void> | undefined;
    const long = client!
      .callTool({ name: 'trigger-long-running-operation', arguments: { duration: 2, steps: 2 } }, undefined, {
        onprogress: (p) => {
          events.push(`progress ${p.progress}`);
          // A second call made on the first progress event: a buffering gateway would deliver
          // that event only with the final result, so this call would finish after it.
          echoed ??= client!.callTool({ name: 'echo', arguments: { message: 'x' } }).then(() => {
            events.push('echo done');
          });
        },
      })
      .then(() => events.push('long done'));
    await long;
    await echoed;
    expect(events.indexOf('progress 1')).toBe(0);
    expect(events.indexOf('echo done')).toBeLessThan(events.indexOf('long done'));
  }, 20_000);

  it('never forwards other spellings of the endpoint without a token', async () => {
    const before = requestsSeen(upstream);
    for (const target of ['/%6Dcp', '/MCP', '/x/../mcp', '/mcp/', 'http://127.0.0.1/mcp']) {
      const res = await rawRequest(kit.gateway.url, target, {
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect([400, 401, 404], target).toContain(res.status);
    }
    expect(requestsSeen(upstream)).toBe(before);
  });
});
