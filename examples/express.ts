// Express + the MCP SDK's Express transport: the metadata router, then requireAuth on /mcp.
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express from 'express';
import { compile } from 'mcp-auth-config';
import { metadataRouter, requireAuth } from 'mcp-auth-config/express';
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
  const app = express();
  const { server, base } = await listen(port);
  const auth = await compile(EXAMPLE_MANIFEST, { env: { ...env, MCP_RESOURCE: `${base}/mcp` } });

  app.use(metadataRouter(auth));
  // requireAuth sets req.auth, which the SDK hands to tool handlers as extra.authInfo.
  app.all('/mcp', express.json(), requireAuth(auth), async (req, res) => {
    const transport = new StreamableHTTPServerTransport({});
    res.on('close', () => void transport.close());
    await createNotesServer().connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  server.on('request', app);

  return running(server, base, () => auth.close());
}

if (isMain(import.meta)) console.log(`MCP server on ${(await start()).url}`);
