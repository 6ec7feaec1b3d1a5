/**
 * fastmcp recipe (examples/fastmcp.ts, run from the packed package): `authenticateNode` in fastmcp's `authenticate(req)` hook,
 * the identity as `context.session`. The hook runs after mcp-proxy consumed the body, so per-tool
 * step-up cannot be enforced there: the recipe serves a manifest without `tools`, and a manifest
 * with them fails closed (400 for every body-carrying request) instead of letting a call through.
 */
import type { McpAuth } from 'mcp-auth-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Recipe from '../../examples/fastmcp.js';
import { closedPort } from '../support/servers.js';
import {
  bearer,
  callTool,
  describeRecipe,
  PRM_URL,
  recipeManifest,
  rpc,
  type RunningRecipe,
} from './checks.js';
import { loadRecipe, packedPackage } from './packed.js';

const { start } = await loadRecipe<typeof Recipe>('fastmcp');

describeRecipe('fastmcp (authenticate hook + authenticateNode)', {
  start: async (auth) => start(auth, await closedPort()),
  perToolScopes: false,
  noStepUp: "fastmcp's authenticate hook never sees the body",
});

describe('fastmcp with a manifest that has per-tool scopes', () => {
  let auth: McpAuth;
  let recipe: RunningRecipe;
  beforeAll(async () => {
    const { compile } = await packedPackage();
    auth = await compile(recipeManifest({ perToolScopes: true }));
    recipe = await start(auth, await closedPort());
  });
  afterAll(async () => {
    await recipe?.close();
    await auth?.close();
  });

  it('fails closed: a tools/call is refused 400 (body unreadable), never run unchecked', async () => {
    const { status, text } = await rpc(recipe.url, callTool('delete_note', { id: '1' }), bearer('read'));
    expect(status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: 'invalid_request' });
  });

  it('still challenges a request without a token with resource_metadata', async () => {
    const { status, challenge } = await rpc(recipe.url, callTool('whoami'));
    expect(status).toBe(401);
    expect(challenge).toContain(`resource_metadata="${PRM_URL}"`);
  });
});
