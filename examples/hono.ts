// Hono (any fetch runtime): withMcpAuth wraps the fetch handler; the SDK's Web transport gets authInfo.
import { getRequestListener } from '@hono/node-server';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Hono } from 'hono';
import { compile, type AuthInfo } from 'mcp-auth-config';
import { withMcpAuth } from 'mcp-auth-config/fetch';
import {
  createNotesServer,
  EXAMPLE_MANIFEST,
  isMain,
  listen,
  running,
  type ExampleOptions,
  type RunningExample,
} from './support/notes-server.js';

export async function start({
  port = Number(process.env.PORT ?? 3000),
  env = process.env,
}: ExampleOptions = {}): Promise<RunningExample> {
  const { server, base } = await listen(port);
  const auth = await compile(EXAMPLE_MANIFEST, { env: { ...env, MCP_RESOURCE: `${base}/mcp` } });

  const app = new Hono<{ Bindings: { auth: AuthInfo | undefined } }>();
  app.all('/mcp', async (c) => {
    const transport = new WebStandardStreamableHTTPServerTransport({});
    await createNotesServer().connect(transport);
    return transport.handleRequest(c.req.raw, c.env.auth ? { authInfo: c.env.auth } : {});
  });
  // Metadata and protection first; the identity reaches Hono as its env binding.
  const fetch = withMcpAuth(auth, (request, { auth: info }) => app.fetch(request, { auth: info }));
  server.on('request', getRequestListener(fetch));

  return running(server, base, () => auth.close());
}

if (isMain(import.meta)) console.log(`MCP server on ${(await start()).url}`);
