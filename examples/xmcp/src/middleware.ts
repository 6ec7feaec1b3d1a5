// xmcp: its Express app runs these before the MCP endpoint. The first serves the Protected
// Resource Metadata, the second protects /mcp and sets req.auth, which xmcp hands to tools as
// extra.authInfo. compileOnce defers compile() to the first request: `xmcp build` evaluates
// nothing of it, and the manifest is read where the server runs.
import { compile, compileOnce, type McpAuth } from 'mcp-auth-config';
import { metadataRouter, requireAuth, type ExpressMiddleware } from 'mcp-auth-config/express';
import type { Middleware } from 'xmcp';

const getAuth = compileOnce(() => compile()); // mcp-auth.config.* from the working directory up

let guards: { auth: McpAuth; metadata: ExpressMiddleware; protect: ExpressMiddleware } | undefined;
async function currentGuards() {
  const auth = await getAuth();
  if (guards?.auth !== auth) guards = { auth, metadata: metadataRouter(auth), protect: requireAuth(auth) };
  return guards;
}

const middleware: Middleware[] = [
  (req, res, next) => {
    currentGuards().then(({ metadata }) => metadata(req, res, next), next);
  },
  (req, res, next) => {
    currentGuards().then(({ protect }) => protect(req, res, next), next);
  },
];

export default middleware;
