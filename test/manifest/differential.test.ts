/**
 * Differential test: a real JSON Schema validator (ajv, draft-07) running the published schema and
 * `parseManifest` must agree on every manifest's shape. Both accept the valid ones; both reject
 * every shape error, at the same JSON path. Meaning errors (URLs, ids, keys...) are beyond what a
 * JSON Schema says: ajv accepts them, and `parseManifest` rejects each with its own code and path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.js';
import { parseManifest, validateManifest } from '../../src/manifest/parse.js';

type Path = (string | number)[];

const ROOT = new URL('../../', import.meta.url);
const FIXTURES = new URL('test/fixtures/manifests/', ROOT);

const readJson = (url: URL): unknown => JSON.parse(readFileSync(url, 'utf8'));
/** The fixture names (without `.json`) in a directory, sorted. */
const fixtureNames = (dir: string) =>
  readdirSync(new URL(dir, FIXTURES))
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .sort();

const ajv = new Ajv({ strict: false, allErrors: true });
const ajvValidate = ajv.compile(readJson(new URL('schema/mcp-auth.schema.json', ROOT)) as object);

/** The JSON paths ajv's errors point at (for a missing or extra key: the key itself). */
function ajvPaths(errors: readonly ErrorObject[]): string[] {
  return errors.map((error) => {
    const at = error.instancePath === '' ? [] : error.instancePath.slice(1).split('/');
    const params = error.params as Record<string, unknown>;
    const key = params['additionalProperty'] ?? params['missingProperty'] ?? params['propertyName'];
    return JSON.stringify(typeof key === 'string' ? [...at, key] : at);
  });
}

/** ajv's verdict: `true` or the paths of its errors. */
function ajvCheck(value: unknown): true | string[] {
  return ajvValidate(value) ? true : ajvPaths(ajvValidate.errors ?? []);
}

/** A path as ajv writes it (every part a string), for comparison. */
const asAjvPath = (path: Path) => JSON.stringify(path.map(String));

describe('valid manifests: ajv and parseManifest both accept them', () => {
  const valid: [string, URL][] = [
    ['mcp-auth.config.example.json', new URL('mcp-auth.config.example.json', ROOT)],
    ...fixtureNames('valid/').map((name): [string, URL] => [name, new URL(`valid/${name}.json`, FIXTURES)]),
  ];

  it('has the example and several valid variants', () => {
    expect(valid.length).toBeGreaterThanOrEqual(5);
  });

  it.each(valid)('%s', (_name, url) => {
    const value = readJson(url);
    expect(ajvCheck(value)).toBe(true);
    const { manifest, issues } = validateManifest(value);
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(manifest).toBeDefined();
    expect(() => parseManifest(value)).not.toThrow();
  });
});

