/**
 * The real providers' discovery documents vendored in test/fixtures/providers, each served from a
 * loopback server at its real well-known path with ONLY its issuer origin rewritten to the
 * loopback origin: discovery finds them, and the MCP readiness findings name their known quirks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { resolveIssuer } from '../../src/discovery/resolve.js';
import { fetchServerConfig, fetchServerConfigByWellKnownUrl } from '../../src/discovery/server-config.js';
import { DiscoveryError } from '../../src/errors.js';
import { compile } from '../../src/runtime/compile.js';
import { closeAllServers, routes, startServer, type TestServer } from '../support/servers.js';
import { loadCapture, PROVIDER_METADATA_DIR } from '../support/issuer.js';
import { rejection } from '../support/rejection.js';

afterEach(closeAllServers);

const OIDC = '/.well-known/openid-configuration';
const OAUTH = '/.well-known/oauth-authorization-server';

/** Serves one capture at `where(issuerPath)`; returns the server and the rewritten document. */
async function serveCapture(
  file: string,
  where: (issuerPath: string) => string = (p) => `${p}${OIDC}`,
): Promise<{ server: TestServer; doc: Record<string, unknown>; issuer: string }> {
  let table: Record<string, unknown> = {};
  const server = await startServer((req, res, s) => routes(table)(req, res, s));
  const doc = loadCapture(file, server.origin);
  const issuer = doc.issuer as string;
  const issuerPath = issuer.slice(server.origin.length).replace(/\/$/, '');
  table = { [where(issuerPath)]: doc };
  return { server, doc, issuer };
}

const codes = (findings: readonly { code: string }[]) => findings.map((f) => f.code).sort();

const failure = (promise: Promise<unknown>) => rejection(promise, DiscoveryError);

