// Fastify + mcp-auth-config: the plugin serves the metadata and guards everything under /mcp.
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import Fastify from 'fastify';
import { compile } from 'mcp-auth-config';
import { mcpAuth } from 'mcp-auth-config/fastify';
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

  const app = Fastify({ serverFactory: (handler) => server.on('request', handler) });
  await app.register(mcpAuth, { auth });
  app.post('/mcp', async (request, reply) => {
    // request.auth is set; the SDK reads it from request.raw into extra.authInfo.
    const transport = new StreamableHTTPServerTransport({});
    reply.hijack();
    await createNotesServer().connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  });
  await app.ready();

  return running(
    server,
    base,
    () => app.close(),
    () => auth.close(),
  );
}

if (isMain(import.meta)) console.log(`MCP server on ${(await start()).url}`);
