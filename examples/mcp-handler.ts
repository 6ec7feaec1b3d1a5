// mcp-handler 2.x (Next.js, Hono, Nitro...): protectFetchHandler answers the metadata routes and
// refusals, then sets request.auth, which mcp-handler hands to tools as ctx.http?.authInfo.
import { getRequestListener } from '@hono/node-server';
import { createMcpHandler } from 'mcp-handler';
import type { McpAuth } from 'mcp-auth-config';
import { protectFetchHandler } from 'mcp-auth-config/fetch';
import { listen, running, type RunningExample } from './support/notes-server.js';
import { registerNotesTools } from './support/notes-v2.js';

/** The protected fetch handler; in Next.js export it as GET, POST and DELETE of the MCP route. */
export function protectedMcpHandler(auth: McpAuth): (request: Request) => Promise<Response> {
  const handler = createMcpHandler((server) => {
    registerNotesTools(server);
  });
  return protectFetchHandler(auth, (request, { auth: caller }) =>
    handler(Object.assign(request, { auth: caller })),
  );
}

/** Serves `/mcp` on 127.0.0.1:`port` protected by `auth` (`const auth = await compile()`). */
export async function start(auth: McpAuth, port = 0): Promise<RunningExample> {
  const { server, base } = await listen(port);
  server.on('request', getRequestListener(protectedMcpHandler(auth)));
  return running(server, base);
}
