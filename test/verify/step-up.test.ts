/**
 * Per-tool step-up on every adapter: a JSON-RPC `tools/call` (single or batch) whose tool needs
 * scopes the token lacks gets 403 insufficient_scope naming every scope the call needs; the body
 * is read once and handed on unchanged to the application.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../support/adapters.js';
import { expectAccepted, expectRefused, harness, type Harness } from './harness.js';

const call = (id: number, name: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: { text: 'héllo "quoted" \u2028' } },
});

describe.each(ADAPTERS)('per-tool step-up (%s)', (adapter) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({
      adapter,
      token: { requiredScopes: ['read'] },
      resource: {
        tools: { delete_note: { requiredScopes: ['write'] }, nuke: { requiredScopes: ['admin', 'write'] } },
      },
    });
  });
  afterAll(() => h.close());

  const post = (token: string, body: unknown) =>
    h.call(token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses a single tools/call without the tool scope (403, scope = all the call needs)', async () => {
    const before = h.app.reached;
    const res = await post(h.token({ scope: 'read' }), call(1, 'delete_note'));
    expectRefused(res, { status: 403, error: 'insufficient_scope', scope: ['read', 'write'] });
    expect(h.app.reached).toBe(before);
  });

  it('refuses a batch when any call lacks its scope, naming the scopes of every call', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      call(2, 'delete_note'),
      call(3, 'nuke'),
      call(4, 'free_tool'),
    ];
    const res = await post(h.token({ scope: 'read' }), batch);
    expectRefused(res, { status: 403, error: 'insufficient_scope', scope: ['read', 'write', 'admin'] });
  });

  it('lets a call with the tool scope through and hands the body on unchanged', async () => {
    const body = [call(7, 'delete_note'), { jsonrpc: '2.0', id: 8, method: 'tools/list' }];
    const echo = expectAccepted(await post(h.token({ scope: 'read write' }), body));
    expect(echo.body).toEqual(body);
    expect(echo.auth?.scopes).toEqual(['read', 'write']);
  });

  it('does not gate other methods or tools without a policy', async () => {
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { name: 'delete_note' } };
    expect(expectAccepted(await post(h.token({ scope: 'read' }), body)).body).toEqual(body);
    expectAccepted(await post(h.token({ scope: 'read' }), call(2, 'free_tool')));
  });

  it('still applies the resource scope and the token check before the tool scope', async () => {
    expectRefused(await post(h.token({ scope: 'write' }), call(1, 'free_tool')), {
      status: 403,
      error: 'insufficient_scope',
      scope: ['write', 'read'],
    });
    expectRefused(await post(h.token({ scope: 'read write', exp: 1 }), call(1, 'delete_note')), {
      status: 401,
      error: 'invalid_token',
      reason: 'expired',
      scope: ['read', 'write'],
    });
  });
});
