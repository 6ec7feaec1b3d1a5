/**
 * loadManifest over a real fixture tree, read as a user's files would be: every supported format,
 * searching upwards, the package.json key, explicit paths, positions of syntax and validation
 * errors, and `${VAR}` interpolation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.js';
import { interpolateEnv } from '../../src/manifest/interpolate.js';
import { loadManifest, readManifestFile, type LoadOptions } from '../../src/manifest/load.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/manifests/', import.meta.url));
const fixture = (...parts: string[]) => join(FIXTURES, ...parts);

/** The ManifestError loadManifest rejects with. */
async function loadError(options: LoadOptions): Promise<ManifestError> {
  const error = await loadManifest(options).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ManifestError);
  return error as ManifestError;
}

/** `file:line:column` of every issue, for compact assertions. */
const where = (error: ManifestError) =>
  error.issues.map((i) => [
    i.location ? `${i.location.file}:${i.location.line}:${i.location.column}` : undefined,
    i.path,
    i.code,
  ]);

describe('loadManifest: every format, found by searching cwd', () => {
  const formats: [string, string][] = [
    ['json', 'mcp-auth.config.json'],
    ['jsonc', 'mcp-auth.config.jsonc'],
    ['yaml', 'mcp-auth.config.yaml'],
    ['yml', 'mcp-auth.config.yml'],
    ['js', 'mcp-auth.config.js'],
    ['mjs', 'mcp-auth.config.mjs'],
    ['cjs', 'mcp-auth.config.cjs'],
    ['ts', 'mcp-auth.config.ts'],
    ['mts', 'mcp-auth.config.mts'],
  ];

  it.each(formats)('reads %s (%s)', async (format, name) => {
    const { manifest, file, warnings } = await loadManifest({ cwd: fixture('formats', format) });
    expect(file).toBe(fixture('formats', format, name));
    expect(warnings).toEqual([]);
    const resource = manifest.resources[0]!;
    expect(resource.resourceName).toBe(`from ${format}`);
    expect(resource.resource).toBe('https://api.example.com/mcp');
    expect(resource.token.requiredScopes).toEqual(['mcp:read']);
    expect(manifest.issuers['main']).toMatchObject({ issuer: 'https://auth.example.com', type: 'oidc' });
    expect(Object.isFrozen(manifest)).toBe(true);
  });

  it('reads a TypeScript manifest with its transpile hook as a working function', async () => {
    for (const format of ['ts', 'mts']) {
      const { manifest } = await loadManifest({ cwd: fixture('formats', format) });
      const transpile = manifest.issuers['main']!.transpile;
      expect(transpile).toBeTypeOf('function');
      const patched = await (transpile as (d: Record<string, unknown>) => unknown)({ issuer: 'x' });
      expect(patched).toEqual({ issuer: 'x', code_challenge_methods_supported: ['S256'] });
    }
  });

  it('accepts comments and trailing commas in JSONC', async () => {
    const { manifest } = await loadManifest({ cwd: fixture('formats', 'jsonc') });
    expect(manifest.issuers['main']!.issuer).toBe('https://auth.example.com');
  });

  it('resolves YAML anchors and aliases', async () => {
    const { manifest } = await loadManifest({ cwd: fixture('formats', 'yaml') });
    expect(manifest.resources[0]!.scopesSupported).toEqual(['mcp:read']);
  });

  it('searches upwards from a nested directory', async () => {
    const { file, manifest } = await loadManifest({ cwd: fixture('formats', 'yaml', 'services', 'api') });
    expect(file).toBe(fixture('formats', 'yaml', 'mcp-auth.config.yaml'));
    expect(manifest.resources[0]!.resourceName).toBe('from yaml');
  });

  it('finds the "mcp-auth" key of package.json, passing over a nearer package.json without it', async () => {
    const { file, manifest } = await loadManifest({
      cwd: fixture('formats', 'package-json', 'packages', 'app', 'src'),
    });
    expect(file).toBe(fixture('formats', 'package-json', 'package.json'));
    expect(manifest.resources[0]!.resourceName).toBe('from package.json');
  });

  it('prefers a manifest file over the package.json key in the same directory', async () => {
    const { file, manifest } = await loadManifest({ cwd: fixture('formats', 'precedence') });
    expect(file).toBe(fixture('formats', 'precedence', 'mcp-auth.config.yaml'));
    expect(manifest.resources[0]!.resourceName).toBe('from mcp-auth.config.yaml');
  });
});

