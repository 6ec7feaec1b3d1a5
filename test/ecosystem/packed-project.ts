/**
 * Vitest global setup of the `ecosystem` project: the recipes in `examples/` run against the
 * package as a user installs it, not against the repository.
 *
 * 1. `npm pack` of the repository (dist/ must be built: `npm test` builds it first).
 * 2. A scratch project in the OS temp directory where npm installs that tarball and the host
 *    libraries at the versions of the repository's package-lock (`--prefer-offline`: the packages
 *    `npm ci` put in the npm cache are not fetched again). It is kept under a key made of the
 *    tarball's integrity and that list, so the later runs of the same package (CI runs the suite on
 *    three Node versions) reuse it; entries unused for two hours are removed.
 * 3. A per-run directory beside it: the recipe files and `examples/support/`, copied and
 *    transpiled to `.js`, a `node_modules` link to the scratch project's, a `tsconfig.json` for the
 *    type check, `published-types.ts` (every entry point's types, checked without skipLibCheck)
 *    and `package.js`, which re-exports `mcp-auth-config` as those files resolve it.
 *
 * The tests load those `.js` files with Node's own `import()` (see `packed.ts`), so `mcp-auth-config`
 * and `mcp-auth-config/express`... resolve through the installed package's `exports` and `files`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The per-run directory holding the recipes, linked to the installed package. */
    packedProject: string;
    /** The tarball `npm pack` made, for tests that install it with other packages. */
    packedTarball: PackedTarball;
  }
}

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CACHE_ROOT = join(tmpdir(), 'mcp-auth-config-ecosystem');
/** Unused this long, a scratch project is removed (a CI run, three suites, is well within it). */
const UNUSED_MS = 2 * 60 * 60 * 1000;

/** The recipes (`examples/<name>.ts`) the ecosystem tests run and type-check. */
const RECIPES = ['sdk-v2', 'hono-mcp', 'mcp-handler', 'fastmcp'] as const;

/** What the recipes and examples/support import besides mcp-auth-config, and the type packages. */
const HOST_PACKAGES = [
  '@modelcontextprotocol/sdk',
  '@modelcontextprotocol/server',
  '@modelcontextprotocol/node',
  'express',
  'hono',
  '@hono/mcp',
  '@hono/node-server',
  'mcp-handler',
  'fastmcp',
  'zod',
  '@types/express',
  '@types/node',
];

/** The compiler options of a user's strict Node ESM project: every recipe type-checks under them. */
export const USER_COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  lib: ['ES2023'],
  types: ['node'],
  strict: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: true,
  noEmit: true,
} as const;

/** The type check every recipe passes. */
const TSCONFIG = { compilerOptions: USER_COMPILER_OPTIONS, files: RECIPES.map((name) => `${name}.ts`) };

/** Every typed entry point a user without fastify can import, for the check without skipLibCheck. */
const PUBLISHED_TYPES = ['', '/express', '/fetch', '/node', '/sdk']
  .map((subpath, i) => `export type * as Entry${i} from 'mcp-auth-config${subpath}';\n`)
  .join('');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(join(REPO, 'dist/index.js'))) {
    throw new Error('test/ecosystem runs the packed package: dist/ is missing, run `npm run build` first');
  }
  const runDir = await mkdtemp(join(tmpdir(), 'mcp-auth-config-recipes-'));
  try {
    const tarball = await pack(runDir);
    const installed = await installedProject(tarball, await lockedSpecs(HOST_PACKAGES));
    await symlink(join(installed, 'node_modules'), join(runDir, 'node_modules'), 'dir');
    await copyRecipes(runDir);
    project.provide('packedProject', runDir);
    project.provide('packedTarball', tarball);
  } catch (error) {
    await rm(runDir, { recursive: true, force: true });
    throw error;
  }
  return () => rm(runDir, { recursive: true, force: true });
}

