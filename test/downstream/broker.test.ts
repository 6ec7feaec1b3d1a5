/**
 * The token broker against the real oidc-provider as exchanging authorization server (RFC 8693
 * and on-behalf-of grants registered with `registerGrantType`), a loopback downstream API that
 * accepts only its own audience, and inbound tokens verified by the compiled runtime.
 */
import { exportPKCS8 } from 'jose';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, DownstreamError, type AuthInfo, type McpAuth } from '../../src/index.js';
import type { ManifestInput } from '../../src/manifest/schema.js';
import { startExchangeIssuer, startDownstreamApi, type ExchangeIssuer } from '../support/exchange-issuer.js';
import { RESOURCE } from '../support/constants.js';
import { bearerRequest, startFakeIssuer, type FakeIssuer } from '../support/issuer.js';
import { claims, makeKey, now, signToken, type SigningKey } from '../support/tokens.js';
import { closeAllServers } from '../support/servers.js';
import { rejection } from '../support/rejection.js';

const TE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const OBO = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const GRANTS = [TE, OBO, 'client_credentials'];
// Characters that RFC 6749 §2.3.1 form-encoding must carry through Basic auth intact.
const SECRET = 'p+ss:w%rd x/secret';

let key: SigningKey;
let other: SigningKey;
let inbound: FakeIssuer;
let stranger: FakeIssuer;
let exchange: ExchangeIssuer;
let api: Awaited<ReturnType<typeof startDownstreamApi>>;
let auth: McpAuth;
const logs: string[] = [];

beforeAll(async () => {
  key = makeKey('ES256');
  other = makeKey('ES256');
  inbound = await startFakeIssuer([key]);
  stranger = await startFakeIssuer([other]);
  const clientKey = makeKey('ES256', { kid: 'client-key-1' });
  exchange = await startExchangeIssuer({
    trust: { issuer: inbound.issuer, jwksUri: inbound.jwksUri },
    audiences: ['notes-api'],
    clients: [
      { client_id: 'mcp-basic', client_secret: SECRET, grant_types: GRANTS },
      {
        client_id: 'mcp-post',
        client_secret: 'post-secret-value',
        grant_types: GRANTS,
        token_endpoint_auth_method: 'client_secret_post',
      },
      {
        client_id: 'mcp-pkjwt',
        grant_types: GRANTS,
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [clientKey.publicJwk] },
      },
      {
        client_id: 'mcp-limited',
        client_secret: 'limited-secret',
        grant_types: GRANTS,
        allowedAudiences: [],
      },
    ],
  });
  api = await startDownstreamApi({
    issuer: exchange.issuer,
    jwksUri: exchange.jwksUri,
    audience: 'notes-api',
  });

  const dir = mkdtempSync(join(tmpdir(), 'mcp-auth-downstream-'));
  writeFileSync(join(dir, 'client.pem'), await exportPKCS8(clientKey.privateKey));
  const basic = { method: 'client_secret_basic' as const, secretEnv: 'NOTES_SECRET' };
  const manifest: ManifestInput = {
    issuers: {
      main: { issuer: inbound.issuer, type: 'oauth' },
      stranger: { issuer: stranger.issuer, type: 'oauth' },
      xchg: { issuer: exchange.issuer, type: 'oidc' },
    },
    resources: [{ resource: RESOURCE, authorizationServers: ['main', 'stranger'] }],
    downstream: {
      notes: {
        issuer: 'xchg',
        grant: 'token-exchange',
        audience: 'notes-api',
        clientId: 'mcp-basic',
        clientAuth: basic,
      },
      'notes-scoped': {
        issuer: 'xchg',
        grant: 'token-exchange',
        audience: 'notes-api',
        scope: ['notes:read'],
        clientId: 'mcp-basic',
        clientAuth: basic,
      },
      'notes-post': {
        issuer: 'xchg',
        grant: 'token-exchange',
        audience: 'notes-api',
        clientId: 'mcp-post',
        clientAuth: { method: 'client_secret_post', secretEnv: 'POST_SECRET' },
      },
      'notes-jwk': {
        issuer: 'xchg',
        grant: 'token-exchange',
        audience: 'notes-api',
        clientId: 'mcp-pkjwt',
        clientAuth: { method: 'private_key_jwt', keyEnv: 'CLIENT_JWK' },
      },
      'notes-pem': {
        issuer: 'xchg',
        grant: 'token-exchange',
        audience: 'notes-api',
        clientId: 'mcp-pkjwt',
        clientAuth: { method: 'private_key_jwt', keyFile: 'client.pem', alg: 'ES256', kid: 'client-key-1' },
      },
      'notes-obo': {
        issuer: 'xchg',
        grant: 'jwt-bearer',
        scope: ['notes:read'],
        clientId: 'mcp-basic',
        clientAuth: basic,
      },
      'notes-actor': {
        issuer: 'xchg',
        grant: 'token-exchange',
        audience: 'notes-api',
        actor: {},
        clientId: 'mcp-basic',
        clientAuth: basic,
      },
      'notes-limited': {
        issuer: 'xchg',
        grant: 'token-exchange',
        audience: 'notes-api',
        clientId: 'mcp-limited',
        clientAuth: { method: 'client_secret_basic', secretEnv: 'LIMITED_SECRET' },
      },
    },
  };
  auth = await compile(manifest, {
    cwd: dir,
    env: {
      NOTES_SECRET: SECRET,
      POST_SECRET: 'post-secret-value',
      LIMITED_SECRET: 'limited-secret',
      CLIENT_JWK: JSON.stringify(clientKey.privateJwk),
    },
    logger: {
      warn: (message, details) => logs.push(JSON.stringify([message, details])),
      debug: (message, details) => logs.push(JSON.stringify([message, details])),
    },
  });
});

