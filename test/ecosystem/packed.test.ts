/**
 * The recipes as a user's project holds them: they import `mcp-auth-config` from the installed
 * tarball (not the repository), and each type-checks under `strict` + `exactOptionalPropertyTypes`
 * against the package's published `.d.ts` (the tsconfig the global setup wrote, compiled with the
 * repository's TypeScript); those `.d.ts` also pass without `skipLibCheck`, as in a project that
 * checks its libraries.
 */
import { realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { packedPackage, packedProject } from './packed.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe('the packed package', () => {
  it('is what the recipes import: the installed tarball, not the repository', async () => {
    const { resolvedFrom, compile } = await packedPackage();
    const file = realpathSync(fileURLToPath(resolvedFrom));
    expect(file.startsWith(REPO)).toBe(false);
    expect(file.split(sep).join('/')).toMatch(/\/node_modules\/mcp-auth-config\/dist\/index\.js$/);
    expect(typeof compile).toBe('function');
  });
});

describe('the recipes type-check against the published .d.ts (strict, exactOptionalPropertyTypes)', () => {
  const project = packedProject();
  const config = ts.getParsedCommandLineOfConfigFile(
    join(project, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`no tsconfig in ${project}`);
  let diagnostics: readonly ts.Diagnostic[] = [];

  beforeAll(() => {
    const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
    diagnostics = ts.getPreEmitDiagnostics(program);
  });

  const format = (list: readonly ts.Diagnostic[]) =>
    ts.formatDiagnostics(list, {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => project,
      getNewLine: () => '\n',
    });

  for (const file of config.fileNames) {
    it(`${relative(project, file)} has no type errors`, () => {
      const own = diagnostics.filter((d) => d.file?.fileName === file);
      expect(format(own)).toBe('');
    });
  }

  it('nothing else the recipes pull in has type errors (examples/support, the options)', () => {
    const rest = diagnostics.filter((d) => !d.file || !config.fileNames.includes(d.file.fileName));
    expect(format(rest)).toBe('');
  });

  it('the published .d.ts themselves, every entry point but fastify, pass without skipLibCheck', () => {
    const program = ts.createProgram({
      rootNames: [join(project, 'published-types.ts')],
      options: { ...config.options, skipLibCheck: false },
    });
    // Only our files are checked (what a user's skipLibCheck: false adds for this package); the
    // libraries they reference are read, not checked.
    const ours = program
      .getSourceFiles()
      .filter((file) => /[/\\]node_modules[/\\]mcp-auth-config[/\\]/.test(file.fileName));
    expect(ours.length).toBeGreaterThan(10);
    const found = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...ours.flatMap((file) => [
        ...program.getSyntacticDiagnostics(file),
        ...program.getSemanticDiagnostics(file),
      ]),
    ];
    expect(format(found)).toBe('');
  });
});
