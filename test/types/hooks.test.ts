/**
 * The manifest's hook types, as a TS manifest sees them: `manifest.fixture.ts` (a `defineConfig`
 * manifest with typed `token.verify` and `transpile` hooks, and `@ts-expect-error` misuses) must
 * type-check with the repository's compiler settings.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function typecheck(project: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TSC, '--noEmit', '--pretty', 'false', '-p', project],
      { cwd: ROOT, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error.code as number | null) ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

describe('manifest hook types', () => {
  it('a defineConfig manifest reads info.claims in token.verify and the raw document in transpile; misuse is a type error', async () => {
    const { code, output } = await typecheck('test/types/tsconfig.json');
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 130_000);
});
