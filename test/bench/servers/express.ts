/**
 * Bench server: Express 5 with `express.json()` and `POST /mcp` answering a trivial JSON-RPC
 * result, `plain` (unprotected) or `ours` (`metadataRouter` at the root and `requireAuth` on the
 * route, as the README mounts them).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { metadataRouter, requireAuth } from '../../../src/adapters/express.js';
import { compile } from '../../../src/runtime/compile.js';
import type { McpAuth } from '../../../src/runtime/mcp-auth.js';
import { STATS_PATH } from '../lib/protocol.js';
import { announce, manifestFor, readConfig, stats } from './common.js';

const config = readConfig();
const app = express();
let auth: McpAuth | undefined;

app.get(STATS_PATH, (req, res) => {
  res.json(stats(auth, req.query.gc === '1'));
});

const handler: express.RequestHandler = (req, res) => {
  res.json({
    jsonrpc: '2.0',
    id: (req.body as { id?: unknown } | undefined)?.id ?? null,
    result: { tools: [] },
  });
};

if (config.mode === 'ours') {
  auth = await compile(manifestFor(config));
  app.use(metadataRouter(auth));
  app.post('/mcp', express.json(), requireAuth(auth), handler);
} else {
  app.post('/mcp', express.json(), handler);
}

const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
announce((server.address() as AddressInfo).port, async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await auth?.close();
});
