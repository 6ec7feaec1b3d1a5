/**
 * The adversarial cases, by class. Each builds a request from the shared world and names the
 * refusal it must get. Tokens are signed for real; only the property under attack is wrong.
 */
import type { SendOptions } from '../support/adapters.js';
import {
  b64url,
  claims,
  now,
  publicKeyEncodings,
  signHs256,
  signText,
  signToken,
  unsignedText,
} from '../support/tokens.js';
import { fakeX5c, type World } from './setup.js';
import { ISSUER, RESOURCE } from '../support/constants.js';

export interface AttackRequest extends SendOptions {
  readonly path?: string;
  /** The token under attack, for the "nothing reflected" check. */
  readonly token?: string;
}

export interface AttackCase {
  readonly name: string;
  readonly build: (w: World) => AttackRequest;
  readonly status: 400 | 401 | 403;
  readonly error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
}

const bearer = (token: string, extra: AttackRequest = {}): AttackRequest => ({
  ...extra,
  token,
  headers: { authorization: `Bearer ${token}`, ...extra.headers },
});

const good = (extra: Record<string, unknown> = {}) => claims(ISSUER, RESOURCE, { scope: 'read', ...extra });

/** Signs arbitrary claims with the legit RS256 key. */
const legit = (w: World, payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  signToken(w.keys.RS256, payload, header);

/** Signs a payload given as JSON text with the legit RS256 key. */
const legitText = (w: World, payloadJson: string, headerJson?: string) =>
  signText(w.keys.RS256, headerJson ?? JSON.stringify({ alg: 'RS256', kid: w.keys.RS256.kid }), payloadJson);

const invalidToken = (name: string, build: (w: World) => AttackRequest): AttackCase => ({
  name,
  build,
  status: 401,
  error: 'invalid_token',
});
const invalidRequest = (name: string, build: (w: World) => AttackRequest): AttackCase => ({
  name,
  build,
  status: 400,
  error: 'invalid_request',
});
const noCredentials = (name: string, build: (w: World) => AttackRequest): AttackCase => ({
  name,
  build,
  status: 401,
});
const insufficient = (name: string, build: (w: World) => AttackRequest): AttackCase => ({
  name,
  build,
  status: 403,
  error: 'insufficient_scope',
});

// ---------------------------------------------------------------------------------------------

export const headerCases: AttackCase[] = [
  invalidRequest('two Authorization headers with valid tokens', (w) => {
    const t = legit(w, good());
    return { token: t, headers: { authorization: [`Bearer ${t}`, `Bearer ${t}`] } };
  }),
  invalidRequest('two Authorization headers, the second bogus', (w) => {
    const t = legit(w, good());
    return { token: t, headers: { authorization: [`Bearer ${t}`, 'Bearer x'] } };
  }),
  invalidRequest('Bearer without a token', () => ({ headers: { authorization: 'Bearer' } })),
  invalidRequest('a token with a space', () => ({ headers: { authorization: 'Bearer abc def' } })),
  invalidRequest('a tab after the scheme', () => ({ headers: { authorization: 'Bearer\tabc' } })),
  invalidRequest('a quoted token', () => ({ headers: { authorization: 'Bearer "abc"' } })),
  invalidRequest('a comma-joined pair', (w) => {
    const t = legit(w, good());
    return { token: t, headers: { authorization: `Bearer ${t}, Bearer ${t}` } };
  }),
  invalidRequest('only padding', () => ({ headers: { authorization: 'Bearer ====' } })),
  invalidRequest('a latin-1 byte in the token', () => ({ headers: { authorization: 'Bearer abc\u00ff' } })),
  invalidRequest('a header token plus a query token', (w) =>
    bearer(legit(w, good()), { path: `/mcp?access_token=${legit(w, good())}` }),
  ),
  invalidRequest('a header token plus a form-body token', (w) =>
    bearer(legit(w, good()), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `x=1&access_token=${legit(w, good())}`,
    }),
  ),
  invalidToken('an oversized token (8193 chars)', () => bearer('a'.repeat(8193))),
  invalidToken('an oversized, validly signed token', (w) =>
    bearer(legit(w, good({ pad: 'x'.repeat(9000) }))),
  ),
  noCredentials('a token in the query only', (w) => ({ path: `/mcp?access_token=${legit(w, good())}` })),
  noCredentials('a token in a form body only', (w) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `access_token=${legit(w, good())}`,
  })),
  noCredentials('a token in a JSON body only', (w) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ access_token: legit(w, good()) }),
  })),
  noCredentials('another scheme (Basic)', () => ({ headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } })),
  noCredentials('a DPoP scheme', (w) => ({ headers: { authorization: `DPoP ${legit(w, good())}` } })),
  noCredentials('an empty Authorization header', () => ({ headers: { authorization: '' } })),
];