/** Every shape fixture and the JSON path of the error it holds. */
const SHAPE_ERRORS: Record<string, Path> = {
  // unknown keys, at every level
  'unknown-key-root': ['setings'],
  'unknown-key-issuer': ['issuers', 'main', 'isuer'],
  'unknown-key-issuer-wellknown-case': ['issuers', 'main', 'wellKnownURL'],
  'unknown-key-jwks': ['issuers', 'main', 'jwks', 'url'],
  'unknown-key-introspection-inline-secret': ['issuers', 'main', 'introspection', 'clientSecret'],
  'unknown-key-resource': ['resources', 0, 'authorizationServer'],
  'unknown-key-resource-scopes': ['resources', 0, 'scopeSupported'],
  'unknown-key-token-scopes': ['resources', 0, 'token', 'requiredScope'],
  'unknown-key-token-clock': ['resources', 0, 'token', 'clockSkew'],
  'unknown-key-tool': ['resources', 0, 'tools', 'delete_note', 'scopes'],
  'unknown-key-browser': ['resources', 0, 'browser', 'publik'],
  'unknown-key-settings': ['settings', 'startUp'],
  'unknown-key-settings-fetch': ['settings', 'fetch', 'timeout'],
  'unknown-key-settings-jwks': ['settings', 'jwks', 'cooldown'],
  'unknown-key-settings-cache': ['settings', 'cache', 'maxSize'],
  // wrong types
  'wrong-type-root-array': [],
  'wrong-type-issuers-array': ['issuers'],
  'wrong-type-resources-object': ['resources'],
  'wrong-type-issuer-number': ['issuers', 'main', 'issuer'],
  'wrong-type-issuer-null': ['issuers', 'main', 'issuer'],
  'wrong-type-authorization-servers-string': ['resources', 0, 'authorizationServers'],
  'wrong-type-transpile-string': ['issuers', 'main', 'transpile'],
  'wrong-type-max-bytes-string': ['settings', 'fetch', 'maxBytes'],
  'wrong-type-browser-public-string': ['resources', 0, 'browser', 'public'],
  'wrong-type-protect-string': ['resources', 0, 'protect'],
  'wrong-type-scope-hierarchy-value': ['resources', 0, 'scopeHierarchy', 'admin'],
  'wrong-type-extra-metadata-array': ['resources', 0, 'extraMetadata'],
  'wrong-type-jwks-key-string': ['issuers', 'main', 'jwks', 'keys', 0],
  'wrong-type-schema-number': ['$schema'],
  // missing required fields
  'missing-issuers': ['issuers'],
  'missing-resources': ['resources'],
  'missing-resource-url': ['resources', 0, 'resource'],
  'missing-authorization-servers': ['resources', 0, 'authorizationServers'],
  'missing-metadata-issuer': ['issuers', 'main', 'metadata', 'issuer'],
  'missing-introspection-client-id': ['issuers', 'main', 'introspection', 'clientId'],
  'missing-tool-required-scopes': ['resources', 0, 'tools', 'delete_note', 'requiredScopes'],
  // empty where at least one is needed
  'empty-resources': ['resources'],
  'empty-authorization-servers': ['resources', 0, 'authorizationServers'],
  'empty-algorithms': ['resources', 0, 'token', 'algorithms'],
  'empty-audience-array': ['resources', 0, 'token', 'audience'],
  'empty-audience-string': ['resources', 0, 'token', 'audience'],
  'empty-resource-string': ['resources', 0, 'resource'],
  'empty-scope-claims': ['resources', 0, 'token', 'scopeClaims'],
  'empty-tool-name': ['resources', 0, 'tools', ''],
  // values outside an enum
  'bad-enum-issuer-type': ['issuers', 'main', 'type'],
  'bad-enum-token-format': ['resources', 0, 'token', 'format'],
  'bad-enum-token-typ': ['resources', 0, 'token', 'typ'],
  'bad-enum-startup': ['settings', 'startup'],
  'bad-enum-auth-method': ['issuers', 'main', 'introspection', 'authMethod'],
  'bad-enum-bearer-method-query': ['resources', 0, 'bearerMethodsSupported', 1],
  // refused algorithms
  'algorithm-hs256': ['resources', 0, 'token', 'algorithms', 1],
  'algorithm-none': ['resources', 0, 'token', 'algorithms', 0],
  'algorithm-lowercase': ['resources', 0, 'token', 'algorithms', 0],
  // numbers: negative, out of range, not an integer
  'number-clock-tolerance-negative': ['resources', 0, 'token', 'clockTolerance'],
  'number-clock-tolerance-too-large': ['resources', 0, 'token', 'clockTolerance'],
  'number-clock-tolerance-fraction': ['resources', 0, 'token', 'clockTolerance'],
  'number-max-length-too-small': ['resources', 0, 'token', 'maxLength'],
  'number-timeout-too-small': ['settings', 'fetch', 'timeoutMs'],
  'number-refresh-too-large': ['settings', 'metadataRefreshSeconds'],
  'number-cache-entries-negative': ['settings', 'cache', 'maxEntries'],
  'number-stale-seconds-fraction': ['settings', 'jwks', 'staleSeconds'],
  // patterns
  'issuer-id-leading-dash': ['issuers', '-main'],
  'issuer-id-space': ['issuers', 'my issuer'],
  'scope-with-space': ['resources', 0, 'token', 'requiredScopes', 0],
  'scope-with-quote': ['resources', 0, 'scopesSupported', 0],
  'scope-with-backslash-in-tool': ['resources', 0, 'tools', 't', 'requiredScopes', 0],
  'scope-empty': ['resources', 0, 'token', 'requiredScopes', 0],
  'client-secret-env-bad-name': ['issuers', 'main', 'introspection', 'clientSecretEnv'],
};

