/**
 * Authorization-server metadata validation and MCP readiness findings, as pure functions.
 */
import { describe, expect, it } from 'vitest';

import { DiscoveryError } from '../../src/errors.js';
import {
  mcpReadiness,
  refuseLocalHttpFromRemote,
  validateAuthorizationServerMetadata,
  type AuthorizationServerMetadata,
} from '../../src/metadata/authorization-server.js';
import { toCamelCase, toSnakeCase } from '../../src/metadata/case.js';
import { asMetadata } from '../support/issuer.js';

const ISSUER = 'https://as.example/t1';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DiscoveryError);
    return (err as DiscoveryError).code;
  }
  return undefined;
}

const codes = (metadata: Record<string, unknown>) =>
  mcpReadiness(metadata as unknown as AuthorizationServerMetadata)
    .map((f) => f.code)
    .sort();

describe('validateAuthorizationServerMetadata', () => {
  it('keeps unknown fields, nested objects and nulls exactly as received', () => {
    const raw = asMetadata(ISSUER, {
      mfa_challenge_endpoint: 'https://as.example/mfa',
      tenant_region_scope: null,
      mtls_endpoint_aliases: { token_endpoint: 'https://mtls.as.example/token' },
    });
    const metadata = validateAuthorizationServerMetadata(raw, { expectedIssuer: ISSUER });
    expect(metadata).toEqual(raw);
    expect(metadata.tenant_region_scope).toBeNull();
  });

  it.each([
    ['not a URL', 'token_endpoint', 'not a url'],
    ['relative', 'authorization_endpoint', '/authorize'],
    ['plain http on a public host', 'jwks_uri', 'http://as.example/jwks'],
    ['a javascript: URL', 'registration_endpoint', 'javascript:alert(1)'],
    ['a non-string', 'introspection_endpoint', 42],
  ])('refuses an endpoint that is %s with invalid_metadata', (_name, field, value) => {
    expect(codeOf(() => validateAuthorizationServerMetadata(asMetadata(ISSUER, { [field]: value })))).toBe(
      'invalid_metadata',
    );
  });

  it('accepts endpoints on other https hosts and on loopback http', () => {
    const raw = asMetadata(ISSUER, {
      jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
      token_endpoint: 'http://127.0.0.1:9999/token',
    });
    expect(() => validateAuthorizationServerMetadata(raw, { expectedIssuer: ISSUER })).not.toThrow();
  });

  it.each([
    ['scopes_supported', 'openid'],
    ['response_types_supported', ['code', 1]],
    ['code_challenge_methods_supported', { S256: true }],
  ])('refuses a %s that is not an array of strings', (field, value) => {
    expect(codeOf(() => validateAuthorizationServerMetadata(asMetadata(ISSUER, { [field]: value })))).toBe(
      'invalid_metadata',
    );
  });

  it.each([null, [], 'x', 1])('refuses a document that is not an object (%j)', (raw) => {
    expect(codeOf(() => validateAuthorizationServerMetadata(raw))).toBe('invalid_metadata');
  });

  it.each([undefined, '', 7])('refuses a missing or empty issuer (%j)', (issuer) => {
    expect(codeOf(() => validateAuthorizationServerMetadata(asMetadata(ISSUER, { issuer })))).toBe(
      'invalid_metadata',
    );
  });

  it('compares the issuer exactly: a trailing slash, case or default port differs', () => {
    for (const expected of [`${ISSUER}/`, 'https://AS.example/t1', 'https://as.example:443/t1']) {
      expect(
        codeOf(() => validateAuthorizationServerMetadata(asMetadata(ISSUER), { expectedIssuer: expected })),
      ).toBe('issuer_mismatch');
    }
    expect(
      codeOf(() => validateAuthorizationServerMetadata(asMetadata(ISSUER), { expectedIssuer: ISSUER })),
    ).toBeUndefined();
  });

  it('names the issuer id and URL on the error, never the upstream issuer value', () => {
    let error: DiscoveryError | undefined;
    try {
      validateAuthorizationServerMetadata(asMetadata('https://evil.example/"injected"'), {
        expectedIssuer: ISSUER,
        url: 'https://as.example/.well-known/openid-configuration',
        issuerId: 'main',
      });
    } catch (err) {
      error = err as DiscoveryError;
    }
    expect(error?.issuerId).toBe('main');
    expect(error?.url).toBe('https://as.example/.well-known/openid-configuration');
    expect(error?.message).not.toContain('evil.example');
  });
});

