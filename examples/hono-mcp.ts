// Hono + @hono/mcp: a middleware from createFetchAuth answers the metadata routes and refusals
// and puts the caller on c.set('auth'), which @hono/mcp's transport hands to tools as extra.authInfo.
import { StreamableHTTPTransport } from '@hono/mcp';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { AuthInfo, McpAuth } from 'mcp-auth-config';
import { createFetchAuth } from 'mcp-auth-config/fetch';
import { createNotesServer, listen, running, type RunningExample } from './support/notes-server.js';

/** Serves `/mcp` on 127.0.0.1:`port` protected by `auth` (`const auth = await compile()`). */
export async function start(auth: McpAuth, port = 0): Promise<RunningExample> {
  const mcpAuth = createFetchAuth(auth);
  const app = new Hono<{ Variables: { auth: AuthInfo } }>();
  app.use(async (c, next) => {
    const answer = await mcpAuth(c.req.raw); // metadata, or a 401/403/503 with the challenge
    if (answer) return answer;
    const caller = mcpAuth.authFor(c.req.raw);
    if (caller) c.set('auth', caller);
    await next();
  });
  app.all('/mcp', async (c) => {
    const transport = new StreamableHTTPTransport();
    await createNotesServer().connect(transport);
    return transport.handleRequest(c);
  });

  const { server, base } = await listen(port);
  server.on('request', getRequestListener(app.fetch));
  return running(server, base);
}
