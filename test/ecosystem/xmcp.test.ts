/**
 * xmcp recipe (examples/xmcp): our Express `metadataRouter` and `requireAuth` as xmcp middleware
 * (src/middleware.ts), the identity on `req.auth`, which xmcp hands to tools as `extra.authInfo`,
 * in a project where npm installed the packed package with xmcp and its compiler. `xmcp build`
 * (rspack) runs with no manifest anywhere and a bare environment (compileOnce), then
 * `node dist/http.js` serves it with the manifest in its working directory, and the recipes'
 * checks run against it. The recipe type-checks there under strict + exactOptionalPropertyTypes.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closedPort } from '../support/servers.js';
import { bareEnv, buildStep, startAppServer } from './app-server.js';
import { describeRecipe } from './checks.js';
import { USER_COMPILER_OPTIONS, installedProject, lockedSpecs } from './packed-project.js';
import { packedTarball } from './packed.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
/** xmcp, its build-only compiler and its React peers, pinned (they are not devDependencies). */
const XMCP_PACKAGES = ['xmcp@1.1.3', '@xmcp-dev/compiler@1.1.3', 'react@19.3.1', 'react-dom@19.3.1'];
const LOCKED_PACKAGES = [
  '@modelcontextprotocol/server',
  '@modelcontextprotocol/client',
  'jose',
  'zod',
  '@types/express',
  'typescript',
  '@types/node',
];
const BUILD_TIMEOUT_MS = 300_000;

/** The type check of the recipe, under a user's strict compiler options. */
const TSCONFIG = { compilerOptions: USER_COMPILER_OPTIONS, include: ['src', 'xmcp.config.ts'] };

let appDir: string;
let scratch: string;
let port: number;

beforeAll(async () => {
  const installed = await installedProject(packedTarball(), [
    ...XMCP_PACKAGES,
    ...(await lockedSpecs(LOCKED_PACKAGES)),
  ]);
  await mkdir(join(installed, 'apps'), { recursive: true });
  scratch = await mkdtemp(join(installed, 'apps', 'xmcp-'));
  appDir = join(scratch, 'xmcp');
  await cp(join(EXAMPLES, 'xmcp'), appDir, { recursive: true });
  await writeFile(join(appDir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  await writeFile(join(appDir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  // xmcp bakes the port into the build (its config default wins over PORT at run time).
  port = await closedPort();
  const xmcp = join(installed, 'node_modules/xmcp/dist/cli.js');
  await buildStep('xmcp build', xmcp, ['build'], appDir, bareEnv({ XMCP_PORT: String(port) }));
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

it('the xmcp recipe type-checks against the published .d.ts (strict, exactOptionalPropertyTypes)', () => {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(appDir, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`no tsconfig in ${appDir}`);
  expect(config.fileNames.length).toBeGreaterThan(3);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const text = ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => appDir,
    getNewLine: () => '\n',
  });
  expect(text).toBe('');
});

describeRecipe('xmcp (Express middleware: metadataRouter + requireAuth)', {
  // The runtime in the xmcp server compiles the same manifest, from the file startAppServer writes.
  start: () => startAppServer({ script: 'dist/http.js', args: [], cwd: appDir, port, env: bareEnv() }),
});