export const algorithmCases: AttackCase[] = [
  ...['none', 'None', 'NONE', 'nOnE'].flatMap((alg) => [
    invalidToken(`alg ${alg} with an empty signature`, () =>
      bearer(unsignedText(JSON.stringify({ alg, typ: 'JWT' }), JSON.stringify(good()), '')),
    ),
    invalidToken(`alg ${alg} with a junk signature`, () =>
      bearer(unsignedText(JSON.stringify({ alg, typ: 'JWT' }), JSON.stringify(good()), 'c2lnbmF0dXJl')),
    ),
  ]),
  invalidToken('alg none with a legit kid', (w) =>
    bearer(
      unsignedText(JSON.stringify({ alg: 'none', kid: w.keys.RS256.kid }), JSON.stringify(good()), 'AA'),
    ),
  ),
  invalidToken('no alg at all', (w) =>
    bearer(unsignedText(JSON.stringify({ kid: w.keys.RS256.kid }), JSON.stringify(good()), 'AA')),
  ),
  invalidToken('a non-string alg', (w) =>
    bearer(
      unsignedText(JSON.stringify({ alg: ['RS256'], kid: w.keys.RS256.kid }), JSON.stringify(good()), 'AA'),
    ),
  ),
  ...['pem', 'pemPkcs1', 'der', 'jwkJson', 'publicJwkJson', 'nBytes', 'nString'].flatMap((encoding) =>
    ['HS256', 'HS384'].map((alg) =>
      invalidToken(`${alg} signed with the RSA public key as ${encoding}`, (w) => {
        const secret = publicKeyEncodings(w.keys.RS256)[encoding]!;
        return bearer(signHs256(secret, { alg, kid: w.keys.RS256.kid, typ: 'JWT' }, good()));
      }),
    ),
  ),
  invalidToken('HS256 signed with the oct key served in the JWKS', (w) =>
    bearer(signHs256(w.octSecret, { kid: 'oct-1' }, good())),
  ),
  invalidToken('an RS256 header naming an ES256 key (alg/key family mismatch)', (w) =>
    bearer(
      unsignedText(JSON.stringify({ alg: 'RS256', kid: w.keys.ES256.kid }), JSON.stringify(good()), 'AAAA'),
    ),
  ),
  invalidToken('PS256 alg on an RS256 signature', (w) => {
    const rs = legit(w, good());
    const [, p, s] = rs.split('.');
    return bearer(`${b64url(JSON.stringify({ alg: 'PS256', kid: w.keys.RS256.kid }))}.${p}.${s}`);
  }),
  invalidToken('a JWE-shaped token (five segments)', () => bearer('eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d')),
  invalidToken('a signature with non-base64url characters', (w) => {
    const t = legit(w, good());
    return bearer(`${t.slice(0, -4)}+/+/`);
  }),
];

export const injectedKeyCases: AttackCase[] = [
  invalidToken('a jwk header with the attacker key', (w) =>
    bearer(signToken(w.evil, good(), { jwk: w.evil.publicJwk })),
  ),
  invalidToken('a jwk header with the attacker key and a legit kid', (w) =>
    bearer(signToken(w.evil, good(), { kid: w.keys.RS256.kid, jwk: w.evil.publicJwk })),
  ),
  invalidToken('a jku header pointing at the attacker', (w) =>
    bearer(signToken(w.evil, good(), { jku: `${w.attacker.origin}/jwks` })),
  ),
  invalidToken('an x5u header pointing at the attacker', (w) =>
    bearer(signToken(w.evil, good(), { x5u: `${w.attacker.origin}/cert.pem` })),
  ),
  invalidToken('an x5c header with an attacker key', (w) =>
    bearer(signToken(w.evil, good(), { x5c: [fakeX5c()] })),
  ),
  invalidToken('an iss pointing at the attacker (discovery must not follow)', (w) =>
    bearer(
      signToken(w.evil, claims(w.attacker.origin, RESOURCE, { scope: 'read' }), {
        jku: `${w.attacker.origin}/jwks`,
      }),
    ),
  ),
];

