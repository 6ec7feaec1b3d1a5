/**
 * The `entra` preset against Entra-shaped tokens: discovery from the captured v2.0 documents
 * (single tenant and `organizations`, whose issuer is the `{tenantid}` template) served on
 * loopback, tokens with header `typ: JWT` + `kid`, `iss` `<authority>/<tid>/v2.0`, `aud` the
 * client id (v2) or `api://<client id>` (v1), scopes in `scp`, app roles in `roles`.
 */
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.js';
import type { ManifestInput } from '../../src/manifest/schema.js';
import { compile } from '../../src/runtime/compile.js';
import { signToken } from '../support/tokens.js';
import { refusal, startProvider, times, verifierOf } from './support.js';
import { RESOURCE } from '../support/constants.js';

type IssuerEntryInput = ManifestInput['issuers'][string];

const TENANT = '9a95fd9e-005d-487a-9a01-d08c1eab2757'; // the tenant of the captured document
const OTHER_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT_ID = '6e74172b-be56-4843-9ff4-e66a39bb12e3';

/** A v2.0 access token as Entra issues it for the API app. */
function v2Claims(authority: string, tid: string, extra: Record<string, unknown> = {}) {
  return {
    aud: CLIENT_ID,
    iss: `${authority}/${tid}/v2.0`,
    ...times(),
    azp: '0b8f1b3c-8d0a-4c54-8e56-3b1f4b1a2c9d',
    azpacr: '0',
    name: 'Ada Lovelace',
    oid: '00000000-0000-0000-66f3-3332eca7ea81',
    preferred_username: 'ada@contoso.example',
    scp: 'Notes.Read Notes.Write',
    sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
    tid,
    uti: 'fqiBqXLPj0eQa82S-IYFAA',
    ver: '2.0',
    ...extra,
  };
}

/** A v1.0 access token: `iss` on sts.windows.net (here the loopback "sts"), `aud` the App ID URI. */
function v1Claims(sts: string, tid: string) {
  return {
    aud: `api://${CLIENT_ID}`,
    iss: `${sts}/${tid}/`,
    ...times(),
    appid: '0b8f1b3c-8d0a-4c54-8e56-3b1f4b1a2c9d',
    scp: 'Notes.Read',
    sub: 'l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA',
    tid,
    ver: '1.0',
  };
}

const header = (kid: string) => ({ typ: 'JWT', alg: 'RS256', kid });

async function singleTenant(preset: Record<string, unknown> = {}) {
  const provider = await startProvider(
    'entra-id-v2-tenant.json',
    () => `/${TENANT}/v2.0/.well-known/openid-configuration`,
  );
  const verify = await verifierOf({
    issuers: {
      entra: {
        preset: {
          name: 'entra',
          tenant: TENANT,
          clientId: CLIENT_ID,
          authority: provider.origin,
          stsAuthority: provider.origin,
          ...preset,
        },
      },
    },
    resources: [{ resource: RESOURCE, authorizationServers: ['entra'] }],
  });
  return { provider, verify };
}

describe('entra preset, single tenant', () => {
  it('accepts a v2.0 access token for the API (aud = client id), with scp scopes and roles', async () => {
    const { provider, verify } = await singleTenant();
    const token = signToken(
      provider.key,
      v2Claims(provider.origin, TENANT, { roles: ['Notes.Admin'] }),
      header(provider.key.kid),
    );
    const info = await verify(token);
    expect(info.issuer).toBe(`${provider.origin}/${TENANT}/v2.0`);
    expect(info.scopes).toEqual(['Notes.Read', 'Notes.Write', 'Notes.Admin']);
    expect(info.clientId).toBe('0b8f1b3c-8d0a-4c54-8e56-3b1f4b1a2c9d');
  });

  it('accepts the App ID URI audience (api://<client id>) too', async () => {
    const { provider, verify } = await singleTenant();
    const token = signToken(
      provider.key,
      v2Claims(provider.origin, TENANT, { aud: `api://${CLIENT_ID}` }),
      header(provider.key.kid),
    );
    expect(await refusal(verify(token))).toBe('accepted');
  });

  it('refuses a token of another tenant (its iss names the other tenant)', async () => {
    const { provider, verify } = await singleTenant();
    const token = signToken(provider.key, v2Claims(provider.origin, OTHER_TENANT), header(provider.key.kid));
    expect(await refusal(verify(token))).toBe('invalid_token:unknown_issuer');
  });

  it('refuses a token whose tid is another tenant, even under the right iss', async () => {
    const { provider, verify } = await singleTenant();
    const token = signToken(
      provider.key,
      v2Claims(provider.origin, TENANT, { tid: OTHER_TENANT }),
      header(provider.key.kid),
    );
    expect(await refusal(verify(token))).toBe('invalid_token:unknown_issuer');
  });

  it('refuses an ID token issued to the API registration itself (aud the client id, no azp or appid)', async () => {
    const { provider, verify } = await singleTenant();
    // A v2.0 ID token: the same iss, aud and tid as an access token, roles too, but no azp.
    const {
      azp: _azp,
      azpacr: _azpacr,
      scp: _scp,
      ...idToken
    } = v2Claims(provider.origin, TENANT, {
      nonce: 'n-0S6_WzA2Mj',
      roles: ['Notes.Admin'],
    });
    const token = signToken(provider.key, idToken, header(provider.key.kid));
    expect(await refusal(verify(token))).toBe('invalid_token:invalid_claims');
    // The same claims with the azp an access token carries are accepted (control).
    const access = signToken(provider.key, { ...idToken, azp: 'c1' }, header(provider.key.kid));
    expect(await refusal(verify(access))).toBe('accepted');
  });

  it('refuses a token for another API (aud another client id)', async () => {
    const { provider, verify } = await singleTenant();
    const token = signToken(
      provider.key,
      v2Claims(provider.origin, TENANT, { aud: OTHER_TENANT }),
      header(provider.key.kid),
    );
    expect(await refusal(verify(token))).toBe('invalid_token:audience');
  });

  it('refuses a v1.0 token when only v2.0 is allowed, and accepts it with acceptV1', async () => {
    const strict = await singleTenant();
    const v1 = signToken(
      strict.provider.key,
      v1Claims(strict.provider.origin, TENANT),
      header(strict.provider.key.kid),
    );
    expect(await refusal(strict.verify(v1))).toBe('invalid_token:unknown_issuer');

    const lenient = await singleTenant({ acceptV1: true });
    const v1ok = signToken(
      lenient.provider.key,
      v1Claims(lenient.provider.origin, TENANT),
      header(lenient.provider.key.kid),
    );
    const info = await lenient.verify(v1ok);
    expect(info.issuer).toBe(`${lenient.provider.origin}/${TENANT}/`);
    expect(info.scopes).toEqual(['Notes.Read']);
  });
});

