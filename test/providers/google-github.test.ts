/**
 * The opaque-token presets: `google` (tokeninfo, emulated on loopback with Google's answer shape:
 * numbers as strings, `aud`/`azp` the OAuth client, `expires_in`) and `github` (`GET /user` with
 * `Authorization: Bearer`, 401 for a bad token).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { validateManifest } from '../../src/manifest/parse.js';
import type { ManifestInput } from '../../src/manifest/schema.js';
import { expandPreset } from '../../src/providers/expand-preset.js';
import { routes, sendJson, startServer } from '../support/servers.js';
import { loadCapture } from '../support/issuer.js';
import { now } from '../support/tokens.js';
import { refusal, verifierOf } from './support.js';
import { RESOURCE } from '../support/constants.js';

const CLIENT = '407408718192-5q9mn1c2ab3de4fg5hi6jk7lm8no9pq0.apps.googleusercontent.com';
const OTHER_CLIENT = '111111111111-otherclientotherclientotherclie.apps.googleusercontent.com';

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => resolve(new URLSearchParams(body)));
  });
}

describe('google preset (tokeninfo)', () => {
  async function google() {
    const answers = new Map<string, { status: number; body: unknown }>();
    const server = await startServer(() => undefined);
    const tokeninfo = async (req: IncomingMessage, res: ServerResponse) => {
      const form = await readForm(req);
      const answer = req.method === 'POST' ? answers.get(form.get('access_token') ?? '') : undefined;
      // Google answers 400 {"error":"invalid_token","error_description":"Invalid Value"} otherwise.
      if (!answer) return sendJson(res, 400, { error: 'invalid_token', error_description: 'Invalid Value' });
      sendJson(res, answer.status, answer.body);
    };
    server.setHandler(
      routes({
        '/.well-known/openid-configuration': loadCapture('google-accounts.json', server.origin),
        '/tokeninfo': tokeninfo,
      }),
    );
    const verify = await verifierOf({
      issuers: {
        google: {
          issuer: server.origin,
          preset: { name: 'google', clientIds: [CLIENT], tokenInfoUrl: `${server.origin}/tokeninfo` },
        },
      },
      resources: [{ resource: RESOURCE, authorizationServers: ['google'] }],
    });
    /** Google's tokeninfo answer for a token of `client`. */
    const answer = (client: string, expiresIn: number) => ({
      azp: client,
      aud: client,
      sub: '110169484474386276334',
      scope: 'openid https://www.googleapis.com/auth/userinfo.email',
      exp: String(now() + expiresIn),
      expires_in: String(expiresIn),
      email: 'ada@example.com',
      email_verified: 'true',
      access_type: 'online',
    });
    return { server, answers, verify, answer };
  }

  it('accepts a token whose tokeninfo answer names our client; exp from the answer; cached afterwards', async () => {
    const { server, answers, verify, answer } = await google();
    const good = answer(CLIENT, 3599);
    answers.set('ya29.a0AfB_byGood', { status: 200, body: good });
    const info = await verify('ya29.a0AfB_byGood');
    expect(info.subject).toBe('110169484474386276334');
    expect(info.scopes).toEqual(['openid', 'https://www.googleapis.com/auth/userinfo.email']);
    // The answer served, not a second one built a second later.
    expect(info.expiresAt).toBe(Number((good as { exp: string }).exp));
    await verify('ya29.a0AfB_byGood');
    expect(server.count('/tokeninfo')).toBe(1);
    // The token went in the POST body, never in the URL.
    expect(server.requests.every((r) => !r.path.includes('ya29'))).toBe(true);
  });

  it('refuses a Google token issued to another client', async () => {
    const { answers, verify, answer } = await google();
    answers.set('ya29.other', { status: 200, body: answer(OTHER_CLIENT, 3599) });
    expect(await refusal(verify('ya29.other'))).toBe('invalid_token:audience');
  });

  it('refuses an expired tokeninfo answer', async () => {
    const { answers, verify, answer } = await google();
    answers.set('ya29.expired', { status: 200, body: { ...answer(CLIENT, 0), exp: String(now() - 120) } });
    expect(await refusal(verify('ya29.expired'))).toBe('invalid_token:expired');
  });

  it('refuses a token tokeninfo does not know (400 Invalid Value); a 5xx is unavailable', async () => {
    const { answers, verify } = await google();
    expect(await refusal(verify('ya29.unknown'))).toBe('invalid_token:inactive');
    answers.set('ya29.down', { status: 503, body: {} });
    expect(await refusal(verify('ya29.down'))).toBe('unavailable:issuer_unavailable');
  });

  it('checks of one token in flight share one tokeninfo call; after five 5xx in a row, a new token is refused without a call while the breaker is open', async () => {
    const { server, answers, verify, answer } = await google();
    answers.set('ya29.shared', { status: 200, body: answer(CLIENT, 3599) });
    const infos = await Promise.all([1, 2, 3].map(() => verify('ya29.shared')));
    expect(infos.map((info) => info.subject)).toEqual(Array(3).fill('110169484474386276334'));
    expect(server.count('/tokeninfo')).toBe(1);
    for (let i = 0; i < 5; i++) {
      answers.set(`ya29.down${i}`, { status: 503, body: {} });
      expect(await refusal(verify(`ya29.down${i}`))).toBe('unavailable:issuer_unavailable');
    }
    expect(server.count('/tokeninfo')).toBe(6);
    answers.set('ya29.later', { status: 200, body: answer(CLIENT, 3599) });
    expect(await refusal(verify('ya29.later'))).toBe('unavailable:issuer_unavailable');
    expect(server.count('/tokeninfo')).toBe(6);
  });
});

