/**
 * The built `mcp-auth` CLI, spawned as a user runs it (`node dist/cli/bin.js ...`): exit codes,
 * where problems are reported (JSON path and file:line:column), JSON output, --strict, `schema`,
 * `init` and the help texts.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'manifests');
const EXAMPLE = join(ROOT, 'mcp-auth.config.example.json');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI and resolves with its exit code and output (never rejects on a non-zero exit). */
function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

let tmp: string;

beforeAll(async () => {
  // `npm test` builds first; build here only when running this file on a fresh clone.
  if (!existsSync(BIN)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  tmp = await mkdtemp(join(tmpdir(), 'mcp-auth-cli-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('mcp-auth validate', () => {
  it('exits 0 on the example manifest', async () => {
    const run = await cli(['validate', 'mcp-auth.config.example.json']);
    expect(run).toEqual({ code: 0, stdout: `✓ ${EXAMPLE}: 0 errors, 0 warnings\n`, stderr: '' });
  });

  it('finds the manifest from the current directory when no path is given', async () => {
    const run = await cli(['validate'], { cwd: join(FIXTURES, 'formats', 'yaml', 'services', 'api') });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`✓ ${join(FIXTURES, 'formats', 'yaml', 'mcp-auth.config.yaml')}`);
  });

  it.each(['json', 'jsonc', 'yaml', 'yml', 'js', 'mjs', 'cjs', 'ts', 'mts'])(
    'validates a .%s manifest (TypeScript through this Node)',
    async (format) => {
      const run = await cli(['validate', join(FIXTURES, 'formats', format, `mcp-auth.config.${format}`)]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    },
  );

  it('exits 1 on an invalid manifest, printing each problem with file:line:column and JSON path', async () => {
    const file = join(FIXTURES, 'invalid', 'located', 'unknown-keys.json');
    const run = await cli(['validate', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      `${file}:5:7 error issuers.main.wellKnownURL: unknown key "wellKnownURL". Did you mean "wellKnownUrl"? [unknown_key]`,
      `${file}:12:50 error resources[0].token.clockTolerence: unknown key "clockTolerence". Did you mean "clockTolerance"? [unknown_key]`,
      `✗ ${file}: 2 errors, 0 warnings`,
      '',
    ]);
  });

  it('exits 1 on meaning errors in YAML, with positions', async () => {
    const file = join(FIXTURES, 'invalid', 'located', 'meaning.yaml');
    const run = await cli(['validate', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `${file}:3:5 error issuers.main.issuer: http is only allowed to loopback hosts`,
    );
    expect(run.stderr).toContain(
      `${file}:8:9 error resources[0].authorizationServers[1]: no issuer "mian" in "issuers". Did you mean "main"?`,
    );
  });

  it('exits 1 on bad JSON, naming the line and column', async () => {
    const file = join(FIXTURES, 'invalid', 'syntax', 'missing-comma.json');
    const run = await cli(['validate', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}:5:3 error (root): invalid JSON: CommaExpected [syntax]`);
  });

  it('exits 1 on an unset environment variable, naming it, its path and its position', async () => {
    const file = join(FIXTURES, 'env', 'mcp-auth.config.json');
    const env = { PATH: process.env['PATH'] ?? '' };
    const unset = await cli(['validate', file], { env });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain(
      `${file}:3:15 error issuers.main.issuer: environment variable ISSUER_URL is not set`,
    );
    const set = await cli(['validate', file], { env: { ...env, ISSUER_URL: 'https://auth.example.com' } });
    expect(set.code).toBe(0);
  });

  it('exits 1 on a module manifest with a typo, naming the file and the JSON path', async () => {
    const file = join(FIXTURES, 'invalid', 'modules', 'mcp-auth.config.mjs');
    const run = await cli(['validate', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error issuers.main.tpye: unknown key "tpye". Did you mean "type"?');
    expect(run.stderr).toContain(`✗ ${file}: 1 error, 0 warnings`);
  });

  it('exits 2 when the given file does not exist', async () => {
    const missing = join(tmp, 'nope.json');
    const run = await cli(['validate', missing]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot read ${missing}: no such file`);
  });

  it('exits 2 when no manifest is found from the current directory upwards', async () => {
    const empty = await mkdtemp(join(tmp, 'empty-'));
    const run = await cli(['validate'], { cwd: empty });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no manifest found');
  });

  it('passes with warnings (printed on stdout), and --strict makes them fail with exit 1', async () => {
    const file = join(FIXTURES, 'warnings', 'mcp-auth.config.json');
    const lenient = await cli(['validate', file]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain(
      'warning issuers.spare: issuer "spare" is not used by any resource [unused_issuer]',
    );
    expect(lenient.stdout).toContain(`✓ ${file}: 0 errors, 1 warning`);

    const strict = await cli(['validate', file, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`✗ ${file}: 0 errors, 1 warning (--strict)`);

    expect((await cli(['validate', EXAMPLE, '--strict'])).code).toBe(0);
  });

  describe('--format json', () => {
    it('prints a parseable report with every issue, its path and its location', async () => {
      const file = join(FIXTURES, 'invalid', 'located', 'unknown-keys.yaml');
      const run = await cli(['validate', file, '--format', 'json']);
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(report).toMatchObject({ valid: false, file, errors: 2, warnings: 0 });
      expect(report['issues']).toEqual([
        expect.objectContaining({
          severity: 'error',
          code: 'unknown_key',
          path: ['issuers', 'main', 'wellKnownURL'],
          location: { file, line: 5, column: 5 },
        }),
        expect.objectContaining({
          path: ['resources', 0, 'token', 'clockTolerence'],
          location: { file, line: 11, column: 7 },
        }),
      ]);
    });

    it('reports a valid manifest as valid, with its warnings', async () => {
      const file = join(FIXTURES, 'warnings', 'mcp-auth.config.json');
      const run = await cli(['validate', file, '--format=json']);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as { valid: boolean; issues: { code: string }[] };
      expect(report.valid).toBe(true);
      expect(report.issues.map((i) => i.code)).toEqual(['unused_issuer']);
      const strict = await cli(['validate', file, '--format=json', '--strict']);
      expect(strict.code).toBe(1);
      expect((JSON.parse(strict.stdout) as { valid: boolean }).valid).toBe(false);
    });

    it('reports an unreadable manifest as JSON too, with exit 2', async () => {
      const missing = join(tmp, 'missing.yaml');
      const run = await cli(['validate', missing, '--format', 'json']);
      expect(run.code).toBe(2);
      expect(JSON.parse(run.stdout)).toMatchObject({
        valid: false,
        file: missing,
        error: 'manifest_not_found',
      });
    });
  });
});

describe('usage errors exit 2', () => {
  it.each([
    ['no command', [], /Usage:/],
    ['an unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['an unknown option', ['validate', '--verbose'], /Unknown option '--verbose'/],
    ['an extra argument', ['validate', 'a.json', 'b.json'], /unexpected argument "b\.json"/],
    ['a bad --format', ['validate', EXAMPLE, '--format', 'xml'], /--format must be text or json/],
  ])('%s', async (_name, args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(message);
  });
});

describe('mcp-auth schema', () => {
  it('prints the committed schema byte for byte', async () => {
    const run = await cli(['schema'], { cwd: tmp });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(await readFile(join(ROOT, 'schema', 'mcp-auth.schema.json'), 'utf8'));
  });
});

describe('mcp-auth init', () => {
  it('writes a starter manifest with $schema that validates', async () => {
    const dir = await mkdtemp(join(tmp, 'init-'));
    const run = await cli(['init'], { cwd: dir });
    expect(run.code).toBe(0);
    const file = join(dir, 'mcp-auth.config.json');
    expect(run.stdout).toContain(`wrote ${file}`);
    const starter = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(starter['$schema']).toBe('./node_modules/mcp-auth-config/schema/mcp-auth.schema.json');
    const validate = await cli(['validate', '--strict'], { cwd: dir });
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain(`✓ ${file}: 0 errors, 0 warnings`);
  });

  it('refuses to overwrite an existing file (exit 1) unless --force', async () => {
    const dir = await mkdtemp(join(tmp, 'init-'));
    const file = join(dir, 'custom.json');
    await writeFile(file, '{"mine": true}\n');

    const refused = await cli(['init', 'custom.json'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `${file} already exists; not overwriting it (use --force to replace it)`,
    );
    expect(await readFile(file, 'utf8')).toBe('{"mine": true}\n');

    const forced = await cli(['init', 'custom.json', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toHaveProperty('issuers');
    expect((await cli(['validate', file])).code).toBe(0);
  });

  it('exits 2 when the file cannot be written', async () => {
    const run = await cli(['init', join(tmp, 'no', 'such', 'dir', 'm.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot write');
  });
});

describe('help', () => {
  it.each([['--help'], ['-h']])('%s prints the usage of every command and exits 0', async (flag) => {
    const run = await cli([flag]);
    expect(run.code).toBe(0);
    for (const command of ['validate', 'schema', 'init'])
      expect(run.stdout).toMatch(new RegExp(`^  mcp-auth ${command} `, 'm'));
    expect(run.stdout).toContain(
      'Exit codes: 0 ok, 1 invalid manifest or failed check, 2 usage or I/O error.',
    );
  });

  it.each([
    [
      'validate',
      'mcp-auth validate [path] [--format text|json] [--strict]',
      /Exit 0 when valid, 1 when invalid/,
    ],
    ['schema', 'mcp-auth schema', /Prints the manifest JSON Schema/],
    ['init', 'mcp-auth init [path] [--force]', /Refuses to overwrite an existing file unless --force/],
  ])('%s --help prints its own help and exits 0 without running', async (command, usage, text) => {
    const dir = await mkdtemp(join(tmp, 'help-'));
    const run = await cli([command, '--help'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith(`${usage}\n\n`)).toBe(true);
    expect(run.stdout).toMatch(text);
    expect(existsSync(join(dir, 'mcp-auth.config.json'))).toBe(false);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });
});