describe('loadManifest: explicit path and missing files', () => {
  let empty: string;
  beforeAll(async () => {
    empty = await mkdtemp(join(tmpdir(), 'mcp-auth-load-'));
  });
  afterAll(async () => {
    await rm(empty, { recursive: true, force: true });
  });

  it('reads exactly the given path, resolved against cwd', async () => {
    const { file, manifest } = await loadManifest({
      cwd: fixture('formats'),
      path: 'yml/mcp-auth.config.yml',
    });
    expect(file).toBe(fixture('formats', 'yml', 'mcp-auth.config.yml'));
    expect(manifest.resources[0]!.resourceName).toBe('from yml');
  });

  it('reads a package.json given as path from its "mcp-auth" key', async () => {
    const { manifest } = await loadManifest({ path: fixture('formats', 'package-json', 'package.json') });
    expect(manifest.resources[0]!.resourceName).toBe('from package.json');
  });

  it('fails with manifest_not_found when no manifest exists from cwd upwards', async () => {
    const error = await loadError({ cwd: empty });
    expect(error.code).toBe('manifest_not_found');
    expect(error.message).toContain(`no manifest found from ${empty} upwards`);
    expect(error.message).toContain('npx mcp-auth init');
  });

  it('fails with manifest_not_found for a path that does not exist', async () => {
    const missing = join(empty, 'mcp-auth.config.json');
    const error = await loadError({ path: missing });
    expect(error.code).toBe('manifest_not_found');
    expect(error.file).toBe(missing);
    expect(error.message).toBe(`mcp-auth-config: cannot read ${missing}: no such file`);
  });

  it('fails with manifest_unreadable for an unsupported extension', async () => {
    const error = await loadError({ path: join(empty, 'mcp-auth.config.toml') });
    expect(error.code).toBe('manifest_unreadable');
    expect(error.message).toMatch(/unsupported extension "\.toml"/);
  });
});