describe('github preset (GET /user)', () => {
  async function github() {
    const server = await startServer(() => undefined);
    /** While true, GitHub's origin is down: 502 for every token, but a user's own 429 still comes. */
    const outage = { on: false };
    const user = (req: IncomingMessage, res: ServerResponse) => {
      if (outage.on && req.headers.authorization !== 'Bearer gho_secondary') return res.writeHead(502).end();
      if (req.headers.authorization === 'Bearer gho_16C7e42F292c6912E7710c838347Ae178B4a')
        return sendJson(res, 200, {
          login: 'octocat',
          id: 583231,
          node_id: 'MDQ6VXNlcjU4MzIzMQ==',
          type: 'User',
        });
      if (req.headers.authorization === 'Bearer gho_ratelimited')
        return sendJson(res, 403, { message: 'API rate limit exceeded' });
      if (req.headers.authorization === 'Bearer ghs_installation')
        return sendJson(res, 403, { message: 'Resource not accessible by integration' });
      if (req.headers.authorization === 'Bearer gho_secondary')
        return res
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': '30' })
          .end('{"message":"You have exceeded a secondary rate limit"}');
      sendJson(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    };
    server.setHandler(
      routes({
        '/.well-known/oauth-authorization-server/login/oauth': loadCapture(
          'github-login-oauth.json',
          server.origin,
        ),
        '/api/user': user,
      }),
    );
    const manifest = {
      issuers: {
        gh: {
          issuer: `${server.origin}/login/oauth`,
          preset: { name: 'github', acknowledgeNoAudience: true, apiUrl: `${server.origin}/api` },
        },
      },
      resources: [{ resource: RESOURCE, authorizationServers: ['gh'] }],
    } satisfies ManifestInput;
    return { server, outage, manifest, verify: await verifierOf(manifest) };
  }

  it('accepts a token /user answers 200 for, with the user id as subject, sent as a Bearer header', async () => {
    const { server, verify } = await github();
    const info = await verify('gho_16C7e42F292c6912E7710c838347Ae178B4a');
    expect(info.subject).toBe('583231');
    expect(info.claims.login).toBe('octocat');
    expect(info.issuer).toBe(`${server.origin}/login/oauth`);
    expect(server.requests.find((r) => r.path === '/api/user')!.headers['user-agent']).toBeTruthy();
  });

  it('refuses a token /user answers 401 for; a 403 (rate limit) is unavailable, not a refusal', async () => {
    const { verify } = await github();
    expect(await refusal(verify('gho_revoked'))).toBe('invalid_token:inactive');
    expect(await refusal(verify('gho_ratelimited'))).toBe('unavailable:issuer_unavailable');
  });

  it("a token's own 403s and 429s (its user's rate limits, an installation token) fail that request alone: the next user's new token is still checked", async () => {
    const { server, verify } = await github();
    for (let i = 0; i < 6; i++) {
      for (const token of ['gho_ratelimited', 'ghs_installation', 'gho_secondary'])
        expect(await refusal(verify(`${token}`))).toBe('unavailable:issuer_unavailable');
    }
    const calls = server.count('/api/user');
    expect(calls).toBe(18);
    expect(await refusal(verify('gho_16C7e42F292c6912E7710c838347Ae178B4a'))).toBe('accepted');
    expect(server.count('/api/user')).toBe(calls + 1);
  });

  it("a user's own 429 during an outage is no verdict: it cannot keep the breaker from opening", async () => {
    const { server, outage, verify } = await github();
    outage.on = true;
    for (let i = 0; i < 4; i++)
      expect(await refusal(verify(`gho_user${i}`))).toBe('unavailable:issuer_unavailable');
    expect(await refusal(verify('gho_secondary'))).toBe('unavailable:issuer_unavailable');
    expect(await refusal(verify('gho_user4'))).toBe('unavailable:issuer_unavailable'); // the fifth 502
    const calls = server.count('/api/user');
    expect(await refusal(verify('gho_user5'))).toBe('unavailable:issuer_unavailable');
    expect(server.count('/api/user')).toBe(calls); // open: not asked
  });

  it('requires the acknowledgement, and validate warns every time that no audience is checked', async () => {
    const { manifest } = await github();
    const warned = validateManifest(manifest).issues.map((i) => i.code);
    expect(warned).toContain('audience_unchecked');
    const missing = validateManifest({
      ...manifest,
      issuers: { gh: { issuer: manifest.issuers.gh.issuer, preset: { name: 'github' } } },
    });
    expect(missing.issues[0]).toMatchObject({
      code: 'invalid_value',
      path: ['issuers', 'gh', 'preset', 'acknowledgeNoAudience'],
    });
    expect(missing.issues[0]!.message).toMatch(/"acknowledgeNoAudience": true/);
  });

  it('points GitHub Enterprise Server at https://<host>/api/v3 and its login/oauth endpoints', () => {
    const { issuer } = expandPreset({
      name: 'github',
      acknowledgeNoAudience: true,
      enterpriseHost: 'github.acme.example',
    });
    expect(issuer.tokenInfo).toMatchObject({
      endpoint: 'https://github.acme.example/api/v3/user',
      send: 'bearer',
    });
    expect(issuer.metadata).toMatchObject({ issuer: 'https://github.acme.example/login/oauth' });
  });
});
