/**
 * A TS manifest as a user writes it, type-checked (not run) by `hooks.test.ts`: the hooks are
 * typed from the schema, so `info.claims` and the raw transpile document can be read, and misuse
 * is a type error.
 */
import { defineConfig, TokenError, type AuthInfo, type RawMetadata } from '../../src/index.js';

const revoked = new Set<string>(['jti-1']);

export default defineConfig({
  issuers: {
    main: {
      issuer: 'https://auth.example.com',
      type: 'oidc',
      transpile: (data) => {
        const raw: RawMetadata = data;
        return { ...raw, code_challenge_methods_supported: ['S256'] };
      },
    },
    corp: {
      issuer: 'https://login.corp.example',
      transpile: async (data) => ({ ...data, issuer: 'https://login.corp.example' }),
    },
  },
  resources: [
    {
      resource: 'https://api.example.com/mcp',
      authorizationServers: ['main', 'corp'],
      token: {
        requiredScopes: ['read'],
        // The example of TokenError's TSDoc, as written there.
        verify: (info) => {
          if (revoked.has(String(info.claims.jti))) throw new TokenError('invalid_token', 'rejected');
        },
      },
    },
    {
      resource: 'https://api.example.com/admin',
      authorizationServers: ['main'],
      token: {
        verify: async (info) => {
          const identity: AuthInfo = info;
          const tenant: unknown = identity.claims.tenant;
          if (tenant !== 'acme' || !info.scopes.includes('admin') || info.subject === undefined)
            throw new TokenError('insufficient_scope', 'scope');
          // @ts-expect-error claims are unknown values: narrow them before use.
          info.claims.tenant.toUpperCase();
          // @ts-expect-error there is no such field on the identity.
          void info.tenantId;
          await Promise.resolve(info.issuer.length + info.clientId.length);
        },
      },
    },
  ],
});

defineConfig({
  issuers: { main: { issuer: 'https://auth.example.com' } },
  resources: [
    {
      resource: 'https://api.example.com/mcp',
      authorizationServers: ['main'],
      // @ts-expect-error a hook returns nothing (or a promise of nothing).
      token: { verify: (info: AuthInfo) => info.claims },
    },
  ],
});
