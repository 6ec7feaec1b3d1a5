/**
 * The adversarial suite: every case of every class, against every adapter, over real HTTP on
 * 127.0.0.1. Each refusal goes through the same hygiene check (status, one well-formed
 * challenge, fixed description, nothing reflected, application not reached); the attacker's
 * server must receive nothing and no promise may be left rejected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, send } from '../support/adapters.js';
import { b64url, claims, signText, signToken } from '../support/tokens.js';
import { ALL_CASES } from './cases.js';
import { assertRefusal, startWorld, type World } from './setup.js';
import { ISSUER, PRM, RESOURCE } from '../support/constants.js';

let world: World;
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  world = await startWorld();
});

afterAll(async () => {
  await world.close();
  process.off('unhandledRejection', onRejection);
});

describe.each(ADAPTERS)('%s adapter', (name) => {
  const adapter = () => world.adapters.find((a) => a.name === name)!;

  for (const [kind, cases] of Object.entries(ALL_CASES)) {
    describe(kind, () => {
      it.each(cases.map((c) => [c.name, c] as const))('refuses %s', async (_name, attack) => {
        const request = attack.build(world);
        const app = adapter();
        const before = app.reached;
        const res = await send(`${app.url}${request.path ?? '/mcp'}`, request);
        assertRefusal(
          res,
          { status: attack.status, error: attack.error },
          { token: request.token, reachedBefore: before, reachedAfter: app.reached },
        );
      });
    });
  }

  it('accepts the legit token (control: the harness does let good requests in)', async () => {
    const app = adapter();
    const token = signToken(world.keys.ES256, claims(ISSUER, RESOURCE, { scope: 'read' }));
    const res = await send(`${app.url}/mcp`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.json<{ auth: { scopes: string[] } }>().auth.scopes).toEqual(['read']);
  });

  it('a token ending like a cached one is verified on its own: a changed payload under a cached signature is refused', async () => {
    const app = adapter();
    const genuine = signToken(world.keys.ES256, claims(ISSUER, RESOURCE, { scope: 'read', sub: 'alice' }));
    const ok = await send(`${app.url}/mcp`, { headers: { authorization: `Bearer ${genuine}` } });
    expect(ok.status).toBe(200); // now cached
    const [header, , signature] = genuine.split('.') as [string, string, string];
    const forged = `${header}.${b64url(JSON.stringify(claims(ISSUER, RESOURCE, { scope: 'read write', sub: 'mallory' })))}.${signature}`;
    expect(forged.slice(-16)).toBe(genuine.slice(-16)); // the cache's key is hashed from the last 16 characters
    const before = app.reached;
    const res = await send(`${app.url}/mcp`, { headers: { authorization: `Bearer ${forged}` } });
    assertRefusal(
      res,
      { status: 401, error: 'invalid_token' },
      { token: forged, reachedBefore: before, reachedAfter: app.reached },
    );
  });

  it('the character-set rule is skipped only for a cached token itself: a malformed token under a cached signature is refused as malformed', async () => {
    const app = adapter();
    const genuine = signToken(world.keys.ES256, claims(ISSUER, RESOURCE, { scope: 'read', sub: 'carol' }));
    const ok = await send(`${app.url}/mcp`, { headers: { authorization: `Bearer ${genuine}` } });
    expect(ok.status).toBe(200); // now cached
    const [header, payload, signature] = genuine.split('.') as [string, string, string];
    // Same signature, so the same cache key; a character outside b64token in the payload.
    const malformed = `${header}.${payload.slice(0, 10)}!${payload.slice(11)}.${signature}`;
    const before = app.reached;
    const res = await send(`${app.url}/mcp`, { headers: { authorization: `Bearer ${malformed}` } });
    assertRefusal(
      res,
      { status: 400, error: 'invalid_request' },
      { token: malformed, reachedBefore: before, reachedAfter: app.reached },
    );
  });

  it('a __proto__ payload member is plain data: no pollution, no inherited scope', async () => {
    const app = adapter();
    const k = world.keys.RS256;
    const base = JSON.stringify(claims(ISSUER, RESOURCE, { scope: 'write' })).slice(1, -1);
    const payload = `{"__proto__":{"scope":"read","polluted":true},"constructor":{"prototype":{"polluted":true}},${base}}`;
    const token = signText(k, JSON.stringify({ alg: 'RS256', kid: k.kid }), payload);
    const before = app.reached;
    const res = await send(`${app.url}/mcp`, { headers: { authorization: `Bearer ${token}` } });
    // `read` only sits under __proto__: it must not count as granted.
    assertRefusal(
      res,
      { status: 403, error: 'insufficient_scope' },
      { token, reachedBefore: before, reachedAfter: app.reached },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).scope).toBeUndefined();
    // With the scope granted for real, the __proto__ member arrives as an ordinary claim.
    const ok = signText(
      k,
      JSON.stringify({ alg: 'RS256', kid: k.kid }),
      `{"__proto__":{"polluted":true},${JSON.stringify(claims(ISSUER, RESOURCE, { scope: 'read' })).slice(1, -1)}}`,
    );
    const accepted = await send(`${app.url}/mcp`, { headers: { authorization: `Bearer ${ok}` } });
    expect(accepted.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('Host and X-Forwarded-Host do not change the metadata document or resource_metadata', async () => {
    const app = adapter();
    const headers = {
      host: 'evil.example.com',
      'x-forwarded-host': 'evil.example.com',
      'x-forwarded-proto': 'http',
    };
    const doc = await send(`${app.url}/.well-known/oauth-protected-resource/mcp`, { headers });
    expect(doc.status).toBe(200);
    expect(doc.json()).toMatchObject({ resource: RESOURCE, authorization_servers: [ISSUER] });
    expect(doc.body + doc.rawHeaderText).not.toContain('evil');
    const challenge = await send(`${app.url}/mcp`, { headers });
    expect(challenge.header('www-authenticate')).toBe(`Bearer scope="read", resource_metadata="${PRM}"`);
  });

  it('an unsigned token with a forged header of every kind in one go is refused', async () => {
    const app = adapter();
    const header = b64url(
      JSON.stringify({
        alg: 'none',
        jku: `${world.attacker.origin}/k`,
        x5u: `${world.attacker.origin}/c`,
        jwk: world.evil.publicJwk,
      }),
    );
    const token = `${header}.${b64url(JSON.stringify(claims(ISSUER, RESOURCE, { scope: 'read' })))}.`;
    const before = app.reached;
    const res = await send(`${app.url}/mcp`, { headers: { authorization: `Bearer ${token}` } });
    assertRefusal(
      res,
      { status: 401, error: 'invalid_token' },
      { token, reachedBefore: before, reachedAfter: app.reached },
    );
  });
});

/** Every third token of a burst carries the signature of the token before it. */
function burstOf(
  keys: World['keys'],
  label: string,
  size: number,
): { sent: string[]; forged: (i: number) => boolean } {
  const tokens = Array.from({ length: size }, (_, i) =>
    signToken(keys.ES256, claims(ISSUER, RESOURCE, { scope: 'read', sub: `${label}-${i}` })),
  );
  const signatureOf = (t: string) => t.slice(t.lastIndexOf('.'));
  const forged = (i: number) => i % 3 === 1;
  return {
    sent: tokens.map((t, i) =>
      forged(i) ? `${t.slice(0, t.lastIndexOf('.'))}${signatureOf(tokens[i - 1]!)}` : t,
    ),
    forged,
  };
}

