/**
 * Next.js 16 app router recipe (examples/nextjs): mcp-handler behind `protectFetchHandler` in the
 * `/mcp` route handler, the same handler as the metadata route, in a project where npm installed
 * the packed package with next, react and mcp-handler. `next build` runs first, with no manifest
 * anywhere and a bare environment (compileOnce: nothing compiles while Next imports the routes),
 * then `next start` serves the build with the manifest in its working directory, and the recipes'
 * checks run against it. The fetch adapter reads a clone of the body: per-tool step-up enforced.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { closedPort } from '../support/servers.js';
import { bareEnv, buildStep, startAppServer } from './app-server.js';
import { describeRecipe } from './checks.js';
import { installedProject, lockedSpecs } from './packed-project.js';
import { packedTarball } from './packed.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
/** Next.js and what it needs for a TypeScript app, pinned (they are not devDependencies). */
const NEXT_PACKAGES = ['next@16.4.6', 'react@19.3.1', 'react-dom@19.3.1', '@types/react@19.3.3'];
const LOCKED_PACKAGES = ['mcp-handler', '@modelcontextprotocol/server', 'zod', 'typescript', '@types/node'];
const BUILD_TIMEOUT_MS = 300_000;
const ENV = bareEnv({ NEXT_TELEMETRY_DISABLED: '1' });

/** A strict app; Next adds its own entries (plugin, .next/types) when it builds. */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023', 'DOM'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    noEmit: true,
    isolatedModules: true,
  },
  include: ['**/*.ts'],
  exclude: ['node_modules'],
};

let appDir: string;
let nextBin: string;
let scratch: string;

beforeAll(async () => {
  const installed = await installedProject(packedTarball(), [
    ...NEXT_PACKAGES,
    ...(await lockedSpecs(LOCKED_PACKAGES)),
  ]);
  nextBin = join(installed, 'node_modules/next/dist/bin/next');
  // Inside the installed project, so node_modules and Turbopack's root (its lockfile) are found
  // upwards, as in a workspace; examples/support sits beside the app, as in examples/.
  await mkdir(join(installed, 'apps'), { recursive: true });
  scratch = await mkdtemp(join(installed, 'apps', 'next-'));
  appDir = join(scratch, 'nextjs');
  await cp(join(EXAMPLES, 'nextjs'), appDir, { recursive: true });
  await cp(join(EXAMPLES, 'support'), join(scratch, 'support'), { recursive: true });
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  await writeFile(join(appDir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  await buildStep('next build', nextBin, ['build'], appDir, ENV);
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describeRecipe('Next.js 16 app router + mcp-handler (next build, next start)', {
  // The runtime in the Next server compiles the same manifest, from the file startAppServer writes.
  start: async () => {
    const port = await closedPort();
    const args = ['start', '--port', String(port), '--hostname', '127.0.0.1'];
    return startAppServer({ script: nextBin, args, cwd: appDir, port, env: ENV });
  },
  modernProtocol: true,
});
