/**
 * The notes tools on the SDK v2 `McpServer` (`@modelcontextprotocol/server`), for the v2-based
 * recipes (SDK v2 `createMcpHandler`, mcp-handler 2.x). `whoami` returns the identity the tool
 * received through `ctx.http?.authInfo`, which is how the tests check what reached the tool.
 */
import type { McpServer, ServerContext } from '@modelcontextprotocol/server';
import type { AuthInfo } from 'mcp-auth-config';
import { z } from 'zod';

/** The caller as a v2 tool sees it: `ctx.http?.authInfo`, our fields included. */
export function callerOf(ctx: ServerContext): AuthInfo | undefined {
  return ctx.http?.authInfo as AuthInfo | undefined;
}

/** Registers `whoami` and `delete_note` (the manifest's step-up tool) on a v2 server. */
export function registerNotesTools(server: McpServer): McpServer {
  const notes = new Map([['1', 'Buy milk']]);
  server.registerTool('whoami', { description: 'The caller as the server sees it' }, async (ctx) => {
    const me = callerOf(ctx);
    const text = JSON.stringify({ subject: me?.subject, scopes: me?.scopes, issuer: me?.issuer });
    return { content: [{ type: 'text', text }] };
  });
  server.registerTool(
    'delete_note',
    { description: 'Delete a note (write:notes)', inputSchema: z.object({ id: z.string() }) },
    async ({ id }) => ({
      content: [{ type: 'text', text: notes.delete(id) ? `deleted ${id}` : 'no such note' }],
    }),
  );
  return server;
}