export const kidCases: AttackCase[] = [
  '../../etc/passwd',
  '/dev/random',
  'kid\r\nX-Injected: yes',
  'kid"; drop table keys; --',
  "' OR '1'='1",
  '\u0000',
  '',
  'x'.repeat(2000),
  '__proto__',
  'constructor',
]
  .map((kid) =>
    invalidToken(`a hostile kid ${JSON.stringify(kid.slice(0, 24))}`, (w) =>
      bearer(signText(w.keys.RS256, JSON.stringify({ alg: 'RS256', kid }), JSON.stringify(good()))),
    ),
  )
  .concat(
    [123, { kid: 'x' }, ['rs256-1'], null, true].map((kid) =>
      invalidToken(`a non-string kid ${JSON.stringify(kid)}`, (w) =>
        bearer(signText(w.keys.RS256, JSON.stringify({ alg: 'RS256', kid }), JSON.stringify(good()))),
      ),
    ),
  );

export const keySetCases: AttackCase[] = [
  invalidToken('unknown crit', (w) =>
    bearer(legit(w, good(), { crit: ['urn:x:unknown'], 'urn:x:unknown': 1 })),
  ),
  invalidToken('crit naming a missing parameter', (w) => bearer(legit(w, good(), { crit: ['exp'] }))),
  invalidToken('crit that is not an array', (w) => bearer(legit(w, good(), { crit: 'b64' }))),
  invalidToken('crit b64 false (unencoded payload)', (w) =>
    bearer(legit(w, good(), { crit: ['b64'], b64: false })),
  ),
  invalidToken('a token signed by a weak 1024-bit RSA key from the JWKS', (w) =>
    bearer(signToken(w.weak, good())),
  ),
  invalidToken('a token signed by a key published only as a private JWK', (w) =>
    bearer(signToken(w.privateOnly, good())),
  ),
];

const dup = (w: World, payloadJson: string) => bearer(legitText(w, payloadJson));
const base = () => JSON.stringify(good()).slice(1, -1);

