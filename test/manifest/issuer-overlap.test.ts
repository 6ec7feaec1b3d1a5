/**
 * `issuer_overlap`: two issuers of one resource must not accept the same `iss`. A `{tenant}`
 * template stands for every value its tenant segment (1-64 of `[A-Za-z0-9-]`) can spell (the
 * runtime attributes a token by `iss` before it checks the tenant); identifiers are compared as
 * written, as tokens are.
 */
import { describe, expect, it } from 'vitest';
import { validateManifest } from '../../src/manifest/parse.js';
import type { ManifestInput } from '../../src/manifest/schema.js';

type Entry = ManifestInput['issuers'][string];
const overlaps = (a: Entry, b: Entry) =>
  validateManifest({
    issuers: { a, b },
    resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['a', 'b'] }],
  }).issues.some((i) => i.code === 'issuer_overlap');
const anyTenant = (template: string, issuer: string): Entry => ({
  issuer,
  tokenIssuers: [template],
  tenants: { any: true },
});

describe('issuer_overlap', () => {
  it.each([
    ['https://{tenant}.auth0.com/', 'https://{tenant}.eu.auth0.com/'],
    ['https://l.example.com/{tenant}/v2', 'https://l.example.com/org/{tenant}/v2'],
    ['https://l.example.com/realms/{tenant}', 'https://l.example.com/realms/{tenant}/v2'],
  ])('no token can match both %s and %s: no error', (a, b) => {
    expect(overlaps(anyTenant(a, a.replace('{tenant}', 'x')), anyTenant(b, b.replace('{tenant}', 'y')))).toBe(
      false,
    );
  });

  it('two templates one tenant can satisfy both (…/{tenant}/v2 and …/t-{tenant}/v2): error', () => {
    const a = anyTenant('https://l.example.com/{tenant}/v2', 'https://l.example.com/x/v2');
    const b = anyTenant('https://l.example.com/t-{tenant}/v2', 'https://l.example.com/t-y/v2');
    expect(overlaps(a, b)).toBe(true);
  });

  it('a template overlaps an identifier it matches even for a tenant it does not allow (the runtime attributes by iss first)', () => {
    const multi = (allowed: string[]): Entry => ({
      issuer: 'https://l.example.com/common',
      tokenIssuers: ['https://l.example.com/{tenant}'],
      tenants: { allowed },
    });
    const single: Entry = { issuer: 'https://l.example.com/acme' };
    expect(overlaps(multi(['globex']), single)).toBe(true);
    expect(overlaps(multi(['globex', 'acme']), single)).toBe(true);
  });

  it('identifiers are compared as written (a trailing slash makes another issuer)', () => {
    expect(overlaps({ issuer: 'https://l.example.com/a' }, { issuer: 'https://l.example.com/a/' })).toBe(
      false,
    );
    expect(overlaps({ issuer: 'https://l.example.com/a' }, { issuer: 'https://l.example.com/a' })).toBe(true);
  });
});