describe('loadManifest: problems located as file:line:column', () => {
  it('reports bad JSON at its line and column', async () => {
    const file = fixture('invalid', 'syntax', 'missing-comma.json');
    const error = await loadError({ path: file });
    expect(error.code).toBe('manifest_invalid');
    expect(where(error)).toEqual([[`${file}:5:3`, [], 'syntax']]);
    expect(error.message).toContain(`${file}:5:3 error (root): invalid JSON: CommaExpected`);
  });

  it('reports bad YAML at its line and column', async () => {
    const file = fixture('invalid', 'syntax', 'bad-indent.yaml');
    const error = await loadError({ path: file });
    expect(where(error)).toEqual([[`${file}:4:1`, [], 'syntax']]);
    expect(error.issues[0]!.message).toMatch(/^invalid YAML: /);
  });

  it('refuses a duplicate key in YAML, at the second occurrence', async () => {
    const file = fixture('invalid', 'syntax', 'duplicate-key.yaml');
    expect(where(await loadError({ path: file }))).toEqual([[`${file}:4:3`, [], 'syntax']]);
  });

  it('reports unknown keys in JSON at the key itself', async () => {
    const file = fixture('invalid', 'located', 'unknown-keys.json');
    const error = await loadError({ path: file });
    expect(where(error)).toEqual([
      [`${file}:5:7`, ['issuers', 'main', 'wellKnownURL'], 'unknown_key'],
      [`${file}:12:50`, ['resources', 0, 'token', 'clockTolerence'], 'unknown_key'],
    ]);
    expect(error.message).toContain(
      `${file}:12:50 error resources[0].token.clockTolerence: unknown key "clockTolerence". Did you mean "clockTolerance"?`,
    );
  });

  it('counts lines and columns in JSONC after comments', async () => {
    const file = fixture('invalid', 'located', 'unknown-keys.jsonc');
    expect(where(await loadError({ path: file }))).toEqual([
      [`${file}:4:64`, ['issuers', 'main', 'tpye'], 'unknown_key'],
    ]);
  });

  it('reports unknown keys in YAML at the key itself', async () => {
    const file = fixture('invalid', 'located', 'unknown-keys.yaml');
    expect(where(await loadError({ path: file }))).toEqual([
      [`${file}:5:5`, ['issuers', 'main', 'wellKnownURL'], 'unknown_key'],
      [`${file}:11:7`, ['resources', 0, 'token', 'clockTolerence'], 'unknown_key'],
    ]);
  });

  it('locates meaning errors too (a value in a YAML sequence)', async () => {
    const file = fixture('invalid', 'located', 'meaning.yaml');
    expect(where(await loadError({ path: file }))).toEqual([
      [`${file}:3:5`, ['issuers', 'main', 'issuer'], 'insecure_url'],
      [`${file}:8:9`, ['resources', 0, 'authorizationServers', 1], 'unknown_issuer'],
    ]);
  });

  it('locates problems under the "mcp-auth" key of package.json in the file, with paths relative to the key', async () => {
    const file = fixture('invalid', 'located', 'package-json', 'package.json');
    expect(where(await loadError({ path: file }))).toEqual([
      [`${file}:6:98`, ['resources', 0, 'scopes'], 'unknown_key'],
    ]);
  });

  it('reports JS/TS module problems with their JSON path and the file, without a position', async () => {
    const file = fixture('invalid', 'modules', 'mcp-auth.config.mjs');
    const error = await loadError({ cwd: fixture('invalid', 'modules') });
    expect(error.file).toBe(file);
    expect(where(error)).toEqual([[undefined, ['issuers', 'main', 'tpye'], 'unknown_key']]);
    expect(error.message).toContain(`invalid manifest ${file} (1 error)`);
  });
});

describe('loadManifest: ${VAR} interpolation in JSON and YAML', () => {
  const json = fixture('env', 'mcp-auth.config.json');
  const yaml = fixture('env', 'mcp-auth.config.yaml');

  it.each([json, yaml])(
    'substitutes variables and defaults, and $${ writes a literal ${ (%s)',
    async (path) => {
      const { manifest } = await loadManifest({
        path,
        env: { ISSUER_URL: 'https://auth.example.com', PUBLIC_URL: 'https://mcp.example.com' },
      });
      expect(manifest.issuers['main']).toEqual({ issuer: 'https://auth.example.com', type: 'oidc' });
      expect(manifest.resources[0]!.resource).toBe('https://mcp.example.com/mcp');
      expect(manifest.resources[0]!.resourceName).toBe('Costs ${PRICE} per call');
    },
  );

  it.each([json, yaml])('uses the default when the variable is unset or empty (%s)', async (path) => {
    for (const env of [
      { ISSUER_URL: 'https://a.example.com' },
      { ISSUER_URL: 'https://a.example.com', PUBLIC_URL: '' },
    ]) {
      const { manifest } = await loadManifest({ path, env });
      expect(manifest.resources[0]!.resource).toBe('http://127.0.0.1:3000/mcp');
      expect(manifest.issuers['main']!.type).toBe('oidc');
    }
  });

  it('validates the interpolated values (a variable can make a manifest invalid)', async () => {
    const error = await loadError({ path: json, env: { ISSUER_URL: 'http://auth.example.com' } });
    expect(where(error)).toEqual([[`${json}:3:15`, ['issuers', 'main', 'issuer'], 'insecure_url']]);
  });

  it('fails on an unset variable without default, naming it and its path, with its position', async () => {
    const jsonError = await loadError({ path: json, env: {} });
    expect(where(jsonError)).toEqual([[`${json}:3:15`, ['issuers', 'main', 'issuer'], 'unset_env']]);
    expect(jsonError.issues[0]!.message).toBe(
      'environment variable ISSUER_URL is not set; set it or write ${ISSUER_URL:-default}',
    );
    expect(jsonError.message).toContain(
      `${json}:3:15 error issuers.main.issuer: environment variable ISSUER_URL`,
    );

    const yamlError = await loadError({ path: yaml, env: {} });
    expect(where(yamlError)).toEqual([[`${yaml}:3:5`, ['issuers', 'main', 'issuer'], 'unset_env']]);
  });

  it('reads process.env when no env is given', async () => {
    const read = await readManifestFile(json);
    const expected = process.env['ISSUER_URL'] === undefined ? ['unset_env'] : [];
    expect(read.issues.map((i) => i.code)).toEqual(expected);
  });

  it('does not interpolate JS/TS manifests (their values are code)', async () => {
    const read = await readManifestFile(fixture('formats', 'mjs', 'mcp-auth.config.mjs'), {});
    expect(read.issues).toEqual([]);
    expect(read.source).toBeUndefined();
  });
});

