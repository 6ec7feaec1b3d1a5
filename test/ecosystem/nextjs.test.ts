/**
 * Next.js 16 app router recipe (examples/nextjs): mcp-handler behind `protectFetchHandler` in the
 * `/mcp` route handler, the same handler as the metadata route, in a project where npm installed
 * the packed package with next, react and mcp-handler. `next build` runs first, with no manifest
 * anywhere and a bare environment (compileOnce: nothing compiles while Next imports the routes),
 * then `next start` serves the build with the manifest in its working directory, and the recipes'
 * checks run against it. The fetch adapter reads a clone of the body: per-tool step-up enforced.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { closedPort } from '../support/servers.js';
import { describeRecipe, PRM_PATH, recipeManifest, type RunningRecipe } from './checks.js';
import { installedProject, lockedSpecs } from './packed-project.js';
import { packedTarball } from './packed.js';

const run = promisify(execFile);
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
/** Next.js and what it needs for a TypeScript app, pinned (they are not devDependencies). */
const NEXT_PACKAGES = ['next@16.4.6', 'react@19.3.1', 'react-dom@19.3.1', '@types/react@19.3.3'];
const LOCKED_PACKAGES = ['mcp-handler', '@modelcontextprotocol/server', 'zod', 'typescript', '@types/node'];
const BUILD_TIMEOUT_MS = 300_000;
/** What Next sees of the environment: no manifest variables; HOME outside the project (Next checks). */
const BARE_ENV = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? tmpdir(),
  NEXT_TELEMETRY_DISABLED: '1',
};

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
  scratch = await mkdtemp(join(installed, 'apps', 'run-'));
  appDir = join(scratch, 'nextjs');
  await cp(join(EXAMPLES, 'nextjs'), appDir, { recursive: true });
  await cp(join(EXAMPLES, 'support'), join(scratch, 'support'), { recursive: true });
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  await writeFile(join(appDir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));

  await run(process.execPath, [nextBin, 'build'], {
    cwd: appDir,
    env: BARE_ENV,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`next build failed:\n${error.stdout ?? ''}\n${error.stderr ?? error.message}`);
  });
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** `next start` on a free port with the recipes' manifest; resolves when the metadata route answers. */
async function startNext(): Promise<RunningRecipe> {
  await writeFile(join(appDir, 'mcp-auth.config.json'), JSON.stringify(recipeManifest()));
  const port = await closedPort();
  const child: ChildProcess = spawn(
    process.execPath,
    [nextBin, 'start', '--port', String(port), '--hostname', '127.0.0.1'],
    {
      cwd: appDir,
      env: BARE_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited ${child.exitCode}:\n${output}`);
    const ready = await fetch(new URL(PRM_PATH, base)).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) return { url: `${base}/mcp`, close };
    if (Date.now() > deadline) {
      await close();
      throw new Error(`next start did not answer within 20 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeRecipe('Next.js 16 app router + mcp-handler (next build, next start)', {
  // The runtime in the Next server compiles the same manifest, from the file startNext writes.
  start: () => startNext(),
  modernProtocol: true,
});
