/**
 * `mcp-auth-config/fastify`: a Fastify 5 plugin.
 * @module
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { assertRuntime } from '../runtime/assert-runtime.js';
import type { McpAuth } from '../runtime/mcp-auth.js';
import type { AuthenticateOptions, AuthResult, CoreRequest, CoreResponse } from '../runtime/types.js';
import type { AuthInfo } from '../verify/auth-info.js';
import { authorizationHeaders } from './node-request.js';

/** Options of the {@link mcpAuth} plugin. */
export interface McpAuthPluginOptions {
  /** The compiled runtime. */
  readonly auth: McpAuth;
  /** Protect every request under each resource's path (resources with `protect: false` excepted). Default true. */
  readonly protect?: boolean;
}

/** What the plugin decorates the Fastify instance with. */
export interface McpAuthDecoration {
  readonly auth: McpAuth;
  /** A preHandler that requires a valid token for `resource` (and `scopes`) on a custom route. */
  protect(options?: AuthenticateOptions): preHandlerHookHandler;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's identity on protected routes. */
    auth: AuthInfo | undefined;
  }
  interface FastifyInstance {
    mcpAuth: McpAuthDecoration;
  }
}

/** The neutral request; Fastify has already parsed the body (its `bodyLimit` applies). */
function toCoreRequest(request: FastifyRequest): CoreRequest {
  const pattern = request.routeOptions.url;
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
    if (result instanceof Promise) result.then((r) => apply(r, request, reply, done), done);
    else apply(result, request, reply, done);
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
    // The header checks run before Fastify reads the body, so an unauthenticated body is never parsed.
    app.addHook('onRequest', function mcpAuthPrecheck(request, reply, done) {
      if (request.routeOptions.handler === metadataHandler) return done();
      let refusal: CoreResponse | undefined;
      try {
        refusal = auth.precheck(toCoreRequest(request));
      } catch (err) {
        return done(err as Error);
      }
      if (refusal) return void send(reply, refusal);
      done();
    });
    app.addHook('preHandler', function mcpAuthProtect(request, reply, done) {
      if (request.routeOptions.handler === metadataHandler) return done();
      run(() => auth.guard(toCoreRequest(request)), request, reply, done);
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
