/**
 * `mcp-auth-config/node` as an application uses it, type-checked (not run) by
 * `adapters.test.ts`: `mcpAuthMiddleware`, `createNodeHandler` and `authenticateNode` (the
 * fastmcp / mcp-proxy hook); misuse is a type error.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { compile, type AuthInfo, type HandleOptions } from '../../../src/index.js';
import {
  authenticateNode,
  createNodeHandler,
  mcpAuthMiddleware,
  type NodeAuthResult,
  type NodeMiddleware,
  type NodeRequest,
} from '../../../src/adapters/node.js';

const auth = await compile({
  issuers: { main: { issuer: 'https://auth.example.com' } },
  resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['main'] }],
});

const guard: NodeMiddleware = mcpAuthMiddleware(auth);
const everything = mcpAuthMiddleware(auth, { protectAll: true, scopes: ['read'] });
const options: HandleOptions = { protectAll: undefined, resource: undefined };
mcpAuthMiddleware(auth, options);
createServer((req, res) =>
  guard(req, res, (err) => (err ? res.end() : everything(req, res, () => res.end('ok')))),
).listen(0);

createServer(
  createNodeHandler(auth, (req: NodeRequest, res: ServerResponse) => {
    const identity: AuthInfo | undefined = req.auth;
    const body: unknown = req.body;
    res.end(JSON.stringify({ identity, body }));
  }),
);
createServer(createNodeHandler(auth, async (req, res) => void res.end(req.auth?.subject)));

async function hook(req: IncomingMessage): Promise<AuthInfo> {
  const result: NodeAuthResult = await authenticateNode(auth, req, { scopes: ['read'], tool: 'search' });
  if (result.response) {
    const refusal: Response = result.response;
    throw refusal;
  }
  if (!result.auth) throw new Error('a CORS preflight carries no identity');
  return result.auth;
}
void hook;

// @ts-expect-error the runtime is required, not the promise compile() returns: await it first.
mcpAuthMiddleware(compile('mcp-auth.config.json'));
// @ts-expect-error the runtime is required, not the promise compile() returns: await it first.
createNodeHandler(compile('mcp-auth.config.json'), (_req, res) => void res.end());
// @ts-expect-error the runtime is required, not the promise compile() returns: await it first.
void authenticateNode(compile('mcp-auth.config.json'), {} as IncomingMessage);
// @ts-expect-error createNodeHandler needs the application's handler.
createNodeHandler(auth);
// @ts-expect-error authenticateNode needs the request.
void authenticateNode(auth);
// @ts-expect-error no such option: it is `protectAll`.
mcpAuthMiddleware(auth, { protectEverything: true });
// @ts-expect-error `protectAll` decides which requests are guarded; one authentication has no say.
void authenticateNode(auth, {} as IncomingMessage, { protectAll: true });
// @ts-expect-error no such option: route scopes are `scopes`.
void authenticateNode(auth, {} as IncomingMessage, { scope: ['read'] });

export async function narrowing(req: IncomingMessage): Promise<void> {
  const result = await authenticateNode(auth, req);
  // @ts-expect-error the identity is absent when the request was refused (or is a preflight): narrow first.
  void result.auth.subject;
}
