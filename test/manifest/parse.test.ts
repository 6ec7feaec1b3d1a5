/**
 * parseManifest / validateManifest: defaults, freezing, error reporting (every problem, with its
 * path), warnings, "did you mean" hints and the TS-only function hooks.
 */
import { describe, expect, it } from 'vitest';
import { ManifestError, formatIssue, type ManifestIssue } from '../../src/errors.js';
import { defineConfig } from '../../src/manifest/define.js';
import { parseManifest, validateManifest } from '../../src/manifest/parse.js';
import type { ManifestInput, RawMetadata } from '../../src/manifest/schema.js';

const minimal = (): ManifestInput => ({
  issuers: { main: { issuer: 'https://auth.example.com' } },
  resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['main'] }],
});

/** The ManifestError `fn` throws (fails the test when it does not throw one). */
function manifestError(fn: () => unknown): ManifestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestError);
    return err as ManifestError;
  }
  throw new Error('expected a ManifestError, nothing was thrown');
}

const errorsOf = (issues: readonly ManifestIssue[]) => issues.filter((i) => i.severity === 'error');

describe('parseManifest: defaults', () => {
  it('fills in every documented default of issuers, resources, token policy and settings', () => {
    const manifest = parseManifest(minimal());
    expect(manifest).toEqual({
      issuers: { main: { issuer: 'https://auth.example.com', type: 'auto' } },
      resources: [
        {
          resource: 'https://api.example.com/mcp',
          authorizationServers: ['main'],
          token: {
            format: 'jwt',
            requiredScopes: [],
            algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'],
            clockTolerance: 30,
            typ: 'lenient',
            scopeClaims: ['scope'],
            maxLength: 8192,
            challengeGrantedScopes: true,
          },
          tools: {},
          scopeHierarchy: {},
          browser: { public: false },
          mirrorAuthorizationServerMetadata: false,
          protect: true,
        },
      ],
      settings: {
        startup: 'fail-fast',
        fetch: { timeoutMs: 5000, maxBytes: 1024 * 1024 },
        metadataRefreshSeconds: 0,
        jwks: { cooldownSeconds: 30, maxAgeSeconds: 600, staleSeconds: 3600 },
        cache: { maxEntries: 10_000, maxAgeSeconds: 60 },
        metadataMaxAgeSeconds: 3600,
        maxBodyBytes: 4 * 1024 * 1024,
        store: { type: 'memory' },
        verify: { offload: 'auto' },
        revocation: { maxStalenessSeconds: 5, onStoreUnavailable: 'fail-closed' },
      },
    });
  });

  it('keeps given values and fills only the missing ones inside a partly written block', () => {
    const manifest = parseManifest({
      ...minimal(),
      resources: [
        {
          resource: 'https://api.example.com/mcp',
          authorizationServers: ['main'],
          token: { clockTolerance: 0, algorithms: ['ES384'] },
        },
      ],
      settings: { fetch: { timeoutMs: 250 }, jwks: { staleSeconds: 0 } },
    });
    const token = manifest.resources[0]!.token;
    expect(token.clockTolerance).toBe(0);
    expect(token.algorithms).toEqual(['ES384']);
    expect(token.maxLength).toBe(8192);
    expect(manifest.settings.fetch).toEqual({ timeoutMs: 250, maxBytes: 1024 * 1024 });
    expect(manifest.settings.jwks).toEqual({ cooldownSeconds: 30, maxAgeSeconds: 600, staleSeconds: 0 });
  });

  it('leaves optional fields without a default absent (audience defaults to the resource later)', () => {
    const manifest = parseManifest(minimal());
    expect('audience' in manifest.resources[0]!.token).toBe(false);
    expect('scopesSupported' in manifest.resources[0]!).toBe(false);
  });
});

