/**
 * The `auth0` and `okta` presets against tokens shaped as those providers issue them, with
 * discovery from the captured documents served on loopback.
 */
import { describe, expect, it } from 'vitest';
import { signToken } from '../support/tokens.js';
import { refusal, startProvider, times, verifierOf } from './support.js';
import { RESOURCE } from '../support/constants.js';

describe('auth0 preset', () => {
  async function auth0(preset: Record<string, unknown> = {}) {
    const provider = await startProvider('auth0-tenant.json', () => '/.well-known/openid-configuration');
    const verify = await verifierOf({
      issuers: { a0: { preset: { name: 'auth0', domain: provider.origin, ...preset } } },
      resources: [{ resource: RESOURCE, authorizationServers: ['a0'] }],
    });
    /** An Auth0 access token for the API whose identifier is the MCP resource URL. */
    const token = (extra: Record<string, unknown> = {}) =>
      signToken(
        provider.key,
        {
          iss: `${provider.origin}/`,
          sub: 'auth0|64f1c2b3a4d5e6f7a8b9c0d1',
          aud: [RESOURCE, `${provider.origin}/userinfo`],
          ...times(),
          scope: 'openid profile notes:read',
          azp: 'Xk2l1Vw9sd8Qm4nPz7Ty',
          permissions: ['notes:read', 'notes:write'],
          ...extra,
        },
        { alg: 'RS256', typ: 'JWT', kid: provider.key.kid },
      );
    return { provider, verify, token };
  }

  it('accepts its token: issuer with the trailing slash, audience = the API identifier (the resource)', async () => {
    const { provider, verify, token } = await auth0();
    const info = await verify(token());
    expect(info.issuer).toBe(`${provider.origin}/`);
    expect(info.scopes).toEqual(['openid', 'profile', 'notes:read']);
  });

  it('counts the RBAC permissions array as scopes only when permissions is enabled', async () => {
    const { verify, token } = await auth0({ permissions: true });
    expect((await verify(token())).scopes).toEqual(['openid', 'profile', 'notes:read', 'notes:write']);
  });

  it('refuses an iss without the trailing slash (compared exactly)', async () => {
    const { provider, verify, token } = await auth0();
    expect(await refusal(verify(token({ iss: provider.origin })))).toBe('invalid_token:unknown_issuer');
  });

  it('refuses a token for another API identifier', async () => {
    const { verify, token } = await auth0();
    expect(await refusal(verify(token({ aud: 'https://other-api.example' })))).toBe('invalid_token:audience');
  });

  it('takes the audience parameter as the API identifier', async () => {
    const { verify, token } = await auth0({ audience: 'https://notes-api.example' });
    expect(await refusal(verify(token({ aud: 'https://notes-api.example' })))).toBe('accepted');
    expect(await refusal(verify(token()))).toBe('invalid_token:audience');
  });
});

describe('okta preset (custom authorization server)', () => {
  async function okta(preset: Record<string, unknown> = {}) {
    const provider = await startProvider(
      'okta-custom-as-default.json',
      () => '/oauth2/default/.well-known/openid-configuration',
    );
    const verify = await verifierOf({
      issuers: {
        okta: {
          preset: {
            name: 'okta',
            domain: provider.origin,
            audience: 'api://default',
            clientIds: ['0oa1b2c3d4EfGhIjK5d7'],
            ...preset,
          },
        },
      },
      resources: [{ resource: RESOURCE, authorizationServers: ['okta'] }],
    });
    /** An Okta access token: header without typ, `scp` array, `cid`, `uid`. */
    const token = (extra: Record<string, unknown> = {}) =>
      signToken(
        provider.key,
        {
          ver: 1,
          jti: 'AT.p3Qv0mC1y7dqWnXz4r9sLk2b8e6fT5gHjK1lM0nO',
          iss: `${provider.origin}/oauth2/default`,
          aud: 'api://default',
          ...times(),
          cid: '0oa1b2c3d4EfGhIjK5d7',
          uid: '00u1a2b3c4D5e6F7g8h9',
          scp: ['notes.read', 'openid'],
          auth_time: times().iat,
          sub: 'ada@example.com',
          ...extra,
        },
        { kid: provider.key.kid, alg: 'RS256', typ: undefined },
      );
    return { provider, verify, token };
  }

  it('accepts its token: issuer /oauth2/<id>, scopes from the scp array, client from cid', async () => {
    const { verify, token } = await okta();
    const info = await verify(token());
    expect(info.scopes).toEqual(['notes.read', 'openid']);
    expect(info.clientId).toBe('0oa1b2c3d4EfGhIjK5d7');
  });

  it('refuses a token issued to another client (cid)', async () => {
    const { verify, token } = await okta();
    expect(await refusal(verify(token({ cid: '0oaOTHERCLIENT000000' })))).toBe('invalid_token:audience');
  });

  it('refuses an org authorization server token (iss is the org, not /oauth2/<id>)', async () => {
    const { provider, verify, token } = await okta();
    expect(await refusal(verify(token({ iss: provider.origin })))).toBe('invalid_token:unknown_issuer');
  });
});