describe('shape errors: ajv and parseManifest both reject them, at the same path', () => {
  const names = fixtureNames('invalid/shape/');
  const read = (name: string) => readJson(new URL(`invalid/shape/${name}.json`, FIXTURES));

  it('has at least 40 distinct shape errors, each listed with its path', () => {
    expect(names.length).toBeGreaterThanOrEqual(40);
    expect(names).toEqual(Object.keys(SHAPE_ERRORS).sort());
    expect(new Set(names.map((name) => JSON.stringify(read(name)))).size).toBe(names.length);
  });

  it.each(names)('%s', (name) => {
    const value = read(name);
    const path = SHAPE_ERRORS[name]!;

    const ajvResult = ajvCheck(value);
    expect(ajvResult, 'ajv accepted a shape error').not.toBe(true);
    expect(ajvResult).toContain(asAjvPath(path));

    let error: unknown;
    try {
      parseManifest(value);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ManifestError);
    const { code, issues, message } = error as ManifestError;
    expect(code).toBe('manifest_invalid');
    expect(issues.filter((i) => i.severity === 'error').map((i) => i.path)).toContainEqual(path);
    expect(message).toContain(`(${issues.filter((i) => i.severity === 'error').length} error`);
  });
});

/** Every meaning fixture, the issue codes it must produce, and the path of the first. */
const MEANING_ERRORS: Record<string, { codes: string[]; path: Path }> = {
  'http-issuer-public-host': { codes: ['insecure_url'], path: ['issuers', 'main', 'issuer'] },
  'http-issuer-loopback-lookalike': { codes: ['insecure_url'], path: ['issuers', 'main', 'issuer'] },
  'http-resource-public-host': { codes: ['insecure_url'], path: ['resources', 0, 'resource'] },
  // Plain http is allowed to loopback addresses and `localhost` only: a name below it may be
  // resolved through DNS (src/lib/url.ts).
  'http-issuer-below-localhost': { codes: ['insecure_url'], path: ['issuers', 'main', 'issuer'] },
  'http-resource-below-localhost': { codes: ['insecure_url'], path: ['resources', 0, 'resource'] },
  'http-well-known-url': { codes: ['insecure_url'], path: ['issuers', 'main', 'wellKnownUrl'] },
  'http-metadata-endpoint': {
    codes: ['insecure_url'],
    path: ['issuers', 'main', 'metadata', 'tokenEndpoint'],
  },
  'http-jwks-uri': { codes: ['insecure_url'], path: ['issuers', 'main', 'jwks', 'uri'] },
  'ftp-scheme-resource': { codes: ['insecure_url'], path: ['resources', 0, 'resource'] },
  'relative-resource': { codes: ['invalid_url'], path: ['resources', 0, 'resource'] },
  'issuer-fragment': { codes: ['url_fragment'], path: ['issuers', 'main', 'issuer'] },
  'resource-fragment': { codes: ['url_fragment'], path: ['resources', 0, 'resource'] },
  'issuer-query': { codes: ['issuer_query'], path: ['issuers', 'main', 'issuer'] },
  'metadata-issuer-query': { codes: ['issuer_query'], path: ['issuers', 'main', 'metadata', 'issuer'] },
  'issuer-userinfo': { codes: ['url_userinfo'], path: ['issuers', 'main', 'issuer'] },
  'unknown-issuer-id': { codes: ['unknown_issuer'], path: ['resources', 0, 'authorizationServers', 0] },
  'duplicate-issuer-id-in-list': {
    codes: ['duplicate_issuer'],
    path: ['resources', 0, 'authorizationServers', 1],
  },
  'tenant-template-accepts-other-issuer': {
    codes: ['issuer_overlap'],
    path: ['resources', 0, 'authorizationServers', 1],
  },
  'two-tenant-templates-overlap': {
    codes: ['issuer_overlap'],
    path: ['resources', 0, 'authorizationServers', 1],
  },
  'two-issuers-accept-one-iss': {
    codes: ['issuer_overlap'],
    path: ['resources', 0, 'authorizationServers', 1],
  },
  'no-issuers': { codes: ['no_issuers', 'unknown_issuer'], path: ['issuers'] },
  'duplicate-metadata-path': { codes: ['duplicate_metadata_path'], path: ['resources', 1, 'resource'] },
  'duplicate-metadata-path-trailing-slash': {
    codes: ['duplicate_metadata_path'],
    path: ['resources', 1, 'resource'],
  },
  'duplicate-metadata-path-default-port': {
    codes: ['resource_not_normalised', 'duplicate_metadata_path'],
    path: ['resources', 1, 'resource'],
  },
  'issuer-metadata-and-issuer': { codes: ['issuer_source'], path: ['issuers', 'main'] },
  'issuer-metadata-and-well-known-url': { codes: ['issuer_source'], path: ['issuers', 'main'] },
  'issuer-no-source': { codes: ['issuer_source'], path: ['issuers', 'main'] },
  'jwks-private-key': { codes: ['jwk_private'], path: ['issuers', 'main', 'jwks', 'keys', 0] },
  'jwks-symmetric-key': { codes: ['jwk_symmetric'], path: ['issuers', 'main', 'jwks', 'keys', 0] },
  'jwks-key-without-kty': { codes: ['jwk_invalid'], path: ['issuers', 'main', 'jwks', 'keys', 0] },
  'jwks-uri-and-keys': { codes: ['jwks_source'], path: ['issuers', 'main', 'jwks'] },
  'jwks-empty': { codes: ['jwks_source'], path: ['issuers', 'main', 'jwks'] },
  'introspection-format-without-credentials': {
    codes: ['introspection_credentials'],
    path: ['resources', 0, 'token', 'format'],
  },
  'auto-format-without-credentials': {
    codes: ['introspection_credentials'],
    path: ['resources', 0, 'token', 'format'],
  },
  'resource-not-normalised-backslash': {
    codes: ['resource_not_normalised'],
    path: ['resources', 0, 'resource'],
  },
  'resource-not-normalised-quote': {
    codes: ['resource_not_normalised'],
    path: ['resources', 0, 'resource'],
  },
  'introspection-two-issuers-with-credentials': {
    codes: ['introspection_ambiguous'],
    path: ['resources', 0, 'authorizationServers', 1],
  },
  'reserved-extra-metadata': {
    codes: ['reserved_metadata'],
    path: ['resources', 0, 'extraMetadata', 'authorization_servers'],
  },
};

describe('meaning errors: well-shaped (ajv accepts), but parseManifest rejects them with a code and path', () => {
  const names = fixtureNames('invalid/meaning/');

  it('lists every meaning fixture with its expected code', () => {
    expect(names).toEqual(Object.keys(MEANING_ERRORS).sort());
  });

  it.each(names)('%s', (name) => {
    const value = readJson(new URL(`invalid/meaning/${name}.json`, FIXTURES));
    const expected = MEANING_ERRORS[name]!;
    // The fixture is a pure meaning error: the shape is fine.
    expect(ajvCheck(value)).toBe(true);

    let error: unknown;
    try {
      parseManifest(value);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ManifestError);
    const errors = (error as ManifestError).issues.filter((i) => i.severity === 'error');
    expect(errors.map((i) => i.code)).toEqual(expected.codes);
    expect(errors[0]!.path).toEqual(expected.path);
  });
});
