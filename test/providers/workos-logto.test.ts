/**
 * The `workos` (AuthKit, discovered from its RFC 8414 document) and `logto` (issuer `/oidc`,
 * ES384 by default) presets.
 */
import { describe, expect, it } from 'vitest';
import { routes, startServer } from '../support/servers.js';
import { asMetadata } from '../support/issuer.js';
import { signToken } from '../support/tokens.js';
import { es384Key, refusal, startProvider, times, verifierOf } from './support.js';
import { RESOURCE } from '../support/constants.js';

describe('workos preset (AuthKit)', () => {
  it('accepts an AuthKit access token for the resource and refuses one for another audience', async () => {
    const provider = await startProvider(
      'workos-authkit-oauth-authorization-server.json',
      () => '/.well-known/oauth-authorization-server',
    );
    const verify = await verifierOf({
      issuers: { authkit: { preset: { name: 'workos', domain: provider.origin } } },
      resources: [{ resource: RESOURCE, authorizationServers: ['authkit'] }],
    });
    const token = (aud: string) =>
      signToken(
        provider.key,
        {
          iss: provider.origin,
          sub: 'user_01HZ3Y0X9W8V7T6S5R4Q3P2N1M',
          sid: 'session_01HZ3Y1A2B3C4D5E6F7G8H9J0K',
          jti: '01HZ3Y2L3M4N5P6Q7R8S9T0V1W',
          aud,
          client_id: 'client_01HZ3Y3X4Y5Z6A7B8C9D0E1F2G',
          scope: 'openid profile',
          ...times(),
        },
        { alg: 'RS256', typ: 'JWT', kid: provider.key.kid },
      );
    expect((await verify(token(RESOURCE))).clientId).toBe('client_01HZ3Y3X4Y5Z6A7B8C9D0E1F2G');
    expect(await refusal(verify(token('https://elsewhere.example/mcp')))).toBe('invalid_token:audience');
  });
});

describe('logto preset', () => {
  it('accepts an ES384 access token whose aud is the API resource indicator; refuses another issuer path', async () => {
    const server = await startServer(() => undefined);
    const key = es384Key('logto-key-1');
    const issuer = `${server.origin}/oidc`;
    server.setHandler(
      routes({
        '/oidc/.well-known/openid-configuration': asMetadata(issuer, { jwks_uri: `${issuer}/jwks` }),
        '/oidc/jwks': { keys: [key.jwk] },
      }),
    );
    const verify = await verifierOf({
      issuers: { logto: { preset: { name: 'logto', endpoint: server.origin } } },
      resources: [{ resource: RESOURCE, authorizationServers: ['logto'] }],
    });
    const claims = {
      jti: 'aBcD1234',
      sub: 'u1x2y3z4',
      ...times(),
      scope: 'read:notes',
      client_id: 'm0bil3app',
      aud: RESOURCE,
    };
    const info = await verify(key.sign({ ...claims, iss: issuer }));
    expect(info.scopes).toEqual(['read:notes']);
    expect(await refusal(verify(key.sign({ ...claims, iss: server.origin })))).toBe(
      'invalid_token:unknown_issuer',
    );
  });
});
