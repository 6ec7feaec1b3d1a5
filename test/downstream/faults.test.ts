/**
 * The broker against a token endpoint that misbehaves: redirects, stalls, fails, refuses with a
 * hostile description, or answers something that is not a token response. Each outcome is a
 * typed DownstreamError with a stable code; nothing the server wrote reaches a message or a log.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compile, DownstreamError, type AuthInfo, type McpAuth } from '../../src/index.js';
import { RESOURCE } from '../support/constants.js';
import { exchangeManifest, startStaticExchangeIssuer } from '../support/exchange-issuer.js';
import { bearerRequest, startFakeIssuer, type FakeIssuer } from '../support/issuer.js';
import {
  closeAllServers,
  neverAnswer,
  redirectHandler,
  rawHandler,
  sendJson,
  type Handler,
  type TestServer,
} from '../support/servers.js';
import { claims, makeKey, signToken, type SigningKey } from '../support/tokens.js';

const SECRET = 'fault-test-client-secret';
const HOSTILE = 'HOSTILE-DESCRIPTION <script>alert(1)</script>\r\nX-Injected: yes';
const GOOD = {
  access_token: 'exchanged.token.value',
  token_type: 'Bearer',
  issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  expires_in: 300,
};

let key: SigningKey;
let inbound: FakeIssuer;
let as: TestServer;
let token: Handler;
let auth: McpAuth;
const logs: string[] = [];

beforeAll(async () => {
  key = makeKey('ES256');
  inbound = await startFakeIssuer([key]);
  as = await startStaticExchangeIssuer((req, res, s) => token(req, res, s), { '/elsewhere': GOOD });
  auth = await compile(exchangeManifest(inbound.issuer, as.origin, { fetch: { timeoutMs: 300 } }), {
    env: { SECRET },
    logger: {
      warn: (m, d) => logs.push(JSON.stringify([m, d])),
      debug: (m, d) => logs.push(JSON.stringify([m, d])),
    },
  });
});
afterAll(async () => {
  await auth?.close();
  await closeAllServers();
});
beforeEach(() => {
  token = (_req, res) => sendJson(res, 200, GOOD);
});

async function caller(): Promise<AuthInfo> {
  const value = signToken(key, claims(inbound.issuer, RESOURCE, { sub: `u-${Math.random()}` }));
  return (await auth.authenticate(bearerRequest(value))).auth!;
}

async function failure(answer: Handler): Promise<{ err: DownstreamError; info: AuthInfo }> {
  token = answer;
  const info = await caller();
  const err = await auth.downstreamToken(info, 'api').then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DownstreamError);
  const e = err as DownstreamError;
  // Nothing of the answer, the inbound token or the secret in the error or the logs.
  const text = [e.message, JSON.stringify(e), String(e.stack), ...logs].join('\n');
  for (const leak of [HOSTILE, 'HOSTILE', SECRET, info.token, GOOD.access_token])
    expect(text).not.toContain(leak);
  return { err: e, info };
}

const json =
  (status: number, value: unknown): Handler =>
  (_req, res) =>
    sendJson(res, status, value);

describe('refusals', () => {
  it('carries the AS error code but never its error_description', async () => {
    const { err } = await failure(json(400, { error: 'invalid_grant', error_description: HOSTILE }));
    expect(err).toMatchObject({ code: 'exchange_refused', oauthError: 'invalid_grant', status: 400 });
  });

  it('reports an unknown or hostile error code as unrecognized', async () => {
    const { err } = await failure(json(401, { error: HOSTILE }));
    expect(err).toMatchObject({ code: 'exchange_refused', oauthError: 'unrecognized', status: 401 });
  });

  it('sends the client id and secret with Basic auth and the subject token in the body', async () => {
    let seen: { authorization?: string | undefined; body?: string } = {};
    token = (req, res: ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen = { authorization: req.headers.authorization, body };
        sendJson(res, 200, GOOD);
      });
    };
    const info = await caller();
    await auth.downstreamToken(info, 'api');
    expect(seen.authorization).toBe(`Basic ${Buffer.from(`mcp:${SECRET}`).toString('base64')}`);
    const form = new URLSearchParams(seen.body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: info.token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: 'api',
    });
  });
});

describe('an AS that is unavailable', () => {
  it('does not follow a redirect (3xx is exchange_unavailable)', async () => {
    const before = as.count('/elsewhere');
    const { err } = await failure(redirectHandler(`${'http://127.0.0.1'}:${as.port}/elsewhere`, 307));
    expect(err).toMatchObject({ code: 'exchange_unavailable', status: 307 });
    expect(as.count('/elsewhere')).toBe(before);
  });

  it('reports a 5xx as exchange_unavailable', async () => {
    const { err } = await failure(
      json(503, { error: 'temporarily_unavailable', error_description: HOSTILE }),
    );
    expect(err).toMatchObject({ code: 'exchange_unavailable', status: 503 });
  });

  it('reports a 429 as exchange_unavailable (try later), not as a refusal', async () => {
    const { err } = await failure((_req, res) =>
      res
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': '5' })
        .end(JSON.stringify({ error: 'invalid_grant', error_description: HOSTILE })),
    );
    expect(err).toMatchObject({ code: 'exchange_unavailable', status: 429 });
  });

  it('gives up at the fetch deadline (timeout is exchange_unavailable)', async () => {
    const { err } = await failure(neverAnswer);
    expect(err.code).toBe('exchange_unavailable');
    expect(err.message).toContain('(timeout)');
  });
});

describe('answers that are not a usable token response', () => {
  const cases: Record<string, unknown> = {
    'no access_token': { ...GOOD, access_token: undefined },
    'an access_token that is not a header-safe token': {
      ...GOOD,
      access_token: `a\r\nX-Injected: ${HOSTILE}`,
    },
    'a token_type other than Bearer': { ...GOOD, token_type: 'DPoP' },
    'no issued_token_type': { ...GOOD, issued_token_type: undefined },
    'an issued_token_type that is not an access token': {
      ...GOOD,
      issued_token_type: 'urn:ietf:params:oauth:token-type:refresh_token',
    },
    'no expires_in': { ...GOOD, expires_in: undefined },
    'a non-positive expires_in': { ...GOOD, expires_in: 0 },
    'a string expires_in': { ...GOOD, expires_in: '300' },
  };
  for (const [name, body] of Object.entries(cases)) {
    it(`refuses ${name}`, async () => {
      const { err } = await failure(json(200, body));
      expect(err.code).toBe('exchange_invalid_response');
    });
  }

  it('refuses a body that is not JSON', async () => {
    const { err } = await failure(rawHandler(`<html>${HOSTILE}</html>`, 'text/html'));
    expect(err.code).toBe('exchange_invalid_response');
  });

  it('does not cache a failure: the next call asks again', async () => {
    token = json(400, { error: 'invalid_grant' });
    const info = await caller();
    const before = as.count('/token');
    await expect(auth.downstreamToken(info, 'api')).rejects.toBeInstanceOf(DownstreamError);
    token = json(200, GOOD);
    expect((await auth.downstreamToken(info, 'api')).accessToken).toBe(GOOD.access_token);
    expect(as.count('/token') - before).toBe(2);
  });
});