describe('parseManifest: the result is deep-frozen', () => {
  const input = (): ManifestInput => ({
    issuers: {
      main: {
        issuer: 'https://auth.example.com',
        transpile: { grant_types_supported: ['authorization_code'], extra: { nested: true } },
      },
    },
    resources: [
      {
        resource: 'https://api.example.com/mcp',
        authorizationServers: ['main'],
        extraMetadata: { resource_signing_alg_values_supported: ['ES256'] },
        tools: { delete_note: { requiredScopes: ['write'] } },
      },
    ],
  });

  it('freezes every object and array, down to free-form values', () => {
    const manifest = parseManifest(input());
    const patch = manifest.issuers['main']!.transpile as Record<string, unknown>;
    const frozen = [
      manifest,
      manifest.issuers,
      manifest.issuers['main'],
      patch,
      patch['grant_types_supported'],
      patch['extra'],
      manifest.resources,
      manifest.resources[0],
      manifest.resources[0]!.authorizationServers,
      manifest.resources[0]!.token,
      manifest.resources[0]!.token.algorithms,
      manifest.resources[0]!.tools['delete_note']!.requiredScopes,
      manifest.resources[0]!.extraMetadata!['resource_signing_alg_values_supported'],
      manifest.settings.fetch,
    ];
    for (const value of frozen) expect(Object.isFrozen(value)).toBe(true);
    expect(() => {
      (manifest.resources[0]!.token as { clockTolerance: number }).clockTolerance = 600;
    }).toThrow(TypeError);
    expect(() => (manifest.resources[0]!.authorizationServers as string[]).push('evil')).toThrow(TypeError);
  });

  it("does not freeze or change the caller's own objects", () => {
    const value = input();
    const before = JSON.stringify(value);
    parseManifest(value);
    const patch = value.issuers['main']!.transpile as Record<string, unknown>;
    expect(Object.isFrozen(value)).toBe(false);
    expect(Object.isFrozen(patch['grant_types_supported'])).toBe(false);
    expect(Object.isFrozen(patch['extra'])).toBe(false);
    expect(Object.isFrozen(value.resources[0]!.extraMetadata!['resource_signing_alg_values_supported'])).toBe(
      false,
    );
    expect(JSON.stringify(value)).toBe(before);
  });
});

describe('parseManifest: errors', () => {
  it('throws one ManifestError listing every shape problem, each with its JSON path', () => {
    const error = manifestError(() =>
      parseManifest({
        issuers: { main: { issuer: 'https://auth.example.com', type: 'openid' } },
        resources: [
          {
            resource: 'https://api.example.com/mcp',
            authorizationServers: [],
            token: { clockTolerance: -5, algorithms: ['HS256'] },
          },
        ],
        settings: { fetch: { timeoutMs: '5s' } },
      }),
    );
    expect(error.code).toBe('manifest_invalid');
    expect(error.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        ['issuers', 'main', 'type'],
        ['resources', 0, 'authorizationServers'],
        ['resources', 0, 'token', 'algorithms', 0],
        ['resources', 0, 'token', 'clockTolerance'],
        ['settings', 'fetch', 'timeoutMs'],
      ]),
    );
    expect(error.issues).toHaveLength(5);
    expect(error.message).toMatch(/^mcp-auth-config: invalid manifest \(5 errors\)\n/);
    for (const path of [
      'issuers.main.type',
      'resources[0].authorizationServers',
      'resources[0].token.algorithms[0]',
      'resources[0].token.clockTolerance',
      'settings.fetch.timeoutMs',
    ])
      expect(error.message).toContain(`error ${path}: `);
    expect(error.message).toContain('"HS256" is refused');
  });

  it('reports every meaning problem too, errors before warnings', () => {
    const { manifest, issues } = validateManifest({
      issuers: {
        main: { issuer: 'http://auth.example.com' },
        spare: { issuer: 'https://spare.example.com' },
      },
      resources: [
        {
          resource: 'https://api.example.com/mcp#frag',
          authorizationServers: ['main', 'mian'],
          scopesSupported: ['read'],
          token: { requiredScopes: ['write'] },
        },
      ],
    });
    expect(manifest).toBeUndefined();
    expect(issues.map((i) => [i.severity, i.code, i.path])).toEqual([
      ['error', 'insecure_url', ['issuers', 'main', 'issuer']],
      ['error', 'url_fragment', ['resources', 0, 'resource']],
      ['error', 'unknown_issuer', ['resources', 0, 'authorizationServers', 1]],
      ['warning', 'scope_not_supported', ['resources', 0, 'token', 'requiredScopes', 0]],
      ['warning', 'unused_issuer', ['issuers', 'spare']],
    ]);
  });

  it('keeps warnings out of the error count but in ManifestError.issues and format()', () => {
    const error = manifestError(() =>
      parseManifest({
        issuers: { main: { issuer: 'https://auth.example.com' }, spare: { issuer: 'https://s.example.com' } },
        resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['main', 'main'] }],
      }),
    );
    expect(error.message).toMatch(/\(1 error\)/);
    expect(error.message).not.toContain('unused_issuer');
    expect(error.format().split('\n')).toEqual([
      'error resources[0].authorizationServers[1]: "main" is listed twice [duplicate_issuer]',
      'warning issuers.spare: issuer "spare" is not used by any resource [unused_issuer]',
    ]);
  });

  it('names the file in the message when a file name is given without source text', () => {
    const error = manifestError(() => parseManifest({}, { file: '/app/mcp-auth.config.ts' }));
    expect(error.file).toBe('/app/mcp-auth.config.ts');
    expect(error.message).toMatch(
      /^mcp-auth-config: invalid manifest \/app\/mcp-auth\.config\.ts \(2 errors\)/,
    );
  });

  it('adds file:line:column to every issue when the source text is given', () => {
    const text = [
      '{',
      '  "issuers": { "main": { "issuer": "https://auth.example.com" } },',
      '  "resources": [',
      '    { "resource": "https://api.example.com/mcp", "authorizationServers": ["nope"] }',
      '  ]',
      '}',
    ].join('\n');
    const error = manifestError(() =>
      parseManifest(JSON.parse(text), { source: { file: 'manifest.json', text, format: 'json' } }),
    );
    const unknown = error.issues.find((i) => i.code === 'unknown_issuer')!;
    expect(unknown.location).toEqual({ file: 'manifest.json', line: 4, column: 75 });
    expect(formatIssue(unknown)).toMatch(
      /^manifest\.json:4:75 error resources\[0\]\.authorizationServers\[0\]: /,
    );
    expect(error.message).toContain('manifest.json:4:75 error');
  });
});

