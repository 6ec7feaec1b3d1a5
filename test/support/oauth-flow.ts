/**
 * The OAuth-flow setup of the end-to-end tests: two real oidc-provider issuers (the one the
 * server trusts and a stranger), an MCP notes server protected by mcp-auth-config and registered
 * as a resource of both, and the requests and tool results the tests read. The flow itself is
 * driven by examples/support/oauth-client.ts (the official MCP SDK client and a scripted browser).
 */
import { startDevIssuer, type DevIssuer } from '../../examples/support/dev-issuer.js';
import type { RunningExample } from '../../examples/support/notes-server.js';
import { callToolWithStepUp, type OAuthConnection } from '../../examples/support/oauth-client.js';

/** The scopes of the notes server: `read:notes` for every request, `write:notes` to delete. */
export const NOTES_SCOPES = ['read:notes', 'write:notes'];

/** A running notes server and the issuers it was registered with. */
export interface OAuthFlowSetup {
  /** The issuer the server trusts. */
  readonly issuer: DevIssuer;
  /** An issuer the server does not trust, that knows the server as a resource too. */
  readonly stranger: DevIssuer;
  readonly server: RunningExample;
  /** Closes the server, then both issuers. */
  close(): Promise<void>;
}

/**
 * Starts the two issuers (`trailingSlash` for Auth0-style identifiers), then the server with
 * `start(issuer)`, and registers the server's URL with {@link NOTES_SCOPES} at both.
 */
export async function startOAuthFlow(
  start: (issuer: DevIssuer) => Promise<RunningExample>,
  options: { trailingSlash?: boolean } = {},
): Promise<OAuthFlowSetup> {
  const issuerOptions = { resources: {}, ...(options.trailingSlash ? { trailingSlash: true } : {}) };
  const issuer = await startDevIssuer(issuerOptions);
  const stranger = await startDevIssuer(issuerOptions);
  const server = await start(issuer);
  issuer.addResource(server.url, NOTES_SCOPES);
  stranger.addResource(server.url, NOTES_SCOPES);
  return {
    issuer,
    stranger,
    server,
    async close() {
      await server.close();
      await issuer.close();
      await stranger.close();
    },
  };
}

/** The text of a tool result. */
export function textOf(result: { content: Array<{ type: string; text?: string }> }): string {
  return result.content.map((c) => c.text ?? '').join('');
}

/** Calls `tool` (stepping up when refused for scope) and parses its text as JSON. */
export async function toolJson<T = Record<string, unknown>>(
  ctx: OAuthConnection,
  tool: string,
  args?: Record<string, unknown>,
): Promise<T> {
  return JSON.parse(textOf(await callToolWithStepUp(ctx, tool, args))) as T;
}

/** A JSON-RPC `tools/list` POST to `url` with `token` as the bearer token, as an MCP client sends it. */
export function listToolsWith(url: string, token: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
}
