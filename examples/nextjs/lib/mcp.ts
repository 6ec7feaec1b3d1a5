// Next.js (app router) + mcp-handler 2.x: one protected fetch handler, exported by the MCP route and
// by its Protected Resource Metadata route. compileOnce defers compile() to the first request:
// `next build` imports the route modules, and reads neither the manifest, the environment nor the
// network through them.
import { compile, compileOnce } from 'mcp-auth-config';
import { protectFetchHandler } from 'mcp-auth-config/fetch';
import { createMcpHandler } from 'mcp-handler';
import { registerNotesTools } from '../../support/notes-v2.js';

/** The runtime, compiled at the first request from the mcp-auth.config.* found from the working directory up. */
const getAuth = compileOnce(() => compile());

const mcp = createMcpHandler((server) => {
  registerNotesTools(server);
});

/** Metadata, then protection, then mcp-handler with the caller on `request.auth` (tools: `ctx.http?.authInfo`). */
export async function protectedMcp(request: Request): Promise<Response> {
  const auth = await getAuth();
  return protectFetchHandler(auth, (req, { auth: caller }) => mcp(Object.assign(req, { auth: caller })))(
    request,
  );
}
