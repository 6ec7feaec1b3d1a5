/**
 * A body is decided on as the application will read it. A content type that names a form
 * anywhere in it (`application/json; x=application/x-www-form-urlencoded`) made the runtime read
 * a JSON-RPC body as a form, find no `tools/call`, and skip the tool's scopes, while the MCP
 * transports (which read the media type, or ignore it) ran the tool. Such a body is refused
 * (400) wherever the library reads the bytes itself; where the framework parsed it, the runtime
 * decides on the framework's reading, the one the application gets. Attacked on every adapter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, send, startAdapters, type Echo, type RunningAdapter } from '../support/adapters.js';
import { compile } from '../../src/runtime/compile.js';
import { calledTools } from '../../src/runtime/tools.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import { issuerEntry } from '../support/issuer.js';
import { ISSUER, RESOURCE } from '../support/constants.js';

const key = makeKey('ES256');
const CALL = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'delete_note', arguments: { id: '1' } },
});
/**
 * The call as bytes a lenient JSON reader still reads: plain, behind a byte-order mark (which
 * `TextDecoder`, the MCP SDK and Python's `json.loads(bytes)` drop, and `JSON.parse` refuses), and
 * in UTF-16 (which `json.loads(bytes)` detects).
 */
const CALL_BODIES: Record<string, string | Buffer> = {
  'UTF-8': CALL,
  'UTF-8 with a byte-order mark': `\ufeff${CALL}`,
  'UTF-16LE with a byte-order mark': Buffer.from(`\ufeff${CALL}`, 'utf16le'),
};
/** Content types a form parser check could take for a form, on a JSON-RPC body. */
const FORM_NAMING_TYPES = [
  'application/json; x=application/x-www-form-urlencoded',
  'application/json;charset="application/x-www-form-urlencoded"',
  'application/x-www-form-urlencoded',
  'APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8',
];

describe('a tools/call is seen whatever the content type says', () => {
  let auth: McpAuth;
  let adapters: RunningAdapter[];
  const readOnly = signToken(key, claims(ISSUER, RESOURCE, { scope: 'read' }));

  beforeAll(async () => {
    auth = await compile({
      issuers: { as: issuerEntry(ISSUER, { keys: [key.publicJwk] }) },
      resources: [
        {
          resource: RESOURCE,
          authorizationServers: ['as'],
          tools: { delete_note: { requiredScopes: ['write'] } },
        },
      ],
    });
    adapters = await startAdapters(auth);
  });
  afterAll(async () => {
    await Promise.all((adapters ?? []).map((a) => a.close()));
    await auth?.close();
  });

  it('the tool is refused without its scope under application/json (control)', async () => {
    for (const app of adapters) {
      const res = await send(`${app.url}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${readOnly}`, 'content-type': 'application/json' },
        body: CALL,
      });
      expect(res.status, app.name).toBe(403);
    }
  });

  describe.each(ADAPTERS)('%s adapter', (name) => {
    describe.each(Object.entries(CALL_BODIES))('%s', (_encoding, body) => {
      it.each(FORM_NAMING_TYPES)(
        '%s: the application never gets the call without the scope',
        async (type) => {
          const app = adapters.find((a) => a.name === name)!;
          const before = app.reached;
          const res = await send(`${app.url}/mcp`, {
            method: 'POST',
            headers: { authorization: `Bearer ${readOnly}`, 'content-type': type },
            body,
          });
          if (app.reached === before) {
            expect([400, 403], `status ${res.status}`).toContain(res.status);
            // Ours carry no-store; Fastify's own JSON parser refuses UTF-16 before any hook.
            if (!res.body.includes('FST_ERR_CTP_'))
              expect(res.header('cache-control'), res.body).toBe('no-store');
          } else {
            // Reached: then only with a body the application reads as no tools/call (a form).
            expect(res.status).toBe(200);
            expect(calledTools(res.json<Echo>().body)).toEqual([]);
          }
        },
      );
    });
  });

  it('a real form with the same content types still gets through (the apps are live)', async () => {
    for (const app of adapters) {
      for (const type of FORM_NAMING_TYPES.slice(2)) {
        const res = await send(`${app.url}/mcp`, {
          method: 'POST',
          headers: { authorization: `Bearer ${readOnly}`, 'content-type': type },
          body: 'note=1',
        });
        expect(res.status, `${app.name} ${type}`).toBe(200);
      }
    }
  });
});
