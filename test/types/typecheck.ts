/**
 * Runs the repository's TypeScript compiler on a fixture project, the way `npm run typecheck`
 * does (same compiler settings: `strict`, `exactOptionalPropertyTypes`): fixtures are
 * type-checked, never run, and an unused `// @ts-expect-error` is an error too.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** `tsc --noEmit -p <project>` (relative to the repository root): its exit code and output. */
export function typecheck(project: string): Promise<{ code: number | null; output: string }> {
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
