/**
 * Opaque tokens via RFC 7662 introspection against a real loopback introspection server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { b64url, now } from '../support/tokens.js';
import { startServer, type Handler, type TestServer } from '../support/servers.js';
import { type IntrospectionServer, issuerEntry, startIntrospectionServer } from '../support/issuer.js';
import { expectAccepted, expectRefused, harness, type Harness, testKeys } from './harness.js';
import { ISSUER, RESOURCE } from '../support/constants.js';

const CLIENT_ID = 'rs client:1';
const SECRET = 's3cr:t+/ é';

/** What the introspection server says, per token. */
const answers = new Map<string, Record<string, unknown>>();
const active = (extra: Record<string, unknown> = {}) => ({
  active: true,
  iss: ISSUER,
  aud: RESOURCE,
  client_id: 'intro-client',
  sub: 'user-9',
  scope: 'read write',
  exp: now() + 300,
  ...extra,
});

let server: IntrospectionServer;
let attacker: TestServer;
beforeAll(async () => {
  server = await startIntrospectionServer((token) => answers.get(token) ?? { active: false });
  attacker = await startServer((_req, res) => res.end('{}'));
});
afterAll(async () => {
  await server.close();
  await attacker.close();
});
beforeEach(() => {
  server.calls.length = 0;
});

async function introspecting(
  authMethod: 'client_secret_basic' | 'client_secret_post',
  format: 'introspection' | 'auto' = 'introspection',
  endpoint = server.endpoint,
): Promise<Harness> {
  return harness({
    issuers: {
      main: {
        ...issuerEntry(ISSUER, { keys: [testKeys().RS256.publicJwk] }),
        introspection: { endpoint, clientId: CLIENT_ID, clientSecretEnv: 'RS_SECRET', authMethod },
      },
    },
    token: { format },
    env: { RS_SECRET: SECRET },
  });
}

let seq = 0;
function opaque(answer: Record<string, unknown>): string {
  const token = `opaque-${++seq}-${Math.random().toString(36).slice(2)}`;
  answers.set(token, answer);
  return token;
}

describe('introspection with client_secret_basic', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await introspecting('client_secret_basic');
  });
  afterAll(() => h.close());

  it('authenticates with form-encoded Basic credentials and accepts an active token', async () => {
    const token = opaque(active());
    const echo = expectAccepted(await h.call(token));
    expect(echo.auth).toMatchObject({
      token,
      clientId: 'intro-client',
      subject: 'user-9',
      scopes: ['read', 'write'],
      issuer: ISSUER,
      audience: [RESOURCE],
    });
    expect(server.calls).toHaveLength(1);
    const call = server.calls[0]!;
    const enc = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
    expect(call.authorization).toBe(
      `Basic ${Buffer.from(`${enc(CLIENT_ID)}:${enc(SECRET)}`).toString('base64')}`,
    );
    expect(call.form.get('token')).toBe(token);
    expect(call.form.get('token_type_hint')).toBe('access_token');
    expect(call.form.has('client_secret')).toBe(false);
  });

  it('caches positive results: a reused token is introspected once', async () => {
    const token = opaque(active());
    expectAccepted(await h.call(token));
    expectAccepted(await h.call(token));
    expectAccepted(await h.call(token));
    expect(server.calls).toHaveLength(1);
  });

  it('a token handed straight to verifyAccessToken (as the MCP SDK does) must be b64token too: nothing outside the grammar is introspected or cached', async () => {
    const token = opaque(active()).replace('-', '!'); // active, were it asked
    answers.set(token, active());
    const verifier = h.auth.tokenVerifier(RESOURCE);
    for (let i = 0; i < 2; i++) {
      await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
        code: 'invalid_request',
        reason: 'malformed_header',
      });
    }
    expect(server.calls).toHaveLength(0);
  });

  it('does not cache negative results', async () => {
    const token = opaque({ active: false });
    expectRefused(await h.call(token), { status: 401, error: 'invalid_token', reason: 'inactive' });
    answers.set(token, active());
    expectAccepted(await h.call(token));
    expect(server.calls).toHaveLength(2);
  });

  it.each([
    ['active false', { active: false }, 'inactive'],
    ['active as a string', active({ active: 'true' }), 'inactive'],
    ['no active member', { ...active(), active: undefined }, 'inactive'],
    ['an expired exp', active({ exp: now() - 60 }), 'expired'],
    ['a non-numeric exp', active({ exp: 'soon' }), 'invalid_claims'],
    ['an nbf in the future', active({ nbf: now() + 600 }), 'not_yet_valid'],
    ['another iss', active({ iss: 'https://evil.example.com' }), 'unknown_issuer'],
    ['iss with a trailing slash', active({ iss: `${ISSUER}/` }), 'unknown_issuer'],
    ['no aud', active({ aud: undefined }), 'audience'],
    ['another aud', active({ aud: 'https://other.example.com/mcp' }), 'audience'],
    ['a cnf binding', active({ cnf: { jkt: 'abc' } }), 'bound_token'],
  ] as const)('refuses %s', async (_name, answer, reason) => {
    const res = await h.call(opaque(answer));
    expectRefused(res, { status: 401, error: 'invalid_token', reason });
  });

  it('checks scopes of introspected tokens like JWT scopes (403 insufficient_scope)', async () => {
    const token = opaque(active({ scope: 'read' }));
    const result = await h.auth.authenticate(
      { method: 'GET', url: '/mcp', authorization: [`Bearer ${token}`] },
      { scopes: ['admin'] },
    );
    expect(result.response?.status).toBe(403);
    expect(result.response?.headers['www-authenticate']).toBe(
      `Bearer error="insufficient_scope", error_description="The access token lacks a required scope", scope="read admin", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"`,
    );
    const ok = await h.auth.authenticate(
      { method: 'GET', url: '/mcp', authorization: [`Bearer ${token}`] },
      { scopes: ['read'] },
    );
    expect(ok.auth?.scopes).toEqual(['read']);
  });

  it('never takes the endpoint from the token (a JWT naming another endpoint is posted to the configured one)', async () => {
    const header = b64url(JSON.stringify({ alg: 'none', jku: `${attacker.origin}/jwks` }));
    const payload = b64url(
      JSON.stringify({
        iss: attacker.origin,
        introspection_endpoint: `${attacker.origin}/introspect`,
        aud: RESOURCE,
      }),
    );
    const token = `${header}.${payload}.c2ln`;
    const res = await h.call(token);
    expectRefused(res, { status: 401, error: 'invalid_token', reason: 'inactive' });
    expect(server.calls.map((c) => c.form.get('token'))).toEqual([token]);
    expect(attacker.connections()).toBe(0);
  });
});

