// Plain node:http: one handler serves the metadata, guards /mcp and passes the parsed body on.
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { compile } from 'mcp-auth-config';
import { createNodeHandler } from 'mcp-auth-config/node';
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

  const handler = createNodeHandler(auth, async (req, res) => {
    // Route on the parsed path, as the guard does (a prefix test on req.url would also serve /mcpx).
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    // req.auth and req.body were set by the handler; the SDK reads both.
    const transport = new StreamableHTTPServerTransport({});
    await createNotesServer().connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  server.on('request', handler);

  return running(server, base, () => auth.close());
}

if (isMain(import.meta)) console.log(`MCP server on ${(await start()).url}`);
