/**
 * The checks every host recipe passes, on the real host library on 127.0.0.1: no token is 401
 * with `resource_metadata`; the Protected Resource Metadata is served; an invalid token is 401
 * `invalid_token`; the official SDK v1 client lists the tools with a bearer token; `whoami`
 * shows the identity reached the tool; and, where the host lets our code see the body, a
 * `tools/call` of `delete_note` without `write` is 403 `insufficient_scope` (and passes with it).
 * The recipe and the runtime it mounts come from the packed package installed by the global setup.
 */
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManifestInput, McpAuth } from 'mcp-auth-config';
import { claims, issuerEntry, makeKey, signToken } from '../support/tokens.js';
import { packedPackage } from './packed.js';

export const RESOURCE = 'https://mcp.example.com/mcp';
export const PRM_PATH = '/.well-known/oauth-protected-resource/mcp';
export const PRM_URL = `https://mcp.example.com${PRM_PATH}`;
export const ISSUER = 'https://issuer.example.com';
const key = makeKey('ES256');

/** The recipes' manifest: inline ES256 key, `read` on every request, `write` for `delete_note`. */
export function recipeManifest({ perToolScopes = true } = {}): ManifestInput {
  return {
    issuers: { main: issuerEntry(ISSUER, { keys: [key.publicJwk] }) },
    resources: [
      {
        resource: RESOURCE,
        authorizationServers: ['main'],
        scopesSupported: ['read', 'write'],
        token: { requiredScopes: ['read'] },
        ...(perToolScopes ? { tools: { delete_note: { requiredScopes: ['write'] } } } : {}),
      },
    ],
  };
}

/** A token for the resource with `scope`, for subject `sub`. */
export function bearer(scope: string, extra: Record<string, unknown> = {}): string {
  return signToken(key, claims(ISSUER, RESOURCE, { scope, sub: 'alice', ...extra }));
}

/** A running recipe: its MCP endpoint `http://127.0.0.1:<port>/mcp`. */
export interface RunningRecipe {
  readonly url: string;
  close(): Promise<void>;
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** POSTs one JSON-RPC request, with a bearer token when given. */
export async function rpc(url: string, body: unknown, token?: string) {
  const headers: Record<string, string> = { ...MCP_HEADERS };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '', text: await res.text() };
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

export const callTool = (name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: 2,
  method: 'tools/call',
  params: { name, arguments: args },
});

/** The official SDK v1 client, connected with a bearer header. */
export async function connect(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'recipe-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

/** The SDK v2 client negotiating the era (2026-07-28, else 2025), with a bearer header. */
export async function connectV2(url: string, token: string): Promise<V2Client> {
  const client = new V2Client(
    { name: 'recipe-test-v2', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' } },
  );
  await client.connect(
    new V2Transport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  return client;
}

export function textOf(result: unknown): string {
  const { content } = result as { content: Array<{ type: string; text?: string }> };
  return content.map((c) => c.text ?? '').join('');
}

/** How a recipe is checked. */
export interface RecipeOptions {
  /** Starts the recipe (loaded from the packed project, see `packed.ts`) protected by `auth`. */
  readonly start: (auth: McpAuth) => Promise<RunningRecipe>;
  /** Per-tool step-up is checked unless a reason why the host cannot give our code the body is given. */
  readonly noStepUp?: string;
  /** The host serves MCP 2026-07-28: the SDK v2 client must negotiate it. */
  readonly modernProtocol?: boolean;
  /** Serve the manifest without `tools` (hosts that cannot enforce per-tool scopes). */
  readonly perToolScopes?: boolean;
}

/** Defines the common checks for one host. */
export function describeRecipe(host: string, options: RecipeOptions): void {
  describe(`${host} recipe`, () => {
    let auth: McpAuth;
    let recipe: RunningRecipe;
    const clients: Array<{ close(): Promise<void> }> = [];

    beforeAll(async () => {
      // The runtime the recipe mounts comes from the same installed package the recipe imports.
      const { compile } = await packedPackage();
      auth = await compile(recipeManifest({ perToolScopes: options.perToolScopes ?? true }));
      recipe = await options.start(auth);
    });
    afterAll(async () => {
      for (const client of clients) await client.close();
      await recipe?.close();
      await auth?.close();
    });

    it('answers a request without a token 401 with resource_metadata and no error', async () => {
      const { status, challenge } = await rpc(recipe.url, INITIALIZE);
      expect(status).toBe(401);
      expect(challenge).toMatch(/^Bearer /);
      expect(challenge).toContain(`resource_metadata="${PRM_URL}"`);
      expect(challenge).not.toContain('error=');
    });

    it('serves the Protected Resource Metadata', async () => {
      const res = await fetch(new URL(PRM_PATH, recipe.url));
      expect(res.status).toBe(200);
      const document = (await res.json()) as Record<string, unknown>;
      expect(document.resource).toBe(RESOURCE);
      expect(document.authorization_servers).toEqual([ISSUER]);
    });

    it('answers an invalid token 401 invalid_token with resource_metadata', async () => {
      const wrongAudience = bearer('read', { aud: 'https://other.example.com/mcp' });
      for (const token of [wrongAudience, 'not-a-jwt']) {
        const { status, challenge, text } = await rpc(recipe.url, INITIALIZE, token);
        expect(status).toBe(401);
        expect(challenge).toContain('error="invalid_token"');
        expect(challenge).toContain(`resource_metadata="${PRM_URL}"`);
        expect(text).not.toContain(token);
      }
    });

    it('answers a token without token.requiredScopes 403 insufficient_scope', async () => {
      const { status, challenge } = await rpc(recipe.url, INITIALIZE, bearer('other'));
      expect(status).toBe(403);
      expect(challenge).toContain('error="insufficient_scope"');
      expect(challenge).toContain(`resource_metadata="${PRM_URL}"`);
    });

    it('lists the tools for the official client and hands the identity to the tool', async () => {
      const client = await connect(recipe.url, bearer('read'));
      clients.push(client);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['whoami', 'delete_note']));
      const me = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
      expect(me).toMatchObject({ subject: 'alice', scopes: ['read'] });
    });

    it('serves the SDK v2 client too, with the identity in the tool', async () => {
      const client = await connectV2(recipe.url, bearer('read'));
      clients.push(client);
      if (options.modernProtocol) expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['whoami', 'delete_note']));
      const me = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
      expect(me).toMatchObject({ subject: 'alice', scopes: ['read'] });
    });

    if (options.noStepUp) {
      it.skip(`per-tool step-up: not enforceable here (${options.noStepUp})`, () => undefined);
    } else {
      it('refuses delete_note without write 403 insufficient_scope, and runs it with write', async () => {
        const { status, challenge } = await rpc(
          recipe.url,
          callTool('delete_note', { id: '1' }),
          bearer('read'),
        );
        expect(status).toBe(403);
        expect(challenge).toContain('error="insufficient_scope"');
        expect(challenge).toMatch(/scope="[^"]*\bwrite\b/);
        expect(challenge).toContain(`resource_metadata="${PRM_URL}"`);

        const client = await connect(recipe.url, bearer('read write'));
        clients.push(client);
        const result = await client.callTool({ name: 'delete_note', arguments: { id: '1' } });
        expect(textOf(result)).toBe('deleted 1');

        // The same refusal for a 2026-07-28 tools/call from the SDK v2 client.
        const reader = await connectV2(recipe.url, bearer('read'));
        clients.push(reader);
        await expect(reader.callTool({ name: 'delete_note', arguments: { id: '1' } })).rejects.toThrow(
          /insufficient[ _]scope/i,
        );
      });
    }
  });
}
