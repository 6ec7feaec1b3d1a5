/**
 * The `downstream` section offline: shape and meaning (validateManifest), and the credentials
 * compile() reads before any fetch (missing or empty variables, unusable keys), never echoing a
 * secret or key.
 */
import { describe, expect, it } from 'vitest';
import { compile, OptionError, validateManifest } from '../../src/index.js';
import type { ManifestInput } from '../../src/manifest/schema.js';

const base = (downstream: Record<string, unknown>): ManifestInput =>
  ({
    issuers: {
      main: { metadata: { issuer: 'http://127.0.0.1:1', tokenEndpoint: 'http://127.0.0.1:1/token' } },
    },
    resources: [{ resource: 'http://127.0.0.1:2/mcp', authorizationServers: ['main'] }],
    downstream,
    settings: { startup: 'lazy' },
  }) as ManifestInput;

const secret = { method: 'client_secret_basic', secretEnv: 'DS_SECRET' };
const entry = (extra: Record<string, unknown> = {}) => ({
  issuer: 'main',
  grant: 'token-exchange',
  audience: 'api',
  clientId: 'mcp',
  clientAuth: secret,
  ...extra,
});

function codes(input: ManifestInput): string[] {
  return validateManifest(input).issues.map((i) => `${i.code}@${i.path.join('.')}`);
}

describe('validate', () => {
  it('accepts a complete entry and counts its issuer as used', () => {
    const input = base({ api: entry() });
    (input as { issuers: Record<string, unknown> }).issuers.xchg = {
      metadata: { issuer: 'http://127.0.0.1:3' },
    };
    (input as { downstream: Record<string, unknown> }).downstream = { api: entry({ issuer: 'xchg' }) };
    expect(codes(input)).toEqual([]);
  });

  it('names an unknown issuer with a hint', () => {
    const result = validateManifest(base({ api: entry({ issuer: 'mian' }) }));
    expect(result.issues).toContainEqual(
      expect.objectContaining({ code: 'unknown_issuer', path: ['downstream', 'api', 'issuer'] }),
    );
    expect(result.issues.find((i) => i.code === 'unknown_issuer')?.message).toContain('main');
  });

  it('refuses token-exchange parameters on the on-behalf-of grant, and requires its scope', () => {
    expect(codes(base({ obo: entry({ grant: 'jwt-bearer', actor: {} }) }))).toEqual(
      expect.arrayContaining([
        'downstream_grant_parameter@downstream.obo.audience',
        'downstream_grant_parameter@downstream.obo.actor',
        'downstream_scope@downstream.obo.scope',
      ]),
    );
  });

  it('needs exactly one private key source', () => {
    const both = { method: 'private_key_jwt', keyFile: 'k.pem', keyEnv: 'K' };
    expect(codes(base({ api: entry({ clientAuth: both }) }))).toContain(
      'client_key_source@downstream.api.clientAuth',
    );
    expect(codes(base({ api: entry({ clientAuth: { method: 'private_key_jwt' } }) }))).toContain(
      'client_key_source@downstream.api.clientAuth',
    );
  });

  it('refuses unknown keys, a secret written inline, and a resource that is not an absolute URL', () => {
    expect(validateManifest(base({ api: entry({ clientSecret: 'x' }) })).manifest).toBeUndefined();
    expect(
      validateManifest(base({ api: entry({ clientAuth: { method: 'client_secret_post', secret: 'x' } }) }))
        .manifest,
    ).toBeUndefined();
    expect(codes(base({ api: entry({ resource: 'notes' }) }))).toContain(
      'invalid_url@downstream.api.resource',
    );
  });
});

describe('compile reads the credentials', () => {
  const fails = async (input: ManifestInput, env: Record<string, string>) => {
    const err = await compile(input, { env }).then(
      async (auth) => {
        await auth.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OptionError);
    return (err as OptionError).message;
  };

  it('refuses a missing or empty secret variable, naming it', async () => {
    expect(await fails(base({ api: entry() }), {})).toContain('DS_SECRET (the client secret) is not set');
    expect(await fails(base({ api: entry() }), { DS_SECRET: '  ' })).toContain(
      'DS_SECRET (the client secret) is empty',
    );
  });

  it('refuses a key file that cannot be read, and a key that is not a private key, without echoing it', async () => {
    const file = { method: 'private_key_jwt', keyFile: 'no-such-key.pem' };
    expect(await fails(base({ api: entry({ clientAuth: file }) }), {})).toMatch(
      /cannot read .*no-such-key\.pem \(ENOENT\)/,
    );
    const env = { method: 'private_key_jwt', keyEnv: 'DS_KEY' };
    const publicJwk = JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'PUBLIC-X-VALUE', y: 'PUBLIC-Y-VALUE' });
    const message = await fails(base({ api: entry({ clientAuth: env }) }), { DS_KEY: publicJwk });
    expect(message).toContain('environment variable DS_KEY is a public JWK');
    expect(message).not.toContain('PUBLIC-X-VALUE');
    const symmetric = JSON.stringify({ kty: 'oct', k: 'SYMMETRIC-SECRET' });
    const again = await fails(base({ api: entry({ clientAuth: env }) }), { DS_KEY: symmetric });
    expect(again).toContain('symmetric');
    expect(again).not.toContain('SYMMETRIC-SECRET');
  });

  it('compiles with the secret present, and the runtime never exposes it', async () => {
    const auth = await compile(base({ api: entry() }), { env: { DS_SECRET: 'the-real-secret' } });
    try {
      expect(JSON.stringify(auth)).not.toContain('the-real-secret');
    } finally {
      await auth.close();
    }
  });
});
