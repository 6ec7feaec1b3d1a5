/**
 * `mcp-auth-config/fastify` as an application uses it, type-checked (not run) by
 * `adapters.test.ts`: the plugin's options, `app.mcpAuth.protect(...)` on a custom route and the
 * `request.auth` it decorates; misuse is a type error.
 */
import Fastify from 'fastify';
import { compile, type AuthInfo, type McpAuth } from '../../../src/index.js';
import mcpAuthDefault, { mcpAuth, type McpAuthPluginOptions } from '../../../src/adapters/fastify.js';

const auth = await compile({
  issuers: { main: { issuer: 'https://auth.example.com' } },
  resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['main'] }],
});
const app = Fastify();

await app.register(mcpAuth, { auth });
await app.register(mcpAuthDefault, { auth, protect: false });
const options: McpAuthPluginOptions = { auth, protect: true };
await app.register(mcpAuth, options);

const runtime: McpAuth = app.mcpAuth.auth;
void runtime;

app.post('/mcp', async (request) => {
  const identity: AuthInfo | undefined = request.auth;
  return { scopes: request.auth?.scopes ?? [], identity };
});
app.get(
  '/admin',
  { preHandler: app.mcpAuth.protect({ resource: 'https://api.example.com/mcp', scopes: ['admin'] }) },
  async (request) => {
    // @ts-expect-error request.auth is undefined on routes the plugin did not protect: narrow it.
    return request.auth.subject;
  },
);
app.get('/any', { preHandler: app.mcpAuth.protect() }, async () => 'ok');
const scopes: readonly string[] | undefined = undefined;
const resource: string | undefined = process.env.RESOURCE;
app.get('/opt', { preHandler: app.mcpAuth.protect({ resource, scopes, tool: undefined }) }, async () => 'ok');

// @ts-expect-error the runtime is required, not the promise compile() returns: await it first.
await app.register(mcpAuth, { auth: compile('mcp-auth.config.json') });
// @ts-expect-error the plugin needs the compiled runtime.
await app.register(mcpAuth, {});
// @ts-expect-error no such option: it is `protect`.
await app.register(mcpAuth, { auth, protected: false });
// @ts-expect-error `protect` is a boolean.
await app.register(mcpAuth, { auth, protect: 'all' });

// @ts-expect-error no such option: route scopes are `scopes`.
app.mcpAuth.protect({ scope: ['admin'] });
// @ts-expect-error scopes are a list.
app.mcpAuth.protect({ scopes: 'admin' });
// @ts-expect-error `protectAll` is an option of the node and fetch handlers, not of one route.
app.mcpAuth.protect({ protectAll: true });
// @ts-expect-error the decoration is read-only.
app.mcpAuth.auth = runtime;