afterAll(async () => {
  await auth?.close();
  await exchange?.close();
  await api?.close();
  await closeAllServers();
});

/** A verified identity of `sub`, as a tool handler receives it. */
async function caller(
  sub: string,
  options: { expiresIn?: number; from?: 'stranger' } = {},
): Promise<AuthInfo> {
  const [signer, iss] = options.from ? [other, stranger.issuer] : [key, inbound.issuer];
  const token = signToken(signer, claims(iss, RESOURCE, { sub, exp: now() + (options.expiresIn ?? 300) }));
  const result = await auth.authenticate(bearerRequest(token));
  if (!result.auth) throw new Error('the test token was not accepted');
  return result.auth;
}

async function callApi(
  accessToken: string,
): Promise<{ status: number; body?: { sub: string; act: unknown } }> {
  const res = await fetch(`${api.url}/whoami`, { headers: { authorization: `Bearer ${accessToken}` } });
  return {
    status: res.status,
    ...(res.ok ? { body: (await res.json()) as { sub: string; act: unknown } } : {}),
  };
}

const refusal = (promise: Promise<unknown>) => rejection(promise, DownstreamError);

describe('token exchange (RFC 8693)', () => {
  it("exchanges the caller's token for one the downstream API accepts as that user, and not the inbound token", async () => {
    const alice = await caller('alice');
    const before = exchange.exchanges.length;
    const token = await auth.downstreamToken(alice, 'notes');
    expect(token).toMatchObject({
      tokenType: 'Bearer',
      issuedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
    });
    expect(token.expiresAt).toBeGreaterThan(Date.now() / 1000 + 200);
    expect(exchange.exchanges.slice(before)).toEqual([
      {
        grant: 'token-exchange',
        clientId: 'mcp-basic',
        sub: 'alice',
        audience: 'notes-api',
        scope: undefined,
        actor: undefined,
      },
    ]);
    expect(await callApi(token.accessToken)).toEqual({ status: 200, body: { sub: 'alice', act: null } });
    expect((await callApi(alice.token)).status).toBe(401);
  });

  it('reuses the exchanged token for the same caller and makes one exchange for 50 concurrent calls', async () => {
    const bob = await caller('bob');
    const before = exchange.tokenRequests();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => auth.downstreamToken(bob, 'notes')));
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    expect(exchange.tokenRequests() - before).toBe(1);
    const again = await auth.downstreamToken(bob, 'notes');
    expect(again.accessToken).toBe(tokens[0]!.accessToken);
    expect(exchange.tokenRequests() - before).toBe(1);
  });

  it('keeps separate tokens per caller and per downstream entry', async () => {
    const carol = await caller('carol');
    const dave = await caller('dave');
    const a = await auth.downstreamToken(carol, 'notes');
    const b = await auth.downstreamToken(dave, 'notes');
    const c = await auth.downstreamToken(carol, 'notes-scoped');
    expect(new Set([a.accessToken, b.accessToken, c.accessToken]).size).toBe(3);
    expect((await callApi(b.accessToken)).body?.sub).toBe('dave');
    expect(exchange.exchanges.at(-1)).toMatchObject({ sub: 'carol', scope: 'notes:read' });
  });

  it('exchanges again once the exchanged token is about to expire', async () => {
    exchange.setLifetime(1);
    try {
      const erin = await caller('erin');
      const before = exchange.tokenRequests();
      const first = await auth.downstreamToken(erin, 'notes');
      expect((await auth.downstreamToken(erin, 'notes')).accessToken).toBe(first.accessToken);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const second = await auth.downstreamToken(erin, 'notes');
      expect(second.accessToken).not.toBe(first.accessToken);
      expect(exchange.tokenRequests() - before).toBe(2);
    } finally {
      exchange.setLifetime(300);
    }
  });

  it("never reuses an exchanged token past the caller's own token expiry", async () => {
    const frank = await caller('frank', { expiresIn: 2 });
    const before = exchange.tokenRequests();
    await auth.downstreamToken(frank, 'notes');
    await auth.downstreamToken(frank, 'notes');
    expect(exchange.tokenRequests() - before).toBe(1);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, frank.expiresAt! * 1000 - Date.now()) + 50),
    );
    // The cached token is gone; the exchanging AS now sees an expired subject token.
    const err = await refusal(auth.downstreamToken(frank, 'notes'));
    expect(err).toMatchObject({ code: 'exchange_refused', oauthError: 'invalid_grant' });
    expect(exchange.tokenRequests() - before).toBe(2);
  });

  it("sends this server's client-credentials token as actor_token, fetched once for several callers", async () => {
    const before = exchange.tokenRequests();
    const first = await auth.downstreamToken(await caller('gina'), 'notes-actor');
    await auth.downstreamToken(await caller('hugo'), 'notes-actor');
    expect(exchange.exchanges.at(-1)).toMatchObject({ sub: 'hugo', actor: 'mcp-basic' });
    expect(exchange.tokenRequests() - before).toBe(3); // one client_credentials + two exchanges
    expect((await callApi(first.accessToken)).body).toEqual({ sub: 'gina', act: { sub: 'mcp-basic' } });
  });
});