/** The tarball of the repository: its path and its integrity (`sha512-...`). */
export interface PackedTarball {
  readonly path: string;
  readonly integrity: string;
}

/** `npm pack` without lifecycle scripts (the build already ran). */
async function pack(destination: string): Promise<PackedTarball> {
  const { stdout } = await run(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', destination],
    { cwd: REPO, maxBuffer: 64 * 1024 * 1024 },
  );
  const [result] = JSON.parse(stdout) as Array<{ filename: string; integrity: string }>;
  if (!result) throw new Error(`npm pack printed no result: ${stdout}`);
  return { path: join(destination, result.filename), integrity: result.integrity };
}

/** `name@version` for each package, at the exact version of the repository's package-lock. */
export async function lockedSpecs(names: readonly string[]): Promise<string[]> {
  const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  return names.map((name) => {
    const version = lock.packages[`node_modules/${name}`]?.version;
    if (!version) throw new Error(`${name} is not in package-lock.json: npm i -D ${name}`);
    return `${name}@${version}`;
  });
}

/**
 * A scratch project (under the OS temp directory) where npm installed the tarball and `specs`
 * (`name@version`): the one installed for the same tarball and specs before, else a new one.
 */
export async function installedProject(tarball: PackedTarball, specs: readonly string[]): Promise<string> {
  const key = createHash('sha256')
    .update(JSON.stringify([tarball.integrity, specs]))
    .digest('hex')
    .slice(0, 16);
  const dir = join(CACHE_ROOT, key);
  await mkdir(CACHE_ROOT, { recursive: true });
  await pruneCache(key);
  if (existsSync(join(dir, 'node_modules/mcp-auth-config/package.json'))) {
    const now = new Date();
    await utimes(dir, now, now);
    return dir;
  }

  const partial = await mkdtemp(join(CACHE_ROOT, `${key}.partial-`));
  try {
    await writeFile(join(partial, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
    await copyFile(tarball.path, join(partial, 'mcp-auth-config.tgz'));
    const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'];
    await run('npm', [...args, './mcp-auth-config.tgz', ...specs], {
      cwd: partial,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`npm install of the packed tarball failed:\n${error.stderr ?? error.message}`);
    });
    await rename(partial, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another run installed the same key first: use theirs.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      await rm(partial, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

/** Removes scratch projects (and abandoned partial installs) unused for two hours. */
async function pruneCache(keep: string): Promise<void> {
  for (const entry of await readdir(CACHE_ROOT)) {
    if (entry === keep) continue;
    const path = join(CACHE_ROOT, entry);
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > UNUSED_MS) await rm(path, { recursive: true, force: true });
  }
}

/**
 * Copies the recipes and examples/support into `dir`, each `.ts` beside its `.js` (imports keep
 * their `.js` specifiers, as the examples write them), with the tsconfig and `package.js`.
 */
async function copyRecipes(dir: string): Promise<void> {
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'recipes', private: true, type: 'module' }),
  );
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  await writeFile(
    join(dir, 'package.js'),
    "export * from 'mcp-auth-config';\nexport const resolvedFrom = import.meta.resolve('mcp-auth-config');\n",
  );
  await writeFile(join(dir, 'published-types.ts'), PUBLISHED_TYPES);
  await mkdir(join(dir, 'support'));
  const support = (await readdir(join(REPO, 'examples/support'))).filter((file) => file.endsWith('.ts'));
  const files = [...RECIPES.map((name) => `${name}.ts`), ...support.map((file) => `support/${file}`)];
  for (const file of files) {
    const source = await readFile(join(REPO, 'examples', file), 'utf8');
    await writeFile(join(dir, file), source);
    await writeFile(join(dir, file.replace(/\.ts$/, '.js')), transpile(source, file));
  }
}

function transpile(source: string, fileName: string): string {
  return ts.transpileModule(source, {
    fileName,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      verbatimModuleSyntax: true,
    },
  }).outputText;
}
