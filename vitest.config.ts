import { configDefaults, defineConfig } from 'vitest/config';

const ECOSYSTEM = 'test/ecosystem/**/*.test.ts';
/** The per-run directories test/ecosystem/packed-project.ts creates in the OS temp directory. */
const RECIPES_DIR = /[/\\]mcp-auth-config-recipes-[^/\\]+[/\\]/;

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The memory tests measure the heap after a forced collection.
    execArgv: ['--expose-gc'],
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ECOSYSTEM],
        },
      },
      {
        // The host recipes run against the packed package; its global setup packs and installs it
        // (only when one of these files is selected).
        extends: true,
        test: {
          name: 'ecosystem',
          include: [ECOSYSTEM],
          globalSetup: ['test/ecosystem/packed-project.ts'],
          // Node itself loads the recipes copied there, so they resolve mcp-auth-config as users do.
          server: { deps: { external: [RECIPES_DIR] } },
          benchmark: { include: [] },
        },
      },
    ],
  },
});