describe('parseManifest: warnings do not throw', () => {
  it('accepts required scopes (resource and tool) missing from scopesSupported, with a warning each', () => {
    const value = {
      issuers: { main: { issuer: 'https://auth.example.com' } },
      resources: [
        {
          resource: 'https://api.example.com/mcp',
          authorizationServers: ['main'],
          scopesSupported: ['read'],
          token: { requiredScopes: ['read', 'profile'] },
          tools: { purge: { requiredScopes: ['admin'] } },
        },
      ],
    };
    expect(() => parseManifest(value)).not.toThrow();
    const { manifest, issues } = validateManifest(value);
    expect(manifest).toBeDefined();
    expect(issues.map((i) => [i.severity, i.code, i.path])).toEqual([
      ['warning', 'scope_not_supported', ['resources', 0, 'token', 'requiredScopes', 1]],
      ['warning', 'scope_not_supported', ['resources', 0, 'tools', 'purge', 'requiredScopes', 0]],
    ]);
    expect(issues[0]!.message).toContain('"profile" is not in scopesSupported');
  });

  it('accepts an issuer no resource uses, with an unused_issuer warning', () => {
    const value = {
      ...minimal(),
      issuers: { ...minimal().issuers, backup: { issuer: 'https://b.example.com' } },
    };
    expect(parseManifest(value).issuers['backup']).toBeDefined();
    expect(validateManifest(value).issues).toEqual([
      {
        severity: 'warning',
        code: 'unused_issuer',
        path: ['issuers', 'backup'],
        message: 'issuer "backup" is not used by any resource',
      },
    ]);
  });

  it('accepts a resource with a query, with a warning', () => {
    const value = minimal();
    value.resources[0]!.resource = 'https://api.example.com/mcp?tenant=1';
    expect(validateManifest(value).issues.map((i) => [i.severity, i.code])).toEqual([
      ['warning', 'resource_query'],
    ]);
  });

  it('raises no issue at all for a valid manifest whose scopes are consistent', () => {
    expect(validateManifest(minimal()).issues).toEqual([]);
  });
});

