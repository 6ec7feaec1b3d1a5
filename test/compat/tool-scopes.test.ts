/**
 * The seed facade's `tools` extension: per-tool scopes declared next to a resource's metadata are
 * enforced by every `bearerAuth()` of that resource (the runtime's own policy), whether or not
 * `express.json()` parsed the body first; malformed declarations are refused at construction.
 */
import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCPAuth } from '../../src/compat/seed-mcp-auth.js';
import { seedConfig as config } from './seed-config.js';
import { ManifestError, OptionError } from '../../src/errors.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import { type JwksServer, startJwksServer } from '../support/issuer.js';
import { ISSUER } from '../support/constants.js';
import { listen, type Listening } from '../support/servers.js';

const key = makeKey('ES256');

describe('MCPAuth tools extension', () => {
  let jwks: JwksServer;
  let server: Server;
  let listening: Listening;
  let base: string;
  let mcpAuth: MCPAuth;

  beforeAll(async () => {
    jwks = await startJwksServer([key.publicJwk]);
    server = createServer();
    listening = await listen(server);
    base = listening.origin;
    mcpAuth = new MCPAuth(
      config(`${base}/mcp`, jwks.uri, { delete_note: { requiredScopes: ['write:notes'] } }),
    );
    const app = express();
    const guard = mcpAuth.bearerAuth('jwt', { requiredScopes: ['read:notes'] });
    const reached = (_req: unknown, res: express.Response) => void res.json({ reached: true });
    app.post('/mcp', express.json(), guard, reached);
    app.post('/mcp/raw', guard, reached); // no body parser: the runtime reads the body itself
    server.on('request', app);
  });
  afterAll(async () => {
    await mcpAuth?.close();
    await listening?.close();
    await jwks?.close();
  });

  const call = (path: string, scope: string, tool: string) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${signToken(key, claims(ISSUER, `${base}/mcp`, { scope }))}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool } }),
    });

  for (const path of ['/mcp', '/mcp/raw']) {
    it(`refuses the tool without its scope with 403, and allows it with the scope (${path})`, async () => {
      const denied = await call(path, 'read:notes', 'delete_note');
      expect(denied.status).toBe(403);
      expect(denied.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      expect(denied.headers.get('www-authenticate')).toContain('write:notes');

      expect((await call(path, 'read:notes', 'read_note')).status).toBe(200);
      expect((await call(path, 'read:notes write:notes', 'delete_note')).status).toBe(200);
    });
  }

  it('refuses malformed tool declarations at construction', () => {
    const at = (tools: unknown) => () => new MCPAuth(config('https://api.example.com/mcp', jwks.uri, tools));
    expect(at('write')).toThrow(OptionError);
    expect(at({ delete_note: {} })).toThrow(/tools\.delete_note\.requiredScopes must be an array/);
    expect(at({ delete_note: { requiredScopes: [''] } })).toThrow(ManifestError);
  });
});