describe('mcpReadiness', () => {
  it('finds nothing for a complete MCP-ready document', () => {
    expect(codes(asMetadata(ISSUER))).toEqual([]);
  });

  it('treats absent grant_types_supported as the RFC 8414 default (authorization_code included)', () => {
    expect(codes(asMetadata(ISSUER, { grant_types_supported: undefined }))).toEqual([]);
    expect(codes(asMetadata(ISSUER, { grant_types_supported: ['client_credentials'] }))).toEqual([
      'no_authorization_code_grant',
    ]);
  });

  it('an absent code_challenge_methods_supported is a warning naming the quirk and the transpile fix', () => {
    const findings = mcpReadiness(
      asMetadata(ISSUER, {
        code_challenge_methods_supported: undefined,
      }) as unknown as AuthorizationServerMetadata,
    );
    const pkce = findings.find((f) => f.code === 'pkce_not_advertised');
    expect(pkce?.severity).toBe('warning');
    expect(pkce?.message).toMatch(/Entra|Cognito/);
    expect(pkce?.message).toContain('transpile');
    expect(codes(asMetadata(ISSUER, { code_challenge_methods_supported: ['plain'] }))).toEqual(['no_s256']);
  });

  it('needs the code response type, registration or CIMD, and a jwks_uri', () => {
    expect(codes(asMetadata(ISSUER, { response_types_supported: ['token'] }))).toEqual([
      'no_code_response_type',
    ]);
    expect(codes(asMetadata(ISSUER, { response_types_supported: undefined }))).toEqual([
      'response_types_missing',
    ]);
    expect(codes(asMetadata(ISSUER, { registration_endpoint: undefined }))).toEqual([
      'no_client_registration',
    ]);
    expect(
      codes(
        asMetadata(ISSUER, { registration_endpoint: undefined, client_id_metadata_document_supported: true }),
      ),
    ).toEqual([]);
    expect(codes(asMetadata(ISSUER, { jwks_uri: undefined }))).toEqual(['no_jwks_uri']);
    expect(
      codes(asMetadata(ISSUER, { authorization_endpoint: undefined, token_endpoint: undefined })),
    ).toEqual(['no_authorization_endpoint', 'no_token_endpoint']);
  });
});

describe('case conversion', () => {
  it('maps snake_case to camelCase and back, keeping unknown fields', () => {
    const wire = { token_endpoint: 'https://as.example/token', vendor_x_flag: true, issuer: ISSUER };
    const camel = toCamelCase(wire);
    expect(camel).toEqual({ tokenEndpoint: 'https://as.example/token', vendorXFlag: true, issuer: ISSUER });
    expect(toSnakeCase(camel)).toEqual(wire);
  });

  it('keeps a "__proto__" key as an own field without touching any prototype', () => {
    const wire = JSON.parse('{"__proto__":{"polluted":true},"issuer":"x"}') as Record<string, unknown>;
    const snake = toSnakeCase(wire);
    expect(Object.getPrototypeOf(snake)).toBe(Object.prototype);
    expect(Object.hasOwn(snake, '__proto__')).toBe(true);
    const camel = toCamelCase(wire);
    expect(Object.getPrototypeOf(camel)).toBe(Object.prototype);
    expect((camel as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('refuseLocalHttpFromRemote', () => {
  const REMOTE = 'https://as.example/.well-known/oauth-authorization-server/t1';
  const check = (jwks: string, fetched: string, from = REMOTE) =>
    codeOf(() =>
      refuseLocalHttpFromRemote(
        validateAuthorizationServerMetadata(asMetadata(ISSUER, { jwks_uri: jwks })),
        { jwks_uri: fetched },
        from,
        'main',
      ),
    );

  it.each([
    'http://127.0.0.1:6379/',
    'http://[::1]:6379/',
    'http://LOCALHOST:6379/',
    'HTTP://127.0.0.1:6379/',
  ])('refuses %s named by a document fetched from another host', (endpoint) => {
    expect(check(endpoint, endpoint)).toBe('invalid_metadata');
  });

  it("leaves a loopback endpoint the manifest's transpile hook wrote alone (not the fetched value)", () => {
    expect(check('http://127.0.0.1:15001/jwks', 'https://as.example/jwks')).toBeUndefined();
  });

  it.each([
    ['a query added', 'http://127.0.0.1:9000/keys?appid=my-app'],
    ['a trailing slash added', 'http://127.0.0.1:9000/keys/'],
    ['the path changed', 'http://127.0.0.1:9000/other'],
    ['the host respelled', 'http://localhost:9000/keys'],
    ['another loopback address', 'http://127.0.0.2:9000/keys'],
    ['the IPv6 loopback', 'http://[::1]:9000/keys'],
  ])('still refuses the fetched plain-http origin after a hook edited it (%s)', (_name, edited) => {
    expect(check(edited, 'http://127.0.0.1:9000/keys')).toBe('invalid_metadata');
  });

  it.each(['http://127.0.0.1:8080/.well-known/openid-configuration', 'http://localhost:8080/x'])(
    'leaves a document fetched from loopback (%s) alone',
    (from) => {
      expect(check('http://127.0.0.1:6379/', 'http://127.0.0.1:6379/', from)).toBeUndefined();
    },
  );

  it('leaves https endpoints of a remote document alone', () => {
    expect(check('https://keys.example/jwks', 'https://keys.example/jwks')).toBeUndefined();
  });
});
