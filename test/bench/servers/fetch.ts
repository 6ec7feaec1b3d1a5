/**
 * Bench server: a Web `Request → Response` handler served by `@hono/node-server`, `plain`
 * (unprotected) or `ours` (`protectFetchHandler`).
 */
import { serve } from '@hono/node-server';
import { compile, type McpAuth } from 'mcp-auth-config';
import { protectFetchHandler } from 'mcp-auth-config/fetch';
import { STATS_PATH } from '../lib/protocol.js';
import { announce, manifestFor, readConfig, stats } from './common.js';

const config = readConfig();
let auth: McpAuth | undefined;

async function app(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === STATS_PATH) return Response.json(stats(auth, url.searchParams.get('gc') === '1'));
  let id: unknown = null;
  try {
    id = ((await request.json()) as { id?: unknown }).id ?? null;
  } catch {
    // not JSON: answered with a null id
  }
  return Response.json({ jsonrpc: '2.0', id, result: { tools: [] } });
}

if (config.mode === 'ours') auth = await compile(manifestFor(config));
const fetchHandler = auth ? protectFetchHandler(auth, (request) => app(request)) : app;
const server = serve({ fetch: fetchHandler, hostname: '127.0.0.1', port: 0 }, (info) => {
  announce(info.port, async () => {
    server.close();
    await auth?.close();
  });
});