describe('answers given later (offload "pool": every check answered from the pool)', () => {
  let pooled: World;
  beforeAll(async () => {
    pooled = await startWorld({ offload: 'pool' });
  });
  afterAll(() => pooled.close());

  it.each(ADAPTERS)(
    '%s: a burst of new tokens, forged ones among them, sent at once: each request gets its own verdict',
    async (name) => {
      const app = pooled.adapters.find((a) => a.name === name)!;
      const { sent, forged } = burstOf(pooled.keys, `burst-${name}`, 60);
      const before = app.reached;
      const answers = await Promise.all(
        sent.map((t) => send(`${app.url}/mcp`, { headers: { authorization: `Bearer ${t}` } })),
      );
      answers.forEach((res, i) => {
        if (forged(i)) {
          expect(res.status, `token ${i}`).toBe(401);
          expect(res.headers['www-authenticate']?.[0]).toContain('error="invalid_token"');
        } else {
          expect(res.status, `token ${i}`).toBe(200);
          expect(res.json<{ auth: { subject: string } }>().auth.subject).toBe(`burst-${name}-${i}`);
        }
      });
      expect(app.reached - before).toBe(40);
    },
  );
});

describe('after every adapter and case', () => {
  it('the attacker server received nothing, not even a connection', () => {
    expect(world.attacker.connections()).toBe(0);
    expect(world.attacker.hits()).toBe(0);
  });

  it('unknown-kid refetches stayed bounded by the cooldown (one initial fetch, at most one refetch)', () => {
    expect(world.jwks.hits()).toBeGreaterThanOrEqual(1);
    expect(world.jwks.hits()).toBeLessThanOrEqual(2);
  });

  it('no unhandled promise rejection happened', () => {
    expect(rejections).toEqual([]);
  });
});