describe('interpolateEnv', () => {
  it('replaces every variable in a string, in values only (never in keys), leaving other types alone', () => {
    const { value, issues } = interpolateEnv(
      { '${A}': 'x', list: ['${A}-${B}', 3, true, null], nested: { s: 'pre ${A:-d} post' } },
      { A: 'a', B: 'b' },
    );
    expect(issues).toEqual([]);
    expect(value).toEqual({ '${A}': 'x', list: ['a-b', 3, true, null], nested: { s: 'pre a post' } });
  });

  it('reports each unset variable with its own path', () => {
    const { issues } = interpolateEnv({ a: ['ok', '${X}'], b: { c: '${Y} and ${Z:-z}' } }, {});
    expect(issues.map((i) => [i.code, i.path, i.message.split(' ')[2]])).toEqual([
      ['unset_env', ['a', 1], 'X'],
      ['unset_env', ['b', 'c'], 'Y'],
    ]);
  });

  it('takes only own string members of the environment: a binding or a number is refused, never stringified nor defaulted', () => {
    // A Workers `env` holds bindings (KV namespaces, queues) beside its string variables.
    const env = Object.assign(Object.create({ INHERITED: 'from the prototype' }) as object, {
      ISSUER: 'https://auth.example.com',
      NOTES: { get: () => null },
      PORT: 8080,
    });
    const { value, issues } = interpolateEnv(
      ['${ISSUER}', '${NOTES:-none}', '${PORT}', '${toString}', '${INHERITED:-own only}'],
      env,
    );
    expect(value).toEqual([
      'https://auth.example.com',
      '${NOTES:-none}',
      '${PORT}',
      '${toString}',
      'own only',
    ]);
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['env_not_string', [1]],
      ['env_not_string', [2]],
      ['unset_env', [3]],
    ]);
    expect(issues[0]!.message).toContain('environment variable NOTES is not a string');
  });

  it('treats an empty variable without default as set (to the empty string)', () => {
    expect(interpolateEnv('[${EMPTY}]', { EMPTY: '' })).toEqual({ value: '[]', issues: [] });
  });

  it('writes $${NAME} as a literal ${NAME}, without looking the variable up', () => {
    expect(interpolateEnv('$${HOME} $${UNSET}', {})).toEqual({ value: '${HOME} ${UNSET}', issues: [] });
  });

  it('keeps a "__proto__" key as data and does not touch Object.prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": "${A}"}}') as unknown;
    const { value } = interpolateEnv(parsed, { A: 'yes' });
    expect(Object.prototype.hasOwnProperty.call(value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
