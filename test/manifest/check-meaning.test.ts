/**
 * Meaning rules of `checkManifest` that need more than one fixture to pin down: a resource must
 * already be in normalised URL form, and a resource that introspects has exactly one issuer to ask.
 */
import { describe, expect, it } from 'vitest';
import type { ManifestIssue } from '../../src/errors.js';
import { validateManifest } from '../../src/manifest/parse.js';
import type { ManifestInput } from '../../src/manifest/schema.js';

const errorsOf = (issues: readonly ManifestIssue[]) => issues.filter((i) => i.severity === 'error');

const withResource = (resource: string): ManifestInput => ({
  issuers: { main: { issuer: 'https://auth.example.com' } },
  resources: [{ resource, authorizationServers: ['main'] }],
});

describe('a resource identifier must already be in normalised URL form', () => {
  it.each([
    ['a double quote', 'https://api.example.com/mcp"x'],
    ['a challenge-breaking quote', 'https://api.example.com/mcp", error="invalid_token'],
    ['a backslash', 'https://api.example.com\\mcp'],
    ['a space', 'https://api.example.com/my mcp'],
    ['a tab', 'https://api.example.com/m\tcp'],
    ['CR/LF', 'https://api.example.com/mcp\r\nSet-Cookie: x=1'],
    ['leading and trailing whitespace', ' https://api.example.com/mcp '],
    ['a non-ASCII path', 'https://api.example.com/münchen'],
    ['braces URL parsing would encode', 'https://api.example.com/{tenant}/mcp'],
    ['angle brackets', 'https://api.example.com/<mcp>'],
    ['dot segments', 'https://api.example.com/x/../mcp'],
    ['an encoded dot segment', 'https://api.example.com/x/%2e%2e/mcp'],
    ['an upper-case host', 'https://API.example.com/mcp'],
    ['the default port', 'https://api.example.com:443/mcp'],
    ['an IDN host', 'https://bücher.example/mcp'],
    ['an upper-case scheme', 'HTTPS://api.example.com/mcp'],
  ])('refuses %s, naming the field and the normalised form', (_name, resource) => {
    const { manifest, issues } = validateManifest(withResource(resource));
    expect(manifest).toBeUndefined();
    const errors = errorsOf(issues);
    expect(errors.map((i) => i.code)).toEqual(['resource_not_normalised']);
    expect(errors[0]!.path).toEqual(['resources', 0, 'resource']);
    const normalised = new URL(resource).href;
    expect(errors[0]!.message).toContain(JSON.stringify(normalised));
    // The message carries the value only in its encoded, normalised form.
    expect(errors[0]!.message).not.toMatch(/[\r\n\t]/);
  });

  it.each([
    'https://api.example.com/mcp',
    'https://api.example.com/mcp/',
    'https://api.example.com',
    'https://api.example.com/',
    'https://api.example.com:8443/a%20b/mcp',
    'http://127.0.0.1:3000/mcp',
    'https://xn--bcher-kva.example/mcp',
  ])('accepts %s, which is already normalised', (resource) => {
    const { manifest, issues } = validateManifest(withResource(resource));
    expect(errorsOf(issues)).toEqual([]);
    expect(manifest?.resources[0]!.resource).toBe(resource);
  });
});

describe('introspection with several issuers: opaque tokens do not name their issuer', () => {
  const credentials = (name: string) => ({ clientId: 'rs', clientSecretEnv: name });
  const manifest = (
    format: 'jwt' | 'introspection' | 'auto',
    withCredentials: readonly ('a' | 'b' | 'c')[],
  ): ManifestInput => ({
    issuers: Object.fromEntries(
      (['a', 'b', 'c'] as const).map((id) => [
        id,
        {
          issuer: `https://${id}.example.com`,
          ...(withCredentials.includes(id)
            ? { introspection: credentials(`${id.toUpperCase()}_SECRET`) }
            : {}),
        },
      ]),
    ),
    resources: [
      { resource: 'https://api.example.com/mcp', authorizationServers: ['a', 'b', 'c'], token: { format } },
    ],
  });
  const codes = (value: ManifestInput) =>
    errorsOf(validateManifest(value).issues).map((i) => [i.code, i.path.join('.')]);

  it('refuses a second issuer with introspection credentials on a resource that introspects', () => {
    expect(codes(manifest('auto', ['a', 'c']))).toEqual([
      ['introspection_ambiguous', 'resources.0.authorizationServers.2'],
    ]);
    expect(codes(manifest('auto', ['a', 'b', 'c']))).toEqual([
      ['introspection_ambiguous', 'resources.0.authorizationServers.1'],
      ['introspection_ambiguous', 'resources.0.authorizationServers.2'],
    ]);
  });

  it('accepts "auto" with exactly one introspecting issuer (the others verify JWTs locally)', () => {
    expect(codes(manifest('auto', ['b']))).toEqual([]);
  });

  it('refuses "auto" with no introspecting issuer', () => {
    expect(codes(manifest('auto', []))).toEqual([['introspection_credentials', 'resources.0.token.format']]);
  });

  it('"introspection" sends every token to one issuer: one with credentials, the others without are refused', () => {
    expect(codes(manifest('introspection', ['a']))).toEqual([
      ['introspection_credentials', 'resources.0.token.format'],
      ['introspection_credentials', 'resources.0.token.format'],
    ]);
    expect(codes(manifest('introspection', ['a', 'b', 'c']))).toEqual([
      ['introspection_ambiguous', 'resources.0.authorizationServers.1'],
      ['introspection_ambiguous', 'resources.0.authorizationServers.2'],
    ]);
  });

  it('does not apply to a "jwt" resource, which never introspects', () => {
    expect(codes(manifest('jwt', ['a', 'b', 'c']))).toEqual([]);
  });
});
