/**
 * Property tests of the manifest parser and the JSON Merge Patch: arbitrary JSON gives a parsed
 * manifest or a ManifestError, never another exception; merge patches never touch a prototype.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.js';
import { applyMergePatch } from '../../src/lib/merge-patch.js';
import { parseManifest } from '../../src/manifest/parse.js';

const key = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'issuers',
    'resources',
    'settings',
    'resource',
    'authorizationServers',
    'token',
    'metadata',
    'issuer',
    'jwks',
    'keys',
    'tools',
    'scopeHierarchy',
    'requiredScopes',
    'toString',
    'hasOwnProperty',
  ),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.string({ maxLength: 20 }),
    fc.constantFrom('https://a.example', 'http://127.0.0.1:1/x', '${UNSET}', 'RS256', 'none'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A manifest-shaped value with random mutations deep inside. */
const manifestish = fc.record({
  issuers: fc.oneof(
    json,
    fc.dictionary(
      key,
      fc.record({ issuer: json, metadata: json, jwks: json, type: json }, { requiredKeys: [] }),
      { maxKeys: 3 },
    ),
  ),
  resources: fc.oneof(
    json,
    fc.array(
      fc.record(
        { resource: json, authorizationServers: json, token: json, tools: json, scopeHierarchy: json },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
  ),
  settings: json,
});

/** JSON text → value, the way a manifest file arrives (so `__proto__` is an own key). */
const viaText = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('parseManifest (fuzz)', () => {
  it('throws only ManifestError for arbitrary JSON, and never pollutes Object.prototype', () => {
    fc.assert(
      fc.property(fc.oneof(json, manifestish), (value) => {
        try {
          parseManifest(viaText(value));
        } catch (err) {
          expect(err).toBeInstanceOf(ManifestError);
          expect((err as ManifestError).issues.length).toBeGreaterThan(0);
        }
        expect(Object.keys(Object.prototype)).toEqual([]);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });
});

describe('applyMergePatch (fuzz)', () => {
  it('never pollutes a prototype and yields plain own-data objects', () => {
    const pollution = fc.constantFrom(
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"a":{"__proto__":{"polluted":1}}}',
      '{"__proto__":null}',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          json,
          pollution.map((t) => JSON.parse(t) as unknown),
        ),
        json,
        (patchValue, target) => {
          const patch = viaText(patchValue);
          const result = applyMergePatch(viaText(target), patch);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(Object.keys(Object.prototype)).toEqual([]);
          if (result && typeof result === 'object' && !Array.isArray(result)) {
            expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
            if (
              patch &&
              typeof patch === 'object' &&
              !Array.isArray(patch) &&
              Object.hasOwn(patch, '__proto__')
            ) {
              const value = (patch as Record<string, unknown>).__proto__;
              if (value === null) expect(Object.hasOwn(result, '__proto__')).toBe(false);
              else expect(Object.hasOwn(result, '__proto__')).toBe(true);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('follows RFC 7396: null deletes, objects merge, anything else replaces', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 5 }), json, { maxKeys: 5 }),
        fc.string({ maxLength: 5 }),
        json,
        (target, k, v) => {
          const t = viaText(target) as Record<string, unknown>;
          const out = applyMergePatch(t, { [k]: null }) as Record<string, unknown>;
          expect(Object.hasOwn(out, k)).toBe(false);
          const patch = viaText({ [k]: v }) as Record<string, unknown>;
          const value = patch[k];
          if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
            const replaced = applyMergePatch(t, patch) as Record<string, unknown>;
            expect(replaced[k]).toEqual(value);
          }
          // The target is never mutated.
          expect(t).toEqual(viaText(target));
        },
      ),
      { numRuns: 300 },
    );
  });
});