describe('introspection with client_secret_post', () => {
  it('sends client_id and client_secret in the form, no Authorization header', async () => {
    const h = await introspecting('client_secret_post');
    try {
      const token = opaque(active());
      expectAccepted(await h.call(token));
      const call = server.calls[0]!;
      expect(call.authorization).toBeUndefined();
      expect(call.form.get('client_id')).toBe(CLIENT_ID);
      expect(call.form.get('client_secret')).toBe(SECRET);
      expect(call.form.get('token')).toBe(token);
    } finally {
      await h.close();
    }
  });
});

describe('format auto', () => {
  it('verifies JWT-shaped tokens locally and introspects the others', async () => {
    const h = await introspecting('client_secret_basic', 'auto');
    try {
      expectAccepted(await h.call(h.token()));
      expect(server.calls).toHaveLength(0);
      expectAccepted(await h.call(opaque(active())));
      expect(server.calls).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe('introspection endpoint unavailable', () => {
  it('answers 503 with Retry-After, never invalid_token', async () => {
    const dead = await startServer((_req, res) => res.end());
    const url = `${dead.origin}/introspect`;
    await dead.close();
    const h = await introspecting('client_secret_basic', 'introspection', url);
    try {
      expectRefused(await h.call(opaque(active())), { status: 503 });
    } finally {
      await h.close();
    }
  });

  // A broken endpoint is the server's trouble, not the caller's: 503, never a 401 that would send
  // the client to sign in again.
  it.each<[string, Handler]>([
    ['answers HTTP 500', (_req, res) => res.writeHead(500).end('{"error":"server_error"}')],
    [
      'refuses our credentials (HTTP 401)',
      (_req, res) => res.writeHead(401).end('{"error":"invalid_client"}'),
    ],
    ['answers 204 with no body', (_req, res) => res.writeHead(204).end()],
    ['answers HTML', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>oops</h1>')],
    ['answers a JSON array', (_req, res) => res.writeHead(200).end('[{"active":true}]')],
    [
      'drops the connection mid-answer',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '64' });
        res.write('{"active":true,');
        setImmediate(() => res.socket?.destroy());
      },
    ],
  ])('answers 503 when the endpoint %s', async (_name, handler) => {
    const broken = await startServer(handler);
    const h = await introspecting('client_secret_basic', 'introspection', `${broken.origin}/introspect`);
    try {
      expectRefused(await h.call(opaque(active())), { status: 503 });
      expect(broken.count()).toBe(1);
    } finally {
      await h.close();
      await broken.close();
    }
  });

  it('refuses to compile when the secret variable is not set', async () => {
    await expect(
      harness({
        issuers: {
          main: {
            ...issuerEntry(ISSUER, { keys: [] }),
            introspection: { endpoint: server.endpoint, clientId: 'x', clientSecretEnv: 'NOT_SET_ANYWHERE' },
          },
        },
        token: { format: 'introspection' },
        env: {},
      }),
    ).rejects.toMatchObject({ code: 'invalid_option' });
  });
});

describe("an introspected token and its issuer's own rules", () => {
  it('are the rules of the issuer that introspected it, even when another issuer of the resource turns out to have the same identifier', async () => {
    // Named by a well-known URL only, so `validate` cannot see that it is the same issuer.
    const metadata = await startServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer: ISSUER,
          authorization_endpoint: `${ISSUER}/authorize`,
          response_types_supported: ['code'],
        }),
      ),
    );
    const h = await harness({
      issuers: {
        plain: {
          wellKnownUrl: `${metadata.origin}/.well-known/oauth-authorization-server`,
          jwks: { keys: [testKeys().RS256.publicJwk] },
        },
        main: {
          ...issuerEntry(ISSUER, { keys: [testKeys().RS256.publicJwk] }),
          introspection: { endpoint: server.endpoint, clientId: CLIENT_ID, clientSecretEnv: 'RS_SECRET' },
          requireClaims: { typ: 'Bearer' },
        },
      },
      resource: { authorizationServers: ['plain', 'main'] },
      token: { format: 'auto' },
      env: { RS_SECRET: SECRET },
    });
    try {
      expectRefused(await h.call(opaque(active({ typ: 'ID' }))), {
        status: 401,
        error: 'invalid_token',
        reason: 'invalid_claims',
      });
      expectAccepted(await h.call(opaque(active({ typ: 'Bearer' }))));
    } finally {
      await h.close();
      await metadata.close();
    }
  });
});
