/**
 * The `cognito` and `keycloak` presets: Cognito access tokens carry no `aud` (client_id and
 * token_use are checked); Keycloak needs its audience mapper and marks access tokens `typ: Bearer`.
 */
import { describe, expect, it } from 'vitest';
import { validateManifest } from '../../src/manifest/parse.js';
import type { ManifestInput } from '../../src/manifest/schema.js';
import { signToken } from '../support/tokens.js';
import { refusal, startProvider, times, verifierOf } from './support.js';
import { RESOURCE } from '../support/constants.js';

const POOL = 'us-east-1_4OqDoWVrZ'; // the pool of the captured document
const APP_CLIENT = '3n4b5urk1ft4fl3mg5e62d9ado';

describe('cognito preset', () => {
  async function cognito() {
    const provider = await startProvider(
      'aws-cognito-user-pool.json',
      () => `/${POOL}/.well-known/openid-configuration`,
    );
    const manifest = {
      issuers: {
        // The preset's issuer is https://cognito-idp...; the explicit one (loopback) wins.
        pool: {
          issuer: `${provider.origin}/${POOL}`,
          preset: { name: 'cognito', region: 'us-east-1', userPoolId: POOL, clientIds: [APP_CLIENT] },
        },
      },
      resources: [{ resource: RESOURCE, authorizationServers: ['pool'] }],
    } satisfies ManifestInput;
    const verify = await verifierOf(manifest);
    const base = {
      iss: `${provider.origin}/${POOL}`,
      ...times(),
      auth_time: times().iat,
      jti: 'f3b0c2a1-9d8e-4f7a-b6c5-d4e3f2a1b0c9',
    };
    const header = { kid: provider.key.kid, alg: 'RS256', typ: undefined };
    /** A Cognito access token: no aud, client_id, token_use access, scope string. */
    const access = (extra: Record<string, unknown> = {}) =>
      signToken(
        provider.key,
        {
          sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
          'cognito:groups': ['editors'],
          ...base,
          version: 2,
          client_id: APP_CLIENT,
          origin_jti: '0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f',
          event_id: '5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b',
          token_use: 'access',
          scope: 'notes/read openid',
          username: 'ada',
          ...extra,
        },
        header,
      );
    /** A Cognito ID token of the same pool and app client: aud = the client, token_use id. */
    const idToken = signToken(
      provider.key,
      {
        at_hash: 'hGl2b0b1qWu3f1sF3l5q8A',
        sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        email_verified: true,
        ...base,
        'cognito:username': 'ada',
        aud: APP_CLIENT,
        event_id: '5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b',
        token_use: 'id',
        email: 'ada@example.com',
      },
      header,
    );
    return { verify, access, idToken, manifest };
  }

  it('accepts an access token without aud, issued to an allowed app client', async () => {
    const { verify, access } = await cognito();
    const info = await verify(access());
    expect(info.scopes).toEqual(['notes/read', 'openid']);
    expect(info.clientId).toBe(APP_CLIENT);
    expect(info.audience).toEqual([]);
  });

  it('refuses an ID token where an access token is expected (token_use: id)', async () => {
    const { verify, idToken } = await cognito();
    expect(await refusal(verify(idToken))).toBe('invalid_token:invalid_claims');
  });

  it('refuses an access token of another app client of the pool', async () => {
    const { verify, access } = await cognito();
    expect(await refusal(verify(access({ client_id: '7abcdefghijklmnopqrstuvwxy' })))).toBe(
      'invalid_token:audience',
    );
  });

  it('keeps the explicit issuer over the preset one; validate names a pool id from another region', async () => {
    const { manifest } = await cognito();
    const { manifest: parsed, presets } = validateManifest(manifest);
    expect(parsed!.issuers.pool!.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/us-east-1_/);
    expect(presets!.pool!.issuer.issuer).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${POOL}`);
    const wrong = validateManifest({
      ...manifest,
      issuers: {
        pool: { preset: { name: 'cognito', region: 'eu-west-1', userPoolId: POOL, clientIds: [APP_CLIENT] } },
      },
    });
    expect(wrong.issues.map((i) => [i.code, i.path.join('.')])).toContainEqual([
      'preset_parameter',
      'issuers.pool.preset.userPoolId',
    ]);
  });
});

describe('keycloak preset', () => {
  /** The preset on one resource; `extra` adds to the issuer entry and the resource. */
  async function keycloak(
    preset: Record<string, unknown> = {},
    extra: { issuer?: Record<string, unknown>; resource?: Record<string, unknown> } = {},
  ) {
    const provider = await startProvider(
      'keycloak-realm.json',
      () => '/realms/demorealm/.well-known/openid-configuration',
    );
    const verify = await verifierOf({
      issuers: {
        kc: {
          preset: {
            name: 'keycloak',
            baseUrl: provider.origin,
            realm: 'demorealm',
            clientIds: ['mcp-client'],
            ...preset,
          },
          ...extra.issuer,
        },
      },
      resources: [{ resource: RESOURCE, authorizationServers: ['kc'], ...extra.resource }],
    });
    const header = { alg: 'RS256', typ: 'JWT', kid: provider.key.kid };
    /** A Keycloak access token whose client scope has an Audience mapper adding the resource. */
    const token = (extra: Record<string, unknown> = {}) =>
      signToken(
        provider.key,
        {
          ...times(),
          auth_time: times().iat,
          jti: 'onrtac:5b1d7f8e-2c3a-4b5c-9d6e-7f8a9b0c1d2e',
          iss: `${provider.origin}/realms/demorealm`,
          aud: [RESOURCE, 'account'],
          sub: '3f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
          typ: 'Bearer',
          azp: 'mcp-client',
          sid: '9a8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4d',
          acr: '1',
          'allowed-origins': ['http://127.0.0.1'],
          realm_access: { roles: ['notes-admin', 'offline_access', 'default-roles-demorealm'] },
          resource_access: {
            account: { roles: ['manage-account'] },
            'mcp-client': { roles: ['notes-reader'] },
          },
          scope: 'openid email profile',
          email_verified: true,
          preferred_username: 'ada',
          ...extra,
        },
        header,
      );
    return { verify, token };
  }

  it('accepts an access token carrying the resource from the audience mapper; azp is the client', async () => {
    const { verify, token } = await keycloak();
    const info = await verify(token());
    expect(info.clientId).toBe('mcp-client');
    expect(info.scopes).toEqual(['openid', 'email', 'profile']);
  });

  it('refuses a token without the audience mapper (aud only "account")', async () => {
    const { verify, token } = await keycloak();
    expect(await refusal(verify(token({ aud: 'account' })))).toBe('invalid_token:audience');
  });

  it('refuses an ID token (payload typ "ID")', async () => {
    const { verify, token } = await keycloak();
    expect(await refusal(verify(token({ typ: 'ID' })))).toBe('invalid_token:invalid_claims');
  });

  it('refuses a token of another client (azp)', async () => {
    const { verify, token } = await keycloak();
    expect(await refusal(verify(token({ azp: 'other-client' })))).toBe('invalid_token:audience');
  });

  it('maps realm and client roles to scopes only when asked', async () => {
    const { verify, token } = await keycloak({ realmRoles: true, clientRoles: 'mcp-client' });
    expect((await verify(token())).scopes).toEqual(
      expect.arrayContaining(['notes-admin', 'offline_access', 'default-roles-demorealm', 'notes-reader']),
    );
  });

  // An ID token with an Audience mapper set to "Add to ID token": aud names the resource too.
  const idToken = { typ: 'ID', nonce: 'n-0S6_WzA2Mj', aud: ['mcp-client', RESOURCE] };

  it.each([
    ['{ acr: "1" }', { acr: '1' }],
    ['{}', {}],
  ])(
    "a resource's own token.requireClaims %s adds to the preset's guard, never replaces it",
    async (_name, requireClaims) => {
      const { verify, token } = await keycloak({}, { resource: { token: { requireClaims } } });
      expect(await refusal(verify(token(idToken)))).toBe('invalid_token:invalid_claims');
      expect(await refusal(verify(token()))).toBe('accepted');
    },
  );

  it("an issuer's own requireClaims is merged with the preset's claim by claim", async () => {
    const { verify, token } = await keycloak({}, { issuer: { requireClaims: { acr: '1' } } });
    expect(await refusal(verify(token(idToken)))).toBe('invalid_token:invalid_claims');
    expect(await refusal(verify(token({ acr: '0' })))).toBe('invalid_token:invalid_claims');
    expect(await refusal(verify(token()))).toBe('accepted');
  });
});

describe('two presets on one resource', () => {
  it('each issuer keeps its own guard: a Keycloak ID token is refused, an Auth0 access token (no typ claim) accepted, and nothing conflicts', async () => {
    const kc = await startProvider(
      'keycloak-realm.json',
      () => '/realms/demorealm/.well-known/openid-configuration',
    );
    const a0 = await startProvider('auth0-tenant.json', () => '/.well-known/openid-configuration');
    const manifest: ManifestInput = {
      issuers: {
        kc: { preset: { name: 'keycloak', baseUrl: kc.origin, realm: 'demorealm' } },
        a0: { preset: { name: 'auth0', domain: a0.origin } },
      },
      resources: [{ resource: RESOURCE, authorizationServers: ['kc', 'a0'] }],
    };
    expect(validateManifest(manifest).issues.filter((i) => i.severity === 'error')).toEqual([]);
    const verify = await verifierOf(manifest);
    const kcToken = (typ: string) =>
      signToken(
        kc.key,
        {
          ...times(),
          iss: `${kc.origin}/realms/demorealm`,
          aud: [RESOURCE],
          sub: 'u1',
          typ,
          azp: 'mcp-client',
        },
        { alg: 'RS256', typ: 'JWT', kid: kc.key.kid },
      );
    expect(await refusal(verify(kcToken('ID')))).toBe('invalid_token:invalid_claims');
    expect(await refusal(verify(kcToken('Bearer')))).toBe('accepted');
    const a0Token = signToken(
      a0.key,
      { ...times(), iss: `${a0.origin}/`, aud: [RESOURCE], sub: 'auth0|1', azp: 'Xk2l1Vw9sd8Qm4nPz7Ty' },
      { alg: 'RS256', typ: 'JWT', kid: a0.key.kid },
    );
    expect(await refusal(verify(a0Token))).toBe('accepted');
  });
});

describe("changing a preset's guard against ID tokens", () => {
  const keycloak = (issuer: Record<string, unknown>): ManifestInput => ({
    issuers: {
      kc: { preset: { name: 'keycloak', baseUrl: 'https://sso.example.com', realm: 'r' }, ...issuer },
    },
    resources: [{ resource: RESOURCE, authorizationServers: ['kc'] }],
  });
  /** The entra preset on one resource, with the issuer's own `requireOneOfClaims`. */
  const entra = (requireOneOfClaims: string[]): ManifestInput => ({
    issuers: {
      entra: {
        preset: {
          name: 'entra',
          tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47',
          clientId: '6e74172b-be56-4843-9ff4-e66a39bb12e3',
        },
        requireOneOfClaims,
      },
    },
    resources: [{ resource: RESOURCE, authorizationServers: ['entra'] }],
  });
  const warnings = (manifest: ManifestInput) =>
    validateManifest(manifest)
      .issues.filter((i) => i.code === 'preset_guard_changed')
      .map((i) => `${i.severity} ${i.path.join('.')}`);

  it('is allowed, and validate says so every time: another value for a guarded claim, another requireOneOfClaims', () => {
    expect(warnings(keycloak({ requireClaims: { typ: 'ID' } }))).toEqual([
      'warning issuers.kc.requireClaims',
    ]);
    expect(warnings(entra(['roles']))).toEqual(['warning issuers.entra.requireOneOfClaims']);
  });

  it('adding claims to the guard, or writing its list in another order, is no change', () => {
    expect(warnings(keycloak({ requireClaims: { acr: '1', typ: 'Bearer' } }))).toEqual([]);
    expect(warnings(entra(['appid', 'azp']))).toEqual([]);
    expect(warnings(entra(['azp']))).toEqual(['warning issuers.entra.requireOneOfClaims']);
  });

  it.each(['constructor', 'prototype'])('refuses %s as a claim name', (claim) => {
    const manifest = JSON.parse(
      JSON.stringify(keycloak({})).replace('"preset"', `"requireClaims":{"${claim}":"x"},"preset"`),
    ) as ManifestInput;
    const errors = validateManifest(manifest).issues.filter((i) => i.severity === 'error');
    expect(errors.map((i) => i.path.slice(0, 3).join('.'))).toEqual(['issuers.kc.requireClaims']);
  });
});
