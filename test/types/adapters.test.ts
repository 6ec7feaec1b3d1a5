/**
 * The adapters' public option types, as an application sees them: one fixture per subpath
 * (`adapters/<name>.fixture.ts`: positive uses and `@ts-expect-error` misuses such as a wrong
 * option name, a missing required field, or the promise of `compile()` where the runtime is
 * required) must type-check with the repository's compiler settings. The project is checked once;
 * each adapter's test reads the diagnostics of its own fixture.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { typecheck } from './typecheck.js';

let result: { code: number | null; output: string };

beforeAll(async () => {
  result = await typecheck('test/types/adapters/tsconfig.json');
}, 130_000);

describe('adapter option types', () => {
  it.each([
    ['mcp-auth-config/fastify: plugin options, app.mcpAuth.protect(...) and request.auth', 'fastify'],
    ['mcp-auth-config/express: metadataRouter and requireAuth options', 'express'],
    ['mcp-auth-config/node: mcpAuthMiddleware, createNodeHandler and authenticateNode', 'node'],
    ['mcp-auth-config/fetch: createFetchAuth and protectFetchHandler with Workers env/ctx', 'fetch'],
    ['mcp-auth-config/sdk: sdkV1TokenVerifier and sdkV2TokenVerifier options', 'sdk'],
  ])('%s type-check, misuse included', (_name, fixture) => {
    const file = `test/types/adapters/${fixture}.fixture.ts`;
    const diagnostics = result.output.split('\n').filter((line) => line.startsWith(file));
    expect(diagnostics).toEqual([]);
  });

  it('the fixture project as a whole has no diagnostics', () => {
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });
});
