/**
 * Transpile hooks: a JSON Merge Patch (RFC 7396) or a sync/async function, applied to the raw
 * snake_case document before validation; failures are `transpile_failed` naming the issuer.
 */
import type { ServerResponse } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { resolveIssuer } from '../../src/discovery/resolve.js';
import { applyTranspile } from '../../src/discovery/transpile.js';
import { DiscoveryError } from '../../src/errors.js';
import { applyMergePatch } from '../../src/lib/merge-patch.js';
import type { RawMetadata } from '../../src/manifest/schema.js';
import { closeAllServers, startRoutes } from '../support/servers.js';
import { asMetadata } from '../support/issuer.js';
import { rejection } from '../support/rejection.js';

afterEach(closeAllServers);

const OAUTH = '/.well-known/oauth-authorization-server';

function serve(extra: Record<string, unknown> = {}) {
  return startRoutes((origin) => ({ [OAUTH]: asMetadata(origin, extra) }));
}

const failure = (promise: Promise<unknown>) => rejection(promise, DiscoveryError);

describe('JSON Merge Patch transpile', () => {
  it('merges objects, replaces arrays and deletes fields patched with null', async () => {
    const server = await serve({ vendor: { a: 1, b: 2 }, registration_endpoint: undefined });
    const resolved = await resolveIssuer('p', {
      issuer: server.origin,
      type: 'oauth',
      transpile: {
        code_challenge_methods_supported: ['S256', 'plain'],
        vendor: { b: null, c: 3 },
        grant_types_supported: null,
        client_id_metadata_document_supported: true,
      },
    });
    expect(resolved.metadata.code_challenge_methods_supported).toEqual(['S256', 'plain']);
    expect(resolved.metadata.vendor).toEqual({ a: 1, c: 3 });
    expect(resolved.metadata).not.toHaveProperty('grant_types_supported');
    expect(resolved.findings.map((f) => f.code)).toEqual([]);
  });

  it('runs before validation, so it can repair a field that would be refused', async () => {
    const server = await serve({ jwks_uri: 'http://keys.example/jwks' });
    await expect(resolveIssuer('p', { issuer: server.origin, type: 'oauth' })).rejects.toMatchObject({
      code: 'invalid_metadata',
    });
    const resolved = await resolveIssuer('p', {
      issuer: server.origin,
      type: 'oauth',
      transpile: { jwks_uri: 'https://keys.example/jwks' },
    });
    expect(resolved.metadata.jwks_uri).toBe('https://keys.example/jwks');
  });

  it('follows RFC 7396 on the spec examples', () => {
    expect(applyMergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(applyMergePatch({ a: 'b' }, { a: null })).toEqual({});
    expect(applyMergePatch({ a: 'b', b: 'c' }, { a: null })).toEqual({ b: 'c' });
    expect(applyMergePatch({ a: ['b'] }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: 'c' }, { a: ['b'] })).toEqual({ a: ['b'] });
    expect(applyMergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } })).toEqual({ a: { b: 'd' } });
    expect(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(applyMergePatch(['a', 'b'], ['c', 'd'])).toEqual(['c', 'd']);
    expect(applyMergePatch({ a: 'b' }, ['c'])).toEqual(['c']);
    expect(applyMergePatch({ a: 'foo' }, null)).toBeNull();
    expect(applyMergePatch({ a: 'foo' }, 'bar')).toBe('bar');
    expect(applyMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(applyMergePatch([1, 2], { a: 'b', c: null })).toEqual({ a: 'b' });
    expect(applyMergePatch({}, { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
  });

  it('does not modify the document or the patch it is given', () => {
    const doc = { a: { b: 1 } };
    const patch = { a: { c: 2 } };
    applyMergePatch(doc, patch);
    expect(doc).toEqual({ a: { b: 1 } });
    expect(patch).toEqual({ a: { c: 2 } });
  });

  it('a "__proto__" or "constructor.prototype" key in a patch never pollutes Object.prototype', async () => {
    const patch = JSON.parse(
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted2":"yes"}},"nested":{"__proto__":{"polluted3":"yes"}}}',
    ) as RawMetadata;
    const result = applyMergePatch({ issuer: 'x' }, patch) as Record<string, unknown>;
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(probe.polluted2).toBeUndefined();
    expect(probe.polluted3).toBeUndefined();
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
    expect((result as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result.nested)).toBe(Object.prototype);

    // And through a real resolution, with a document that itself carries "__proto__".
    const server = await startRoutes((origin) => ({
      [OAUTH]: (_req: unknown, res: ServerResponse) => {
        const body = JSON.stringify(asMetadata(origin)).replace(/^\{/, '{"__proto__":{"polluted4":"yes"},');
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      },
    }));
    const resolved = await resolveIssuer('p', { issuer: server.origin, type: 'oauth', transpile: patch });
    expect(resolved.issuer).toBe(server.origin);
    expect(({} as Record<string, unknown>).polluted4).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('function transpile', () => {
  it('applies a sync function to the raw snake_case document', async () => {
    const server = await serve({ code_challenge_methods_supported: undefined });
    const seen: string[] = [];
    const resolved = await resolveIssuer('p', {
      issuer: server.origin,
      type: 'oauth',
      transpile: (data) => {
        seen.push(...Object.keys(data));
        return { ...data, code_challenge_methods_supported: ['S256'] };
      },
    });
    expect(seen).toContain('token_endpoint');
    expect(resolved.findings.map((f) => f.code)).toEqual([]);
  });

  it('awaits an async function', async () => {
    const server = await serve();
    const resolved = await resolveIssuer('p', {
      issuer: server.origin,
      type: 'oauth',
      transpile: async (data) => {
        await new Promise((resolve) => setImmediate(resolve));
        return { ...data, added_by_hook: 1 };
      },
    });
    expect(resolved.metadata.added_by_hook).toBe(1);
  });

  it('hands the hook a copy: a hook that mutates its argument and returns it works', async () => {
    const original = asMetadata('https://as.example');
    const result = await applyTranspile(
      original,
      (data) => {
        delete data.registration_endpoint;
        return data;
      },
      'p',
    );
    expect(result).not.toHaveProperty('registration_endpoint');
    expect(original).toHaveProperty('registration_endpoint');
  });

  it('a throwing hook is transpile_failed naming the issuer id, the hook error kept as cause only', async () => {
    const server = await serve();
    const boom = new Error('hook secret detail');
    const err = await failure(
      resolveIssuer('corp-sso', {
        issuer: server.origin,
        type: 'auto',
        transpile: () => {
          throw boom;
        },
      }),
    );
    expect(err.code).toBe('transpile_failed');
    expect(err.issuerId).toBe('corp-sso');
    expect(err.message).toContain('"corp-sso"');
    expect(err.message).not.toContain('hook secret detail');
    expect(err.cause).toBe(boom);
    // A broken hook stops discovery: it does not move on to the next candidate.
    expect(server.count()).toBe(1);
  });

  it('a rejecting async hook is transpile_failed too', async () => {
    const server = await serve();
    const err = await failure(
      resolveIssuer('p', {
        issuer: server.origin,
        type: 'oauth',
        transpile: () => Promise.reject(new Error('nope')),
      }),
    );
    expect(err.code).toBe('transpile_failed');
    expect(err.issuerId).toBe('p');
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an array', []],
    ['a string', 'issuer'],
    ['a number', 1],
  ])('a hook returning %s is transpile_failed naming the issuer', async (_name, value) => {
    const server = await serve();
    const err = await failure(
      resolveIssuer('p', {
        issuer: server.origin,
        type: 'oauth',
        transpile: () => value as unknown as RawMetadata,
      }),
    );
    expect(err.code).toBe('transpile_failed');
    expect(err.message).toContain('"p"');
  });

  it('also runs on manual metadata (snake_case view)', async () => {
    const resolved = await resolveIssuer('local', {
      type: 'oauth',
      metadata: { issuer: 'https://as.example', tokenEndpoint: 'https://as.example/token' },
      transpile: (data) => ({ ...data, jwks_uri: 'https://as.example/jwks' }),
    });
    expect(resolved.metadata.jwks_uri).toBe('https://as.example/jwks');
    expect(resolved.metadata.token_endpoint).toBe('https://as.example/token');
  });
});