describe('client authentication', () => {
  it('authenticates with client_secret_post', async () => {
    const token = await auth.downstreamToken(await caller('ivan'), 'notes-post');
    expect(exchange.exchanges.at(-1)).toMatchObject({ clientId: 'mcp-post', sub: 'ivan' });
    expect((await callApi(token.accessToken)).status).toBe(200);
  });

  it('authenticates with private_key_jwt from a JWK in a variable and from a PEM file (verified by the AS)', async () => {
    await auth.downstreamToken(await caller('judy'), 'notes-jwk');
    expect(exchange.exchanges.at(-1)).toMatchObject({ clientId: 'mcp-pkjwt', sub: 'judy' });
    await auth.downstreamToken(await caller('karl'), 'notes-pem');
    expect(exchange.exchanges.at(-1)).toMatchObject({ clientId: 'mcp-pkjwt', sub: 'karl' });
  });
});

describe('on-behalf-of (jwt-bearer)', () => {
  it('gets a token with requested_token_use=on_behalf_of and the configured scope', async () => {
    const token = await auth.downstreamToken(await caller('lena'), 'notes-obo');
    expect(token.issuedTokenType).toBeUndefined();
    expect(exchange.exchanges.at(-1)).toMatchObject({
      grant: 'jwt-bearer',
      sub: 'lena',
      scope: 'notes:read',
    });
    expect((await callApi(token.accessToken)).body?.sub).toBe('lena');
  });
});

describe('refusals by the exchanging AS', () => {
  it('reports invalid_grant for a subject token the AS does not accept, and does not cache the failure', async () => {
    const mallory = await caller('mallory', { from: 'stranger' });
    const before = exchange.tokenRequests();
    const err = await refusal(auth.downstreamToken(mallory, 'notes'));
    expect(err).toMatchObject({
      code: 'exchange_refused',
      oauthError: 'invalid_grant',
      status: 400,
      downstream: 'notes',
    });
    await refusal(auth.downstreamToken(mallory, 'notes'));
    expect(exchange.tokenRequests() - before).toBe(2);
  });

  it('reports unauthorized_client for a client the AS does not allow this audience', async () => {
    const err = await refusal(auth.downstreamToken(await caller('nina'), 'notes-limited'));
    expect(err).toMatchObject({ code: 'exchange_refused', oauthError: 'unauthorized_client' });
  });

  it('refuses a name that is not in the manifest', async () => {
    const err = await refusal(auth.downstreamToken(await caller('omar'), 'nope'));
    expect(err.code).toBe('downstream_unknown');
    expect(err.message).toContain('notes-obo');
  });

  it('never puts a secret, a token or AS text in logs or error messages', async () => {
    const pat = await caller('pat', { from: 'stranger' });
    const err = await refusal(auth.downstreamToken(pat, 'notes'));
    const text = [err.message, JSON.stringify(err), String(err.stack), ...logs].join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [
      SECRET,
      encodeURIComponent(SECRET),
      'post-secret-value',
      pat.token,
      'subject token is invalid',
    ])
      expect(text).not.toContain(secret);
  });
});