describe('entra preset, multi-tenant (organizations: the {tenantid} template issuer)', () => {
  async function multiTenant(preset: Record<string, unknown>) {
    const provider = await startProvider(
      'entra-id-v2-organizations.json',
      () => '/organizations/v2.0/.well-known/openid-configuration',
    );
    const verify = await verifierOf({
      issuers: {
        entra: {
          preset: {
            name: 'entra',
            tenant: 'organizations',
            clientId: CLIENT_ID,
            authority: provider.origin,
            ...preset,
          },
        },
      },
      resources: [{ resource: RESOURCE, authorizationServers: ['entra'] }],
    });
    return { provider, verify };
  }

  it('accepts a token of an allowed tenant: iss is the template filled with its tid', async () => {
    const { provider, verify } = await multiTenant({ allowedTenants: [OTHER_TENANT] });
    const token = signToken(provider.key, v2Claims(provider.origin, OTHER_TENANT), header(provider.key.kid));
    expect((await verify(token)).issuer).toBe(`${provider.origin}/${OTHER_TENANT}/v2.0`);
  });

  it('refuses a token of a tenant not in allowedTenants', async () => {
    const { provider, verify } = await multiTenant({ allowedTenants: [OTHER_TENANT] });
    const token = signToken(provider.key, v2Claims(provider.origin, TENANT), header(provider.key.kid));
    expect(await refusal(verify(token))).toBe('invalid_token:unknown_issuer');
  });

  it('refuses a token whose tid differs from the tenant in its iss (an allowed tid on another tenant)', async () => {
    const { provider, verify } = await multiTenant({ allowedTenants: [OTHER_TENANT] });
    const token = signToken(
      provider.key,
      v2Claims(provider.origin, TENANT, { tid: OTHER_TENANT }),
      header(provider.key.kid),
    );
    expect(await refusal(verify(token))).toBe('invalid_token:invalid_claims');
  });

  it('refuses the literal template as iss, and an iss with more than one segment in its place', async () => {
    const { provider, verify } = await multiTenant({ anyTenant: true });
    for (const tid of ['{tenantid}', `${TENANT}/x`, '..']) {
      const token = signToken(
        provider.key,
        v2Claims(provider.origin, tid, { tid }),
        header(provider.key.kid),
      );
      expect(await refusal(verify(token)), tid).toBe('invalid_token:unknown_issuer');
    }
  });

  it('accepts any tenant with anyTenant', async () => {
    const { provider, verify } = await multiTenant({ anyTenant: true });
    const token = signToken(provider.key, v2Claims(provider.origin, TENANT), header(provider.key.kid));
    expect(await refusal(verify(token))).toBe('accepted');
  });
});

describe('a hand-written multi-tenant Entra issuer (no preset)', () => {
  const organizations = () =>
    startProvider(
      'entra-id-v2-organizations.json',
      () => '/organizations/v2.0/.well-known/openid-configuration',
    );
  const entry = (origin: string, transpile: NonNullable<IssuerEntryInput['transpile']>) => ({
    wellKnownUrl: `${origin}/organizations/v2.0/.well-known/openid-configuration`,
    transpile,
  });
  const resources = [{ resource: RESOURCE, authorizationServers: ['entra'], token: { audience: CLIENT_ID } }];

  it('an issuer identifier holding {tenant} is compared exactly: no tenant is accepted through it', async () => {
    const provider = await organizations();
    // A transpile hook is code, so validate cannot see what it writes: the runtime rule holds.
    const verify = await verifierOf({
      issuers: {
        entra: entry(provider.origin, (doc: Record<string, unknown>) => ({
          ...doc,
          issuer: `${provider.origin}/{tenant}/v2.0`,
        })),
      },
      resources,
    });
    for (const tid of [TENANT, OTHER_TENANT]) {
      const token = signToken(provider.key, v2Claims(provider.origin, tid), header(provider.key.kid));
      expect(await refusal(verify(token)), tid).toBe('invalid_token:unknown_issuer');
    }
  });

  it('validate refuses {tenant} in issuer, metadata.issuer or a transpile patch, and names tokenIssuers', async () => {
    const provider = await organizations();
    const error = await compile({
      issuers: { entra: entry(provider.origin, { issuer: `${provider.origin}/{tenant}/v2.0` }) },
      resources,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ManifestError);
    const issue = (error as ManifestError).issues.find((i) => i.code === 'issuer_template');
    expect(issue?.path).toEqual(['issuers', 'entra', 'transpile', 'issuer']);
    expect(issue?.message).toContain('tokenIssuers');
  });
});