describe('the provider captures', () => {
  it('are read from inside the repository, and every file the README lists is there', () => {
    const repository = fileURLToPath(new URL('../../', import.meta.url));
    const where = relative(repository, resolve(PROVIDER_METADATA_DIR));
    expect(where).toBe('test/fixtures/providers');
    const listed = [
      ...readFileSync(resolve(PROVIDER_METADATA_DIR, 'README.md'), 'utf8').matchAll(/^\| `([^`]+\.json)`/gm),
    ]
      .map((m) => m[1]!)
      .sort();
    const present = readdirSync(PROVIDER_METADATA_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(listed.length).toBeGreaterThan(10);
    expect(present).toEqual(listed);
  });
});

describe('readiness findings of real provider documents (auto discovery)', () => {
  it.each([
    ['google-accounts.json', ['no_client_registration']],
    ['apple-appleid.json', ['no_client_registration', 'pkce_not_advertised']],
    ['slack.json', ['no_client_registration', 'pkce_not_advertised']],
    ['gitlab-com.json', ['no_client_registration']],
    ['aws-cognito-user-pool.json', ['no_client_registration', 'pkce_not_advertised']],
    ['entra-id-v2-tenant.json', ['no_client_registration', 'pkce_not_advertised']],
    ['okta-custom-as-default.json', []],
    ['keycloak-realm.json', []],
    ['auth0-tenant.json', []],
  ])('%s resolves with findings %j, unknown fields kept', async (file, expected) => {
    const { doc, issuer } = await serveCapture(file);
    const resolved = await resolveIssuer('p', { issuer, type: 'auto' });
    expect(resolved.issuer).toBe(issuer);
    expect(resolved.metadata).toEqual(doc);
    expect(codes(resolved.findings)).toEqual(expected);
  });

  it('GitHub (RFC 8414, path-inserted) resolves with no_jwks_uri and no_client_registration', async () => {
    const { issuer } = await serveCapture('github-login-oauth.json', (p) => `${OAUTH}${p}`);
    const resolved = await resolveIssuer('github', { issuer, type: 'oauth' });
    expect(codes(resolved.findings)).toEqual(['no_client_registration', 'no_jwks_uri']);
    expect(resolved.metadata.service_documentation).toBeTypeOf('string');
  });

  it('GitHub cannot back a JWT resource: fail-fast compile refuses it with invalid_metadata', async () => {
    const { issuer } = await serveCapture('github-login-oauth.json', (p) => `${OAUTH}${p}`);
    const err = await failure(
      compile({
        issuers: { github: { issuer, type: 'oauth' } },
        resources: [{ resource: 'http://127.0.0.1:1/mcp', authorizationServers: ['github'] }],
      }),
    );
    expect(err.code).toBe('invalid_metadata');
    expect(err.issuerId).toBe('github');
  });

  it("Google's jwks_uri on another host is kept as published", async () => {
    const { issuer } = await serveCapture('google-accounts.json');
    const resolved = await resolveIssuer('google', { issuer, type: 'oidc' });
    expect(resolved.metadata.jwks_uri).toBe('https://www.googleapis.com/oauth2/v3/certs');
  });

  it('Okta custom AS (RFC 8414 doc at the appended path) needs wellKnownUrl; auto discovery finds nothing', async () => {
    const { issuer, server } = await serveCapture(
      'okta-custom-as-oauth-authorization-server.json',
      (p) => `${p}${OAUTH}`,
    );
    expect((await failure(resolveIssuer('okta', { issuer, type: 'auto' }))).code).toBe('not_found');
    const resolved = await resolveIssuer('okta', {
      issuer,
      wellKnownUrl: `${issuer}${OAUTH}`,
      type: 'oauth',
    });
    expect(codes(resolved.findings)).toEqual(['no_client_registration']);
    expect(server.count()).toBe(4);
  });
});

describe('Auth0: a trailing-slash issuer', () => {
  it('resolves with the exact issuer string, slash included', async () => {
    const { issuer } = await serveCapture('auth0-tenant.json');
    expect(issuer.endsWith('/')).toBe(true);
    const config = await fetchServerConfig(issuer, { type: 'oidc' });
    expect(config.metadata.issuer).toBe(issuer);
    expect(config.metadata.mfaChallengeEndpoint).toBe(`${issuer}mfa/challenge`);
  });

  it('configured without the slash, it is issuer_mismatch', async () => {
    const { issuer } = await serveCapture('auth0-tenant.json');
    const err = await failure(resolveIssuer('auth0', { issuer: issuer.slice(0, -1), type: 'auto' }));
    expect(err.code).toBe('issuer_mismatch');
  });
});

describe("Entra ID's {tenantid} template issuer", () => {
  it.each(['entra-id-v2-common.json', 'entra-id-v2-organizations.json'])(
    '%s fails issuer_mismatch as served',
    async (file) => {
      const tenant = file.includes('common') ? 'common' : 'organizations';
      const { server, issuer } = await serveCapture(file, () => `/${tenant}/v2.0${OIDC}`);
      expect(issuer).toContain('{tenantid}');
      const err = await failure(
        resolveIssuer('entra', { issuer: `${server.origin}/${tenant}/v2.0`, type: 'auto' }),
      );
      expect(err.code).toBe('issuer_mismatch');
      expect(err.issuerId).toBe('entra');
    },
  );

  it('resolves once a merge patch sets the issuer, and another fixes the PKCE quirk', async () => {
    const { server } = await serveCapture('entra-id-v2-common.json', () => `/common/v2.0${OIDC}`);
    const issuer = `${server.origin}/common/v2.0`;
    const patched = await resolveIssuer('entra', { issuer, type: 'oidc', transpile: { issuer } });
    expect(patched.issuer).toBe(issuer);
    expect(patched.metadata.tenant_region_scope).toBeNull();
    expect(codes(patched.findings)).toEqual(['no_client_registration', 'pkce_not_advertised']);

    const fixed = await resolveIssuer('entra', {
      issuer,
      type: 'oidc',
      transpile: { issuer, code_challenge_methods_supported: ['S256'] },
    });
    expect(codes(fixed.findings)).toEqual(['no_client_registration']);
  });

  it('a function hook (the seed transpileData) can substitute the tenant too', async () => {
    const { server } = await serveCapture('entra-id-v2-common.json', () => `/common/v2.0${OIDC}`);
    const issuer = `${server.origin}/common/v2.0`;
    const config = await fetchServerConfig(issuer, {
      type: 'oidc',
      transpileData: (data) => ({ ...data, issuer: String(data.issuer).replace('{tenantid}', 'common') }),
    });
    expect(config.metadata.issuer).toBe(issuer);
    expect(config.metadata.cloudInstanceName).toBe('microsoftonline.com');
  });
});

describe('WorkOS AuthKit: different documents at the OAuth and OIDC well-known URLs', () => {
  async function serveWorkos() {
    let table: Record<string, unknown> = {};
    const server = await startServer((req, res, s) => routes(table)(req, res, s));
    const oauth = loadCapture('workos-authkit-oauth-authorization-server.json', server.origin);
    const oidc = loadCapture('workos-authkit-openid-configuration.json', server.origin);
    table = { [OAUTH]: oauth, [OIDC]: oidc };
    return { server, issuer: oauth.issuer as string };
  }

  it('auto (RFC 8414 first) reads the OAuth document, which passes the readiness check', async () => {
    const { server, issuer } = await serveWorkos();
    const resolved = await resolveIssuer('workos', { issuer, type: 'auto' });
    expect(resolved.source.url).toBe(`${server.origin}${OAUTH}`);
    expect(resolved.metadata.client_id_metadata_document_supported).toBe(true);
    expect(codes(resolved.findings)).toEqual([]);
  });

  it('oidc reads the OpenID document, which lacks PKCE and registration', async () => {
    const { issuer } = await serveWorkos();
    const resolved = await resolveIssuer('workos', { issuer, type: 'oidc' });
    expect(codes(resolved.findings)).toEqual(['no_client_registration', 'pkce_not_advertised']);
  });

  it('fetchServerConfigByWellKnownUrl returns the camelCase view of the document asked for', async () => {
    const { server } = await serveWorkos();
    const config = await fetchServerConfigByWellKnownUrl(`${server.origin}${OAUTH}`, { type: 'oauth' });
    expect(config.type).toBe('oauth');
    expect(config.metadata).toMatchObject({
      registrationEndpoint: `${server.origin}/oauth2/register`,
      clientIdMetadataDocumentSupported: true,
      codeChallengeMethodsSupported: ['S256'],
    });
    expect(config.metadata).not.toHaveProperty('registration_endpoint');
  });
});
