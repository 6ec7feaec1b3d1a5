// fastmcp: its authenticate(req) hook calls authenticateNode; the returned AuthInfo is the
// session every tool sees as context.session. The hook gets the request after mcp-proxy read the
// body, so per-tool scopes (manifest `tools`) cannot be enforced here; see the README.
import { FastMCP } from 'fastmcp';
import type { AuthInfo, McpAuth } from 'mcp-auth-config';
import { createFetchAuth } from 'mcp-auth-config/fetch';
import { authenticateNode } from 'mcp-auth-config/node';
import { z } from 'zod';
import type { RunningExample } from './support/notes-server.js';

/**
 * Serves `/mcp` on 127.0.0.1:`port` protected by `auth` (`const auth = await compile()`).
 * fastmcp cannot listen on port 0 and report the port, so pass a free one.
 */
export async function start(auth: McpAuth, port: number): Promise<RunningExample> {
  const server = new FastMCP<AuthInfo>({
    name: 'notes',
    version: '1.0.0',
    authenticate: async (req) => {
      const result = await authenticateNode(auth, req);
      // mcp-proxy answers a thrown Response verbatim: our challenge, with resource_metadata.
      if (result.response) throw result.response;
      return result.auth;
    },
  });

  const notes = new Map([['1', 'Buy milk']]);
  server.addTool({
    name: 'whoami',
    description: 'The caller as the server sees it',
    execute: async (_args, { session }) =>
      JSON.stringify({ subject: session?.subject, scopes: session?.scopes, issuer: session?.issuer }),
  });
  server.addTool({
    name: 'delete_note',
    description: 'Delete a note',
    parameters: z.object({ id: z.string() }),
    execute: async ({ id }) => (notes.delete(id) ? `deleted ${id}` : 'no such note'),
  });

  // The metadata routes: fastmcp's Hono app answers what mcp-proxy does not route itself.
  const metadata = createFetchAuth(auth);
  server.getApp().use(async (c, next) => (await metadata(c.req.raw)) ?? next());

  await server.start({
    transportType: 'httpStream',
    httpStream: { host: '127.0.0.1', port, endpoint: '/mcp' },
  });
  return { url: `http://127.0.0.1:${port}/mcp`, close: () => server.stop() };
}