export const claimCases: AttackCase[] = [
  invalidToken('missing exp', (w) => bearer(legit(w, good({ exp: undefined })))),
  invalidToken('exp 1e400 (Infinity)', (w) => dup(w, `{${base().replace(/"exp":\d+/, '"exp":1e400')}}`)),
  invalidToken('exp -1e400', (w) => dup(w, `{${base().replace(/"exp":\d+/, '"exp":-1e400')}}`)),
  invalidToken('exp as a numeric string', (w) => bearer(legit(w, good({ exp: String(now() + 600) })))),
  invalidToken('exp as an array', (w) => bearer(legit(w, good({ exp: [now() + 600] })))),
  invalidToken('exp expired long ago', (w) => bearer(legit(w, good({ exp: 1 })))),
  invalidToken('exp 0', (w) => bearer(legit(w, good({ exp: 0 })))),
  invalidToken('iat far in the future', (w) => bearer(legit(w, good({ iat: now() + 3600 })))),
  invalidToken('iat 1e400', (w) => dup(w, `{${base().replace(/"iat":\d+/, '"iat":1e400')}}`)),
  invalidToken('nbf in the future', (w) => bearer(legit(w, good({ nbf: now() + 3600 })))),
  invalidToken('nbf as a string', (w) => bearer(legit(w, good({ nbf: '0' })))),
  invalidToken('two aud members (other first, the resource last)', (w) =>
    dup(
      w,
      `{${base().replace(/"aud":"[^"]*"/, `"aud":"https://other.example.com/mcp","aud":"${RESOURCE}"`)}}`,
    ),
  ),
  invalidToken('two aud members (the resource first)', (w) =>
    dup(w, `{${base()},"aud":"https://other.example.com/mcp"}`),
  ),
  invalidToken('two iss members', (w) => dup(w, `{"iss":"https://evil.example.com",${base()}}`)),
  invalidToken('two exp members (expired last)', (w) => dup(w, `{${base()},"exp":1}`)),
  invalidToken('two scope members', (w) => dup(w, `{"scope":"nothing",${base()}}`)),
  invalidToken('an escaped duplicate member name ("a\\u0075d")', (w) =>
    dup(w, `{"a\\u0075d":"https://other.example.com/mcp",${base()}}`),
  ),
  invalidToken('duplicate members inside a nested object', (w) =>
    dup(w, `{${base()},"ext":{"role":"user","role":"admin"}}`),
  ),
  invalidToken('two alg members in the header (HS256 then RS256)', (w) =>
    bearer(legitText(w, JSON.stringify(good()), `{"alg":"HS256","alg":"RS256","kid":"${w.keys.RS256.kid}"}`)),
  ),
  invalidToken('two kid members in the header', (w) =>
    bearer(
      legitText(w, JSON.stringify(good()), `{"alg":"RS256","kid":"evil-1","kid":"${w.keys.RS256.kid}"}`),
    ),
  ),
  invalidToken('a payload that is an array', (w) => dup(w, '[1,2,3]')),
  invalidToken('a payload that is a string', (w) => dup(w, '"claims"')),
  invalidToken('a payload that is null', (w) => dup(w, 'null')),
  invalidToken('a payload that is not JSON', (w) => dup(w, '{iss: nope}')),
  invalidToken('a payload that is not UTF-8', (w) => {
    const header = b64url(JSON.stringify({ alg: 'RS256', kid: w.keys.RS256.kid }));
    const payload = b64url(
      Buffer.concat([Buffer.from(`{${base()},"x":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    );
    return bearer(`${header}.${payload}.AAAA`);
  }),
  invalidToken('a cnf.jkt-bound (DPoP) token sent as Bearer', (w) =>
    bearer(legit(w, good({ cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' } }))),
  ),
  invalidToken('a cnf.x5t#S256-bound (mTLS) token sent as Bearer', (w) =>
    bearer(legit(w, good({ cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' } }))),
  ),
  invalidToken('a typ of dpop+jwt', (w) => bearer(legit(w, good(), { typ: 'dpop+jwt' }))),
  invalidToken('a forged signature over a privilege change', (w) => {
    const [h, , s] = legit(w, good()).split('.');
    return bearer(`${h}.${b64url(JSON.stringify(good({ scope: 'read write admin' })))}.${s}`);
  }),
];

export const audienceCases: AttackCase[] = [
  `${RESOURCE}/`,
  'https://mcp.example.com/MCP',
  'http://mcp.example.com/mcp',
  'https://mcp.example.com:8443/mcp',
  'https://mcp.example.com',
  'https://mcp.example.com/mcp/sub',
  'https://evil.mcp.example.com/mcp',
  'https://mcp.example.com.evil.com/mcp',
  'https://mcp.example.com/x/../mcp',
  'https://mcp.example.com/%6Dcp',
  ` ${RESOURCE}`,
  'mcp.example.com/mcp',
].map((aud) => invalidToken(`audience near-miss ${aud}`, (w) => bearer(legit(w, good({ aud })))));

export const issuerCases: AttackCase[] = [
  `${ISSUER}/`,
  'https://ISSUER.example.com',
  'http://issuer.example.com',
  'https://issuer.example.com:8443',
  'https://issuer.example.com/oauth',
  'https://issuer.example.co',
  'issuer.example.com',
].map((iss) => invalidToken(`issuer near-miss ${iss}`, (w) => bearer(legit(w, good({ iss })))));

export const scopeCases: AttackCase[] = [
  'READ',
  'Read',
  'rea',
  'reading',
  'xread',
  'read:all',
  'read,write',
  'read\twrite',
  'write',
  '',
]
  .map((scope) =>
    insufficient(`scope near-miss ${JSON.stringify(scope)}`, (w) => bearer(legit(w, good({ scope })))),
  )
  .concat([
    insufficient('the scope only in an unconfigured scp claim', (w) =>
      bearer(legit(w, good({ scope: undefined, scp: ['read'] }))),
    ),
    insufficient('the scope only in an unconfigured permissions claim', (w) =>
      bearer(legit(w, good({ scope: undefined, permissions: ['read'] }))),
    ),
  ]);

export const hostCases: AttackCase[] = [
  noCredentials('a hostile Host header', () => ({ headers: { host: 'evil.example.com' } })),
  noCredentials('a hostile X-Forwarded-Host', () => ({
    headers: {
      'x-forwarded-host': 'evil.example.com',
      'x-forwarded-proto': 'http',
      forwarded: 'host=evil.example.com',
    },
  })),
  invalidToken('a hostile Host with a bad token', (w) =>
    bearer(legit(w, good({ aud: 'https://evil.example.com/mcp' })), {
      headers: { host: 'evil.example.com' },
    }),
  ),
];

export const ALL_CASES: Record<string, AttackCase[]> = {
  'header parsing': headerCases,
  'algorithm confusion': algorithmCases,
  'header-injected keys': injectedKeyCases,
  'hostile kid': kidCases,
  'crit and key set': keySetCases,
  'claims edge cases': claimCases,
  'audience near-misses': audienceCases,
  'issuer near-misses': issuerCases,
  'scope near-misses': scopeCases,
  'host injection': hostCases,
};
