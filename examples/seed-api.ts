// The seed API (as in Logto's mcp-auth): fetchServerConfig + MCPAuth on Express, same engine underneath.
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express from 'express';
import { fetchServerConfig, MCPAuth } from 'mcp-auth-config';
import {
  createNotesServer,
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
  const resourceIdentifier = `${base}/mcp`;

  const authServerConfig = await fetchServerConfig(env.ISSUER_URL ?? 'http://127.0.0.1:4000', {
    type: 'oidc',
  });
  const mcpAuth = new MCPAuth({
    protectedResources: [
      {
        metadata: {
          resource: resourceIdentifier,
          authorizationServers: [authServerConfig],
          scopesSupported: ['read:notes', 'write:notes'],
        },
        // mcp-auth-config extension (not in the seed API): a tools/call of delete_note also needs
        // write:notes, so a read-only token gets 403 insufficient_scope and clients step up.
        tools: { delete_note: { requiredScopes: ['write:notes'] } },
      },
    ],
  });

  app.use(mcpAuth.protectedResourceMetadataRouter());
  app.all(
    '/mcp',
    express.json(),
    mcpAuth.bearerAuth('jwt', { requiredScopes: ['read:notes'] }),
    async (req, res) => {
      const transport = new StreamableHTTPServerTransport({});
      await createNotesServer().connect(transport);
      await transport.handleRequest(req, res, req.body);
    },
  );
  server.on('request', app);

  return running(server, base, () => mcpAuth.close());
}

if (isMain(import.meta)) console.log(`MCP server on ${(await start()).url}`);
