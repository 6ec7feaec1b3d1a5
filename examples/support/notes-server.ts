/**
 * The MCP server every example protects: three tools over an in-memory note list, built with the
 * official MCP TypeScript SDK. `whoami` returns the identity the tool handler received
 * (`extra.authInfo`), which is how the tests check what reached the application.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** The manifest all examples share. */
export const EXAMPLE_MANIFEST = new URL('../mcp-auth.config.json', import.meta.url).pathname;

/** A fresh MCP server (stateless transports need one per request). */
export function createNotesServer(): McpServer {
  const notes = new Map([
    ['1', 'Buy milk'],
    ['2', 'Call Ada'],
  ]);
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  server.registerTool(
    'read_note',
    { description: 'Read a note (read:notes)', inputSchema: { id: z.string() } },
    async ({ id }) => ({ content: [{ type: 'text', text: notes.get(id) ?? 'no such note' }] }),
  );
  server.registerTool(
    'delete_note',
    { description: 'Delete a note (write:notes)', inputSchema: { id: z.string() } },
    async ({ id }) => ({
      content: [{ type: 'text', text: notes.delete(id) ? `deleted ${id}` : 'no such note' }],
    }),
  );
  server.registerTool('whoami', { description: 'The caller as the server sees it' }, async (extra) => {
    const auth = extra.authInfo as
      (typeof extra.authInfo & { subject?: string; issuer?: string }) | undefined;
    const me = {
      subject: auth?.subject,
      clientId: auth?.clientId,
      scopes: auth?.scopes,
      issuer: auth?.issuer,
    };
    return { content: [{ type: 'text', text: JSON.stringify(me) }] };
  });
  return server;
}

/** Listens on 127.0.0.1 (port 0 = the OS chooses) and returns the server and its base URL. */
export async function listen(
  port: number,
  server: Server = createServer(),
): Promise<{ server: Server; base: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A running example server. */
export interface RunningExample {
  /** The protected MCP endpoint, e.g. `http://127.0.0.1:3000/mcp` (also the resource identifier). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The running example: its MCP URL, and a `close()` that runs `closers` in order (the application,
 * then the mcp-auth-config runtime), then closes the HTTP server and its open connections.
 */
export function running(
  server: Server,
  base: string,
  ...closers: Array<() => Promise<unknown>>
): RunningExample {
  return {
    url: `${base}/mcp`,
    async close() {
      for (const close of closers) await close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Options every example's `start()` takes. */
export interface ExampleOptions {
  /** Port on 127.0.0.1; default `PORT` or 3000; 0 lets the OS choose. */
  readonly port?: number;
  /** Environment for the manifest's `${VAR}`s (ISSUER_URL). Default `process.env`. */
  readonly env?: Record<string, string | undefined>;
}

/** True when the module is the script node was started with. */
export function isMain(meta: ImportMeta): boolean {
  return !!process.argv[1] && new URL(meta.url).pathname === process.argv[1];
}
