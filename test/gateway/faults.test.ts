/**
 * Faults around a stream through the gateway, against real node:http upstreams on loopback: a
 * client that goes away cancels the upstream request; an upstream that closes or stalls mid-
 * stream closes the client's stream; an upstream down at start-up or mid-run is 502 (and readyz
 * 503) until it is back.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort, startServer, type TestServer } from '../support/servers.js';
import { rpc, startGateway, type GatewayKit } from './support.js';

const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list' };

/** An SSE GET through the gateway, read with node:http so the test controls the socket. */
function openStream(url: string, token: string) {
  const target = new URL(url);
  let text = '';
  let onFirst!: () => void;
  const first = new Promise<void>((resolve) => (onFirst = resolve));
  let response: IncomingMessage | undefined;
  const req = httpRequest({
    host: target.hostname,
    port: target.port,
    path: target.pathname,
    method: 'GET',
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    agent: false,
  });
  const closed = new Promise<{ status: number | undefined; complete: boolean }>((resolve) => {
    req.on('response', (res) => {
      response = res;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        onFirst();
      });
      res.on('error', () => undefined);
      res.on('close', () => resolve({ status: res.statusCode, complete: res.complete }));
    });
    req.on('error', () => resolve({ status: response?.statusCode, complete: false }));
  });
  req.end();
  return { first, closed, text: () => text, destroy: () => req.destroy() };
}

/** An upstream streaming one event, then what `then` does with the response. */
function sseUpstream(then: (res: ServerResponse, req: IncomingMessage) => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: first\n\n');
    then(res, req);
  };
}

describe('gateway faults mid-stream', () => {
  let upstream: TestServer | undefined;
  let kit: GatewayKit | undefined;
  afterEach(async () => {
    await kit?.close();
    await upstream?.close();
    kit = upstream = undefined;
  });

  it('cancels the upstream request when the client disconnects mid-stream', async () => {
    let sawClose!: (finished: boolean) => void;
    const upstreamClosed = new Promise<boolean>((resolve) => (sawClose = resolve));
    upstream = await startServer(
      sseUpstream((res) => res.once('close', () => sawClose(res.writableFinished))),
    );
    kit = await startGateway(`${upstream.origin}/mcp`);
    const stream = openStream(`${kit.gateway.url}/mcp`, await kit.token());
    await stream.first;
    expect(stream.text()).toBe('data: first\n\n');
    stream.destroy();
    // The upstream's response closed without having finished: its request was aborted.
    expect(await upstreamClosed).toBe(false);
  });

  it("closes the client's stream when the upstream closes mid-stream", async () => {
    let cut!: () => void;
    upstream = await startServer(sseUpstream((res) => (cut = () => res.socket?.destroy())));
    kit = await startGateway(`${upstream.origin}/mcp`);
    const stream = openStream(`${kit.gateway.url}/mcp`, await kit.token());
    await stream.first;
    cut();
    // Not a clean end: the client can tell the stream was cut, not finished.
    expect(await stream.closed).toEqual({ status: 200, complete: false });
  });

  it("ends the client's stream when the upstream stalls longer than the body timeout", async () => {
    upstream = await startServer(sseUpstream(() => undefined)); // never writes again
    kit = await startGateway(`${upstream.origin}/mcp`, { serve: { bodyTimeoutMs: 300 } });
    const stream = openStream(`${kit.gateway.url}/mcp`, await kit.token());
    await stream.first;
    expect(await stream.closed).toEqual({ status: 200, complete: false });
  });

  it('answers 502 and readyz 503 while the upstream is down at start-up, and serves once it is up', async () => {
    const port = await closedPort();
    kit = await startGateway(`http://127.0.0.1:${port}/mcp`);
    const token = await kit.token();
    const ready = `${kit.gateway.url}/.well-known/mcp-auth/readyz`;
    expect((await rpc(`${kit.gateway.url}/mcp`, LIST, { authorization: `Bearer ${token}` })).status).toBe(
      502,
    );
    expect((await fetch(ready)).status).toBe(503);
    upstream = await startServer(
      (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
      { port },
    );
    expect((await rpc(`${kit.gateway.url}/mcp`, LIST, { authorization: `Bearer ${token}` })).status).toBe(
      200,
    );
    expect((await fetch(ready)).status).toBe(200);
  });

  it('answers 502 and readyz 503 when the upstream goes down mid-run, and recovers when it is back', async () => {
    const answer = (_req: IncomingMessage, res: ServerResponse) =>
      void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"jsonrpc":"2.0","id":1,"result":{}}');
    upstream = await startServer(answer);
    const { port } = upstream;
    kit = await startGateway(`${upstream.origin}/mcp`);
    const bearer = `Bearer ${await kit.token()}`;
    const ready = `${kit.gateway.url}/.well-known/mcp-auth/readyz`;
    expect((await rpc(`${kit.gateway.url}/mcp`, LIST, { authorization: bearer })).status).toBe(200);

    await upstream.close(); // keep-alive connections in the gateway's pool die with it
    const down = await rpc(`${kit.gateway.url}/mcp`, LIST, { authorization: bearer });
    expect(down.status).toBe(502);
    expect(await down.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32603, message: 'The MCP server is unavailable' },
    });
    expect((await fetch(ready)).status).toBe(503);

    upstream = await startServer(answer, { port });
    expect((await rpc(`${kit.gateway.url}/mcp`, LIST, { authorization: bearer })).status).toBe(200);
    expect((await fetch(ready)).status).toBe(200);
  });
});
