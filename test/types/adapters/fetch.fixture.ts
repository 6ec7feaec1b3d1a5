/**
 * `mcp-auth-config/fetch` as a Web application uses it, type-checked (not run) by
 * `adapters.test.ts`: `createFetchAuth` and `protectFetchHandler`, whose platform arguments
 * (Workers' `env` and `ctx`) reach the handler with their types; misuse is a type error.
 */
import {
  compile,
  compileOnce,
  createFetchAuth,
  protectFetchHandler,
  withMcpAuth,
  type FetchAuth,
  type FetchAuthContext,
} from '../../../src/adapters/fetch.js';
import type { AuthInfo } from '../../../src/index.js';

/** What a Worker is given besides the request (declared here: no Workers types needed). */
interface Env {
  readonly NOTES: { get(key: string): Promise<string | null> };
}
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

const auth = await compile({
  issuers: { main: { issuer: 'https://auth.example.com' } },
  resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['main'] }],
});

const mcpAuth: FetchAuth = createFetchAuth(auth);
createFetchAuth(auth, { protectAll: true, scopes: ['read'] });
export async function app(request: Request): Promise<Response> {
  const refusal: Response | undefined = await mcpAuth(request);
  if (refusal) return refusal;
  const identity: AuthInfo | undefined = mcpAuth.authFor(request);
  return (await mcpAuth.handle(request)) ?? Response.json({ subject: identity?.subject });
}

const worker = {
  fetch: protectFetchHandler(auth, async (request, { auth: identity }, env: Env, ctx: ExecutionContext) => {
    ctx.waitUntil(Promise.resolve(identity?.clientId));
    return new Response(await env.NOTES.get(new URL(request.url).pathname));
  }),
};
export default worker;
const fetchForWorkers: (request: Request, env: Env, ctx: ExecutionContext) => Promise<Response> =
  worker.fetch;
void fetchForWorkers;
// No platform arguments (Bun, Deno, Node's fetch servers): the wrapped handler takes the request only.
const plain: (request: Request) => Promise<Response> = protectFetchHandler(
  auth,
  (_request, context: FetchAuthContext) => Response.json(context.auth?.scopes ?? []),
  { protectAll: true },
);
void plain;
void withMcpAuth(auth, () => new Response('ok'));

// compileOnce with a Worker's own `interface Env` (no index signature, bindings besides strings):
// the options function hands the whole env to compile(), which reads only its string members.
interface WorkerEnv {
  readonly ISSUER: string;
  readonly NOTES: Env['NOTES'];
}
const getAuth = compileOnce(
  (workerEnv: WorkerEnv) => ({
    issuers: { main: { issuer: workerEnv.ISSUER } },
    resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['main'] }],
  }),
  (workerEnv: WorkerEnv) => ({ env: workerEnv }),
);
export const workerWithLazyAuth = {
  async fetch(request: Request, workerEnv: WorkerEnv): Promise<Response> {
    return createFetchAuth(await getAuth(workerEnv))
      .handle(request)
      .then((r) => r ?? new Response('ok'));
  },
};
// @ts-expect-error an environment is an object of variables, not a string.
void compile({ issuers: {}, resources: [] }, { env: 'ISSUER=https://auth.example.com' });

declare const env: Env;
declare const ctx: ExecutionContext;
// @ts-expect-error the Worker's env and ctx are passed on, so they must be given.
void worker.fetch(new Request('https://api.example.com/mcp'));
// @ts-expect-error the arguments keep their order and types: env, then ctx.
void worker.fetch(new Request('https://api.example.com/mcp'), ctx, env);
// @ts-expect-error the runtime is required, not the promise compile() returns: await it first.
createFetchAuth(compile({ issuers: {}, resources: [] }));
// @ts-expect-error the runtime is required, not the promise compile() returns: await it first.
protectFetchHandler(compile({ issuers: {}, resources: [] }), () => new Response('ok'));
// @ts-expect-error protectFetchHandler needs the application's handler.
protectFetchHandler(auth);
// @ts-expect-error the handler answers with a Response.
protectFetchHandler(auth, () => 'ok');
// @ts-expect-error no such option: it is `protectAll`.
createFetchAuth(auth, { protect: true });
// @ts-expect-error no such option: route scopes are `scopes`.
protectFetchHandler(auth, () => new Response('ok'), { scope: ['read'] });
protectFetchHandler(auth, (_request, context) => {
  // @ts-expect-error the identity is undefined on unprotected paths and preflights: narrow first.
  return Response.json(context.auth.scopes);
});
