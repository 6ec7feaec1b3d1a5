/**
 * Bench server: `node:http` answering `POST /mcp` with a trivial JSON-RPC result, `plain`
 * (unprotected; the body read and parsed by hand) or `ours` (`createNodeHandler`).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compile, type McpAuth } from 'mcp-auth-config';
import { createNodeHandler } from 'mcp-auth-config/node';
import { STATS_PATH } from '../lib/protocol.js';
import { announce, manifestFor, readConfig, stats } from './common.js';

const config = readConfig();
let auth: McpAuth | undefined;

function app(req: IncomingMessage, res: ServerResponse): void {
  if (req.url?.startsWith(STATS_PATH)) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(stats(auth, req.url.includes('gc=1'))));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let id: unknown = null;
    try {
      id = (JSON.parse(Buffer.concat(chunks).toString()) as { id?: unknown }).id ?? null;
    } catch {
      // not JSON: answered with a null id
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id, result: { tools: [] } }));
  });
}

if (config.mode === 'ours') auth = await compile(manifestFor(config));
const server = createServer(auth ? createNodeHandler(auth, app) : app);
server.listen(0, '127.0.0.1');
await once(server, 'listening');
announce((server.address() as AddressInfo).port, async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await auth?.close();
});
