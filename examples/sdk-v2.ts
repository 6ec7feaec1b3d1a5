// MCP SDK v2: createMcpHandler (both protocol eras) mounted on Express with toNodeHandler, behind
// requireAuth. Tools read the caller from ctx.http?.authInfo (toNodeHandler forwards req.auth).
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import express from 'express';
import type { McpAuth } from 'mcp-auth-config';
import { metadataRouter, requireAuth } from 'mcp-auth-config/express';
import { listen, running, type RunningExample } from './support/notes-server.js';
import { registerNotesTools } from './support/notes-v2.js';

/** Serves `/mcp` on 127.0.0.1:`port` protected by `auth` (`const auth = await compile()`). */
export async function start(auth: McpAuth, port = 0): Promise<RunningExample> {
  const mcp = createMcpHandler(() => registerNotesTools(new McpServer({ name: 'notes', version: '1.0.0' })));
  const serve = toNodeHandler(mcp);

  const app = express();
  app.use(metadataRouter(auth));
  // express.json() first: requireAuth reads tools/call from req.body (per-tool step-up).
  app.all('/mcp', express.json(), requireAuth(auth), (req, res) => serve(req, res, req.body));

  const { server, base } = await listen(port);
  server.on('request', app);
  return running(server, base, () => mcp.close());
}
