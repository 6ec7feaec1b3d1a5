/**
 * Every adapter checks what it is given: a compiled runtime, not the promise of one (the
 * `register(mcpAuth, { auth: compile() })` slip), not a manifest, not nothing; the error says
 * what to do, with a stable code.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { metadataRouter, requireAuth } from '../../src/adapters/express.js';
import { mcpAuth } from '../../src/adapters/fastify.js';
import { createFetchAuth, protectFetchHandler } from '../../src/adapters/fetch.js';
import { createNodeHandler, mcpAuthMiddleware } from '../../src/adapters/node.js';
import { OptionError } from '../../src/errors.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';

const pending = Promise.resolve({}) as unknown as McpAuth;
const manifest = { issuers: {}, resources: [] } as unknown as McpAuth;

const ADAPTERS: Record<string, (auth: McpAuth) => unknown> = {
  'express metadataRouter': (auth) => metadataRouter(auth),
  'express requireAuth': (auth) => requireAuth(auth),
  'node mcpAuthMiddleware': (auth) => mcpAuthMiddleware(auth),
  'node createNodeHandler': (auth) => createNodeHandler(auth, () => undefined),
  'fetch createFetchAuth': (auth) => createFetchAuth(auth),
  'fetch protectFetchHandler': (auth) => protectFetchHandler(auth, () => new Response()),
};

describe.each(Object.entries(ADAPTERS))('%s', (_name, mount) => {
  it('refuses a promise of a runtime, saying to await compile()', () => {
    expect(() => mount(pending)).toThrow(OptionError);
    expect(() => mount(pending)).toThrow(/is a Promise: await compile\(\) first/);
  });
  it('refuses a manifest object and undefined', () => {
    expect(() => mount(manifest)).toThrow(/must be the runtime returned by await compile/);
    expect(() => mount(undefined as unknown as McpAuth)).toThrow(
      expect.objectContaining({ code: 'invalid_option' }),
    );
  });
});

describe('fastify plugin', () => {
  it('refuses options.auth that is a promise, at register time', async () => {
    const app = Fastify();
    await expect(app.register(mcpAuth, { auth: pending })).rejects.toThrow(/options\.auth is a Promise/);
    await app.close().catch(() => undefined);
  });
});
