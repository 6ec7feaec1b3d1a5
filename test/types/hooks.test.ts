/**
 * The manifest's hook types, as a TS manifest sees them: `manifest.fixture.ts` (a `defineConfig`
 * manifest with typed `token.verify` and `transpile` hooks, and `@ts-expect-error` misuses) must
 * type-check with the repository's compiler settings.
 */
import { describe, expect, it } from 'vitest';
import { typecheck } from './typecheck.js';

describe('manifest hook types', () => {
  it('a defineConfig manifest reads info.claims in token.verify and the raw document in transpile; misuse is a type error', async () => {
    const { code, output } = await typecheck('test/types/tsconfig.json');
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 130_000);
});
