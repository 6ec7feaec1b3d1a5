/**
 * Test support: the SAME compiled runtime mounted on all four adapters (Fastify, Express,
 * node:http, fetch via @hono/node-server), each on 127.0.0.1 port 0, each with an application
 * handler that records whether it was reached and echoes `req.auth` and the body it received.
 * Plus `send()`, a raw node:http client that can send repeated headers and reports raw headers.
 */
import { request as httpRequest, createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { metadataRouter, requireAuth } from '../../src/adapters/express.js';
import { mcpAuth } from '../../src/adapters/fastify.js';
import { withMcpAuth } from '../../src/adapters/fetch.js';
import { createNodeHandler } from '../../src/adapters/node.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { listen } from './servers.js';
import type { AuthInfo } from '../../src/verify/auth-info.js';

export const ADAPTERS = ['fastify', 'express', 'node', 'fetch'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

/** The application path every adapter serves (resources in the tests live under `/mcp`). */
export const APP_PATHS = ['/mcp', '/mcp/*'] as const;

/** What the application handler echoes. */
export interface Echo {
  readonly reached: true;
  readonly auth: {
    readonly clientId: string;
    readonly scopes: string[];
    readonly subject: string | undefined;
    readonly issuer: string;
    readonly audience: readonly string[];
    readonly expiresAt: number | undefined;
    readonly resource: string | undefined;
    readonly token: string;
    readonly claims: Record<string, unknown>;
  } | null;
  /** The body as the application saw it (parsed JSON or text). */
  readonly body: unknown;
}

/** One adapter serving the runtime. */
export interface RunningAdapter {
  readonly name: AdapterName;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** How many times the application handler ran. */
  reached: number;
  close(): Promise<void>;
}

function echoOf(auth: AuthInfo | undefined, body: unknown): Echo {
  return {
    reached: true,
    auth: auth
      ? {
          clientId: auth.clientId,
          scopes: auth.scopes,
          subject: auth.subject,
          issuer: auth.issuer,
          audience: auth.audience,
          expiresAt: auth.expiresAt,
          resource: auth.resource?.href,
          token: auth.token,
          claims: { ...auth.claims },
        }
      : null,
    body,
  };
}

async function startFastify(auth: McpAuth): Promise<RunningAdapter> {
  const app = Fastify();
  const state = { reached: 0 };
  // What a user adds to accept form posts; the library then sees a form-body `access_token`.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  await app.register(mcpAuth, { auth });
  for (const url of APP_PATHS) {
    app.route({
      method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
      url,
      handler: async (request) => {
        state.reached++;
        return echoOf(request.auth, request.body ?? null);
      },
    });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return adapter('fastify', `http://127.0.0.1:${port}`, state, () => app.close());
}

async function startExpress(auth: McpAuth): Promise<RunningAdapter> {
  const app = express();
  const state = { reached: 0 };
  app.use(metadataRouter(auth));
  app.use(express.urlencoded({ extended: false }));
  for (const path of ['/mcp', '/mcp/*rest']) {
    app.all(path, requireAuth(auth), (req, res) => {
      state.reached++;
      res.json(
        echoOf((req as unknown as { auth?: AuthInfo }).auth, (req as { body?: unknown }).body ?? null),
      );
    });
  }
  const server = await listen(createServer(app));
  return adapter('express', server.origin, state, server.close);
}

async function startNode(auth: McpAuth): Promise<RunningAdapter> {
  const state = { reached: 0 };
  const server = createServer(
    createNodeHandler(auth, (req, res) => {
      state.reached++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(echoOf(req.auth as AuthInfo | undefined, req.body ?? null)));
    }),
  );
  const listening = await listen(server);
  return adapter('node', listening.origin, state, listening.close);
}

async function startFetch(auth: McpAuth): Promise<RunningAdapter> {
  const state = { reached: 0 };
  const handler = withMcpAuth(auth, async (request, context) => {
    state.reached++;
    const text = await request.text();
    let body: unknown = text === '' ? null : text;
    if (/json/.test(request.headers.get('content-type') ?? '')) {
      try {
        body = JSON.parse(text);
      } catch {
        // keep text
      }
    }
    return Response.json(echoOf(context.auth, body));
  });
  const server = await listen(createAdaptorServer({ fetch: handler }) as Server);
  return adapter('fetch', server.origin, state, server.close);
}

function adapter(
  name: AdapterName,
  url: string,
  state: { reached: number },
  close: () => Promise<void>,
): RunningAdapter {
  return {
    name,
    url,
    get reached() {
      return state.reached;
    },
    set reached(value: number) {
      state.reached = value;
    },
    close,
  };
}

/** Starts one adapter. */
export function startAdapter(name: AdapterName, auth: McpAuth): Promise<RunningAdapter> {
  switch (name) {
    case 'fastify':
      return startFastify(auth);
    case 'express':
      return startExpress(auth);
    case 'node':
      return startNode(auth);
    case 'fetch':
      return startFetch(auth);
  }
}

/** Starts the same runtime on all four adapters. */
export async function startAdapters(auth: McpAuth): Promise<RunningAdapter[]> {
  return Promise.all(ADAPTERS.map((name) => startAdapter(name, auth)));
}

// ---------------------------------------------------------------------------------------------
// A raw HTTP client

/** A response with every header as received. */
export interface RawResponse {
  readonly status: number;
  /** Header values by lower-case name, in order; repeated headers keep every value. */
  readonly headers: Readonly<Record<string, string[]>>;
  /** The raw header block (names and values), for "nothing reflected" checks. */
  readonly rawHeaderText: string;
  readonly body: string;
  /** The first value of a header. */
  header(name: string): string | undefined;
  json<T = Record<string, unknown>>(): T;
}

/** What to send: header values may be arrays (sent as repeated header lines). */
export interface SendOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string | string[]>>;
  readonly body?: string | Buffer;
}

/** Sends one request with node:http (no agent reuse) and reads the full response. */
export function send(url: string, options: SendOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? 'GET',
        headers: { connection: 'close', ...options.headers },
        agent: false,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers: Record<string, string[]> = {};
          const raw = res.rawHeaders;
          for (let i = 0; i < raw.length; i += 2) (headers[raw[i]!.toLowerCase()] ??= []).push(raw[i + 1]!);
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers,
            rawHeaderText: raw.join('\n'),
            body,
            header: (name) => headers[name.toLowerCase()]?.[0],
            json: <T>() => JSON.parse(body) as T,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
