/**
 * The seed API (`fetchServerConfig`, `fetchServerConfigByWellKnownUrl`) against the real
 * oidc-provider and a custom server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startDevIssuer, type DevIssuer } from '../../examples/support/dev-issuer.js';
import {
  fetchServerConfig,
  fetchServerConfigByWellKnownUrl,
  type ServerConfigOptions,
} from '../../src/discovery/server-config.js';
import { DiscoveryError, OptionError } from '../../src/errors.js';
import { closeAllServers, routes, startServer } from '../support/servers.js';
import { asMetadata } from '../support/issuer.js';

let dev: DevIssuer;

beforeAll(async () => {
  dev = await startDevIssuer({ resources: { 'http://127.0.0.1:1/mcp': { scopes: ['read'] } } });
});
afterAll(async () => {
  await dev.close();
});
afterEach(closeAllServers);

describe('fetchServerConfig against the real oidc-provider', () => {
  it('type oauth reads the RFC 8414 document and returns camelCase metadata', async () => {
    const config = await fetchServerConfig(dev.issuer, { type: 'oauth' });
    expect(config.type).toBe('oauth');
    expect(config.metadata.issuer).toBe(dev.issuer);
    expect(config.metadata.tokenEndpoint).toBe(`${dev.issuer}/token`);
    expect(config.metadata.jwksUri).toBe(dev.jwksUri);
    expect(config.metadata.registrationEndpoint).toBe(`${dev.issuer}/reg`);
    expect(config.metadata.codeChallengeMethodsSupported).toEqual(['S256']);
    expect(config.metadata).not.toHaveProperty('token_endpoint');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.metadata)).toBe(true);
  });

  it('type oidc reads the OpenID configuration, with its OpenID-only fields', async () => {
    const config = await fetchServerConfig(dev.issuer, { type: 'oidc' });
    expect(config.type).toBe('oidc');
    expect(config.metadata.userinfoEndpoint).toBe(`${dev.issuer}/me`);
    expect(config.metadata.idTokenSigningAlgValuesSupported).toContain('RS256');
  });

  it('an async transpileData sees snake_case and its result is returned in camelCase', async () => {
    const seen: string[] = [];
    const config = await fetchServerConfig(dev.issuer, {
      type: 'oidc',
      transpileData: async (data) => {
        seen.push(...Object.keys(data));
        await Promise.resolve();
        return { ...data, response_types_supported: ['code'], custom_field: 'x' };
      },
    });
    expect(seen).toContain('authorization_endpoint');
    expect(config.metadata.responseTypesSupported).toEqual(['code']);
    expect(config.metadata.customField).toBe('x');
  });

  it('fetchServerConfigByWellKnownUrl reads exactly the given URL', async () => {
    const config = await fetchServerConfigByWellKnownUrl(`${dev.issuer}/.well-known/openid-configuration`, {
      type: 'oidc',
    });
    expect(config.metadata.issuer).toBe(dev.issuer);
    expect(config.metadata.authorizationEndpoint).toBe(`${dev.issuer}/auth`);
  });

  it('an issuer differing by a trailing slash is issuer_mismatch', async () => {
    await expect(fetchServerConfig(`${dev.issuer}/`, { type: 'oauth' })).rejects.toMatchObject({
      code: 'issuer_mismatch',
    });
  });
});

describe('fetchServerConfig against a custom server', () => {
  it('type oidc appends to a path issuer; type oauth inserts', async () => {
    let table: Record<string, unknown> = {};
    const server = await startServer((req, res, s) => routes(table)(req, res, s));
    const issuer = `${server.origin}/oidc`;
    table = {
      '/oidc/.well-known/openid-configuration': asMetadata(issuer, { flavour: 'oidc' }),
      '/.well-known/oauth-authorization-server/oidc': asMetadata(issuer, { flavour: 'oauth' }),
    };
    expect((await fetchServerConfig(issuer, { type: 'oidc' })).metadata.flavour).toBe('oidc');
    expect((await fetchServerConfig(issuer, { type: 'oauth' })).metadata.flavour).toBe('oauth');
    expect(server.requests.map((r) => r.path)).toEqual([
      '/oidc/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server/oidc',
    ]);
  });

  it('a throwing transpileData is transpile_failed naming the issuer', async () => {
    let table: Record<string, unknown> = {};
    const server = await startServer((req, res, s) => routes(table)(req, res, s));
    table = { '/.well-known/openid-configuration': asMetadata(server.origin) };
    const err: unknown = await fetchServerConfig(server.origin, {
      type: 'oidc',
      transpileData: () => {
        throw new Error('x');
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscoveryError);
    expect((err as DiscoveryError).code).toBe('transpile_failed');
    expect((err as DiscoveryError).message).toContain(server.origin);
  });

  it('honours fetch limits given in the options', async () => {
    const server = await startServer(() => undefined);
    await expect(fetchServerConfig(server.origin, { type: 'oauth', timeoutMs: 200 })).rejects.toMatchObject({
      code: 'timeout',
    });
  });
});

describe('option checking', () => {
  it.each([
    ['auto', { type: 'auto' }],
    ['missing', {}],
    ['upper case', { type: 'OIDC' }],
  ])('an invalid type (%s) is OptionError invalid_option and nothing is fetched', async (_name, options) => {
    const server = await startServer(routes({}));
    for (const call of [fetchServerConfig, fetchServerConfigByWellKnownUrl]) {
      const err: unknown = await call(server.origin, options as unknown as ServerConfigOptions).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OptionError);
      expect((err as OptionError).code).toBe('invalid_option');
    }
    expect(server.count()).toBe(0);
  });

  it('no options at all is OptionError invalid_option', async () => {
    const err: unknown = await (fetchServerConfig as (issuer: string) => Promise<unknown>)(
      'https://as.example',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OptionError);
    expect((err as OptionError).code).toBe('invalid_option');
  });
});
