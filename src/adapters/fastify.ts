/**
 * `mcp-auth-config/fastify`: a Fastify 5 plugin.
 * @module
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { assertRuntime } from '../runtime/assert-runtime.js';
import type { McpAuth } from '../runtime/mcp-auth.js';
import type {
  AuthenticateOptions,
  AuthResult,
  AwaitingBody,
  CoreRequest,
  CoreResponse,
} from '../runtime/types.js';
import type { AuthInfo } from '../verify/auth-info.js';
import { authorizationHeaders, readNodeBody } from './node-request.js';

/** Options of the {@link mcpAuth} plugin. */
export interface McpAuthPluginOptions {
  /** The compiled runtime. */
  readonly auth: McpAuth;
  /** Protect every request under each resource's path (resources with `protect: false` excepted). Default true. */
  readonly protect?: boolean | undefined;
}

/** What the plugin decorates the Fastify instance with. */
export interface McpAuthDecoration {
  readonly auth: McpAuth;
  /** A preHandler that requires a valid token for `resource` (and `scopes`) on a custom route. */
  protect(options?: AuthenticateOptions): preHandlerHookHandler;
}

/** Where `onRequest` leaves a decision that needs the parsed body. */
const kAwaitingBody = Symbol('mcp-auth-config.awaitingBody');

declare module 'fastify' {
  interface FastifyRequest {
    /** @internal A decision waiting for the parsed body (see `McpAuth.guardBeforeBody`). */
    [kAwaitingBody]: AwaitingBody | null;
    /** The caller's identity on protected routes. */
    auth: AuthInfo | undefined;
  }
  interface FastifyInstance {
    mcpAuth: McpAuthDecoration;
  }
}

/** The neutral request; `body` is what Fastify parsed (its `bodyLimit` applies), `undefined` in `onRequest`. */
function toCoreRequest(request: FastifyRequest, pattern = request.routeOptions.url): CoreRequest {
  return {
    method: request.method,
    url: request.url,
    routePatterns: pattern === undefined ? undefined : [pattern],
    host: request.headers.host,
    authorization: authorizationHeaders(request.raw),
    accessControlRequestMethod: request.headers['access-control-request-method'] as string | undefined,
    contentLength: request.headers['content-length'],
    contentType: request.headers['content-type'],
    body: request.body,
    // Only when Fastify parsed nothing and left the stream unread (a parser that skips it, for a
    // transport that reads `request.raw` itself): the bytes, also left on `request.body`.
    readBody: async (limit) => {
      const body = await readNodeBody(request.raw, limit);
      request.body = body;
      return body;
    },
  };
}

function send(reply: FastifyReply, response: CoreResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body);
}

const plugin: FastifyPluginAsync<McpAuthPluginOptions> = async (app, options) => {
  const auth = assertRuntime(options.auth, 'mcpAuth plugin options.auth');
  app.decorateRequest('auth', undefined);

  const apply = (result: AuthResult, request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (result.response) return void send(reply, result.response);
    if (result.auth) {
      request.auth = result.auth;
      // The MCP SDK transport reads the identity from the raw Node request.
      (request.raw as typeof request.raw & { auth?: AuthInfo }).auth = result.auth;
    }
    done();
  };
  // Callback style, so a reused token (decided synchronously) costs no promise turns.
  const settle = (
    result: AuthResult | Promise<AuthResult>,
    request: FastifyRequest,
    reply: FastifyReply,
    done: (err?: Error) => void,
  ) => {
    if (result instanceof Promise) result.then((r) => apply(r, request, reply, done), done);
    else apply(result, request, reply, done);
  };
  const run = (
    decide: () => AuthResult | Promise<AuthResult>,
    request: FastifyRequest,
    reply: FastifyReply,
    done: (err?: Error) => void,
  ) => {
    let result: AuthResult | Promise<AuthResult>;
    try {
      result = decide();
    } catch (err) {
      return done(err as Error);
    }
    settle(result, request, reply, done);
  };
  const protect =
    (options: AuthenticateOptions): preHandlerHookHandler =>
    (request, reply, done) =>
      run(() => auth.authenticate(toCoreRequest(request), options), request, reply, done);
  app.decorate('mcpAuth', Object.freeze({ auth, protect: (o: AuthenticateOptions = {}) => protect(o) }));

  const metadataHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const response = await auth.handleMetadataRequest(toCoreRequest(request));
    return response ? send(reply, response) : reply.callNotFound();
  };
  for (const path of new Set(auth.routes.map((r) => r.path))) {
    for (const url of [path, `${path}/`]) {
      // A router with `ignoreTrailingSlash` already serves the second spelling.
      if (app.hasRoute({ method: 'GET', url })) continue;
      app.route({
        method: ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'],
        url,
        exposeHeadRoute: false,
        handler: metadataHandler,
      });
    }
  }

  if (options.protect !== false) {
    // The decision is made in `onRequest`, before Fastify reads the body, so an unauthenticated
    // body is never parsed; only a decision that needs the body (a form, per-tool scopes) is
    // finished in `preHandler`, with the body Fastify parsed.
    app.decorateRequest(kAwaitingBody, null);
    app.addHook('onRequest', function mcpAuthGuard(request, reply, done) {
      const route = request.routeOptions; // a getter that builds an object: read it once
      if (route.handler === metadataHandler) return done();
      let step: ReturnType<McpAuth['guardBeforeBody']>;
      try {
        step = auth.guardBeforeBody(toCoreRequest(request, route.url));
      } catch (err) {
        return done(err as Error);
      }
      if ('resume' in step) {
        request[kAwaitingBody] = step;
        return done();
      }
      settle(step, request, reply, done);
    });
    app.addHook('preHandler', function mcpAuthGuardBody(request, reply, done) {
      const awaiting = request[kAwaitingBody];
      if (!awaiting) return done();
      request[kAwaitingBody] = null;
      run(() => awaiting.resume(request.body), request, reply, done);
    });
  }
};

/**
 * The Fastify plugin: serves the metadata routes, protects every request that belongs to a
 * protected resource (all methods, so the SSE `GET` and the session `DELETE` too; decided by the
 * runtime on the target as routers read it and on the matched route pattern), decorates `request.auth`,
 * and exposes `app.mcpAuth.protect({ resource, scopes })` for custom routes.
 *
 * @example
 * ```ts
 * const auth = await compile();
 * await app.register(mcpAuth, { auth });
 * app.post('/mcp', async (request, reply) => transport.handleRequest(request.raw, reply.raw, request.body));
 * ```
 */
export const mcpAuth = fp(plugin, { fastify: '5.x', name: 'mcp-auth-config' });
export default mcpAuth;