describe('parseManifest: "did you mean" hints', () => {
  const messageAt = (value: unknown, path: (string | number)[]) =>
    errorsOf(validateManifest(value).issues).find((i) => JSON.stringify(i.path) === JSON.stringify(path))
      ?.message;

  it('suggests the closest known key for an unknown key, at every level', () => {
    const value = {
      issuers: { main: { isuer: 'https://auth.example.com', jwks: { url: 'https://a.example.com/k' } } },
      resources: [
        {
          resource: 'https://api.example.com/mcp',
          authorizationServers: ['main'],
          scopeSupported: ['read'],
          token: { requiredScope: ['read'] },
          tools: { delete_note: { requiredscopes: ['write'] } },
        },
      ],
      Settings: {},
    };
    expect(messageAt(value, ['issuers', 'main', 'isuer'])).toBe(
      'unknown key "isuer". Did you mean "issuer"?',
    );
    expect(messageAt(value, ['issuers', 'main', 'jwks', 'url'])).toBe(
      'unknown key "url". Did you mean "uri"?',
    );
    expect(messageAt(value, ['resources', 0, 'scopeSupported'])).toBe(
      'unknown key "scopeSupported". Did you mean "scopesSupported"?',
    );
    expect(messageAt(value, ['resources', 0, 'token', 'requiredScope'])).toBe(
      'unknown key "requiredScope". Did you mean "requiredScopes"?',
    );
    expect(messageAt(value, ['resources', 0, 'tools', 'delete_note', 'requiredscopes'])).toBe(
      'unknown key "requiredscopes". Did you mean "requiredScopes"?',
    );
    expect(messageAt(value, ['Settings'])).toBe('unknown key "Settings". Did you mean "settings"?');
  });

  it('gives no hint when no known key is close', () => {
    const value = { ...minimal(), colour: 'blue' };
    expect(messageAt(value, ['colour'])).toBe('unknown key "colour".');
  });

  it('suggests the closest declared issuer id for an unknown one', () => {
    const value = {
      issuers: { logto: { issuer: 'https://a.example.com' }, corp: { issuer: 'https://c.example.com' } },
      resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['logot', 'corp'] }],
    };
    expect(messageAt(value, ['resources', 0, 'authorizationServers', 0])).toBe(
      'no issuer "logot" in "issuers". Did you mean "logto"?',
    );
  });

  it('explains an invalid issuer id rather than only saying the key is invalid', () => {
    const value = {
      issuers: { 'my issuer': { issuer: 'https://a.example.com' } },
      resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['my issuer'] }],
    };
    expect(messageAt(value, ['issuers', 'my issuer'])).toBe(
      'invalid key "my issuer": an issuer id: letters, digits, `_`, `.` and `-`',
    );
  });
});

describe('parseManifest: TS-only function hooks', () => {
  it('accepts a transpile function, sync or async, and keeps it as given', async () => {
    const sync = (data: RawMetadata): RawMetadata => ({ ...data, response_types_supported: ['code'] });
    const asyncHook = async (data: RawMetadata): Promise<RawMetadata> => ({ ...data, issuer: 'x' });
    const manifest = parseManifest(
      defineConfig({
        issuers: {
          a: { issuer: 'https://a.example.com', transpile: sync },
          b: { issuer: 'https://b.example.com', transpile: asyncHook },
        },
        resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['a', 'b'] }],
      }),
    );
    expect(manifest.issuers['a']!.transpile).toBe(sync);
    expect(manifest.issuers['b']!.transpile).toBe(asyncHook);
    await expect(asyncHook({})).resolves.toEqual({ issuer: 'x' });
  });

  it('accepts a token.verify function', () => {
    const verify = () => undefined;
    const manifest = parseManifest({
      ...minimal(),
      resources: [
        { resource: 'https://api.example.com/mcp', authorizationServers: ['main'], token: { verify } },
      ],
    });
    expect((manifest.resources[0]!.token as { verify?: unknown }).verify).toBe(verify);
  });

  it('still refuses a function where the manifest expects data', () => {
    const value = { ...minimal(), settings: { startup: () => 'lazy' } };
    expect(errorsOf(validateManifest(value).issues).map((i) => i.path)).toEqual([['settings', 'startup']]);
  });

  it('defineConfig returns its argument unchanged', () => {
    const config = minimal();
    expect(defineConfig(config)).toBe(config);
  });
});
