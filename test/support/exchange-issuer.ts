/**
 * Exchanging authorization servers for the token-broker tests, and the downstream API their tokens
 * are for.
 *
 * {@link startStaticExchangeIssuer} is a static one: RFC 8414 metadata and a `/token` endpoint
 * whose answer the test writes (refusals, stalls, hostile bodies, a count of exchanges).
 *
 * {@link startExchangeIssuer} is the real `oidc-provider` (v9)
 * with the RFC 8693 token-exchange grant and the RFC 7523 jwt-bearer (on-behalf-of) grant added
 * through its documented `registerGrantType` API, plus client credentials (actor tokens).
 *
 * It trusts one other issuer's access tokens as subject tokens (verified against that issuer's
 * JWKS: signature, `iss`, `exp`), and issues a JWT access token signed with its own key for a
 * requested audience it knows, with the subject's `sub`, only to a client allowed that audience.
 * Client authentication (secret basic/post, private_key_jwt) is oidc-provider's own.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { ManifestInput } from '../../src/manifest/schema.js';
import { JWKS_PATH, OAUTH_METADATA_PATH, RESOURCE } from './constants.js';
import { asMetadata } from './issuer.js';
import { listen, startRoutes, type Handler, type TestServer } from './servers.js';
import { makeKey, signToken } from './tokens.js';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

// ---------------------------------------------------------------------------------------------
// A static exchanging AS

/**
 * Starts an AS with RFC 8414 metadata at the root well-known URL and `/token` answered by
 * `token`; `extra` adds routes (see servers.ts `routes`).
 */
export function startStaticExchangeIssuer(
  token: Handler,
  extra: Record<string, unknown> = {},
): Promise<TestServer> {
  return startRoutes((origin) => ({ [OAUTH_METADATA_PATH]: asMetadata(origin), '/token': token, ...extra }));
}

/**
 * A manifest protecting {@link RESOURCE} with tokens of `inbound` (issuer `main`), whose
 * downstream `api` is a token exchange at `exchanging` (issuer `xchg`) as client `mcp`, with its
 * secret (Basic auth) from the env variable `SECRET`.
 */
export function exchangeManifest(
  inbound: string,
  exchanging: string,
  settings: NonNullable<ManifestInput['settings']> = {},
): ManifestInput {
  return {
    issuers: {
      main: { issuer: inbound, type: 'oauth' },
      xchg: { issuer: exchanging, type: 'oauth' },
    },
    resources: [{ resource: RESOURCE, authorizationServers: ['main'] }],
    downstream: {
      api: {
        issuer: 'xchg',
        grant: 'token-exchange',
        audience: 'api',
        clientId: 'mcp',
        clientAuth: { method: 'client_secret_basic', secretEnv: 'SECRET' },
      },
    },
    settings,
  };
}

// ---------------------------------------------------------------------------------------------
// oidc-provider with the exchange grants

/** A statically registered client of the exchanging AS (oidc-provider client metadata). */
export type ExchangeClient = Record<string, unknown> & {
  client_id: string;
  /** Audiences this client may obtain tokens for; default all. */
  allowedAudiences?: string[];
};

/** Options of {@link startExchangeIssuer}. */
export interface ExchangeIssuerOptions {
  /** The issuer whose access tokens are accepted as subject tokens / assertions. */
  readonly trust: { readonly issuer: string; readonly jwksUri: string };
  /** Audiences (downstream APIs) it issues tokens for; the first one is the on-behalf-of target. */
  readonly audiences: readonly string[];
  readonly clients: readonly ExchangeClient[];
}

/** One successful exchange, as the AS saw it. */
export interface ExchangeRecord {
  readonly grant: 'token-exchange' | 'jwt-bearer';
  readonly clientId: string;
  readonly sub: string;
  readonly audience: string;
  readonly scope: string | undefined;
  /** The client id behind the actor token, when one was sent. */
  readonly actor: string | undefined;
}

/** A running exchanging AS. */
export interface ExchangeIssuer {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  /** Successful exchanges so far, in order. */
  readonly exchanges: ExchangeRecord[];
  /** Requests received at the token endpoint (any grant, any outcome). */
  tokenRequests(): number;
  /** Lifetime (s) of the tokens it issues from now on; default 300. */
  setLifetime(seconds: number): void;
  close(): Promise<void>;
}

interface OidcErrors {
  InvalidGrant: new (description?: string) => Error;
  InvalidRequest: new (description?: string) => Error;
  InvalidTarget: new (description?: string) => Error;
  UnauthorizedClient: new (description?: string) => Error;
}
interface TokenContext {
  oidc: {
    params: Record<string, string | string[] | undefined>;
    client: { clientId: string };
  };
  body: unknown;
}
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  registerGrantType(
    name: string,
    handler: (ctx: TokenContext) => Promise<void>,
    params: string[],
    dupes?: string[],
  ): void;
  ClientCredentials: { find(value: string): Promise<{ clientId: string } | undefined> };
}

/** Starts the exchanging AS on 127.0.0.1 (port 0). */
export async function startExchangeIssuer(options: ExchangeIssuerOptions): Promise<ExchangeIssuer> {
  const warn = console.warn;
  console.warn = () => undefined; // oidc-provider's development-only and runtime notices
  let mod: {
    default: new (issuer: string, config: Record<string, unknown>) => ProviderInstance;
    errors: OidcErrors;
  };
  try {
    // @ts-expect-error -- oidc-provider 9 ships no type declarations; the slice used is typed above.
    mod = (await import('oidc-provider')) as typeof mod;
  } finally {
    console.warn = warn;
  }
  const { default: Provider, errors } = mod;

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, r) => r.end();
  const server = createServer((req, res) => handler(req, res));
  let requests = 0;
  server.on('request', (req: IncomingMessage) => {
    if (req.url?.startsWith('/token')) requests++;
  });
  const listening = await listen(server);
  const issuer = listening.origin;

  const key = makeKey('ES256', { kid: randomUUID() });
  const allowed = new Map(options.clients.map((c) => [c.client_id, c.allowedAudiences]));
  const clients = options.clients.map(({ allowedAudiences: _omit, ...metadata }) => ({
    response_types: [],
    redirect_uris: [],
    // The AS signs with ES256 only, which oidc-provider's RS256 default would not match.
    id_token_signed_response_alg: 'ES256',
    ...metadata,
  }));

  console.warn = () => undefined;
  let provider: ProviderInstance;
  try {
    provider = new Provider(issuer, {
      jwks: { keys: [key.privateJwk] },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      clients,
      features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
      ttl: { ClientCredentials: 300 },
      clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      renderError: (ctx: { type: string; body: unknown }, out: Record<string, string>) => {
        ctx.type = 'json';
        ctx.body = out;
      },
    });
  } finally {
    console.warn = warn;
  }

  const trusted = createRemoteJWKSet(new URL(options.trust.jwksUri));
  const exchanges: ExchangeRecord[] = [];
  let lifetime = 300;

  const subjectOf = async (token: string | string[] | undefined): Promise<string> => {
    if (typeof token !== 'string') throw new errors.InvalidRequest('missing subject token');
    try {
      const { payload } = await jwtVerify(token, trusted, { issuer: options.trust.issuer });
      if (typeof payload.sub !== 'string') throw new Error('no sub');
      return payload.sub;
    } catch {
      throw new errors.InvalidGrant('subject token is invalid');
    }
  };
  const issue = async (
    ctx: TokenContext,
    record: Omit<ExchangeRecord, 'clientId'>,
    extra: Record<string, unknown>,
  ) => {
    const clientId = ctx.oidc.client.clientId;
    const permitted = allowed.get(clientId);
    if (!options.audiences.includes(record.audience)) throw new errors.InvalidTarget('unknown audience');
    if (permitted && !permitted.includes(record.audience))
      throw new errors.UnauthorizedClient('client may not obtain tokens for this audience');
    const now = Math.floor(Date.now() / 1000);
    const token = signToken(key, {
      client_id: clientId,
      ...(record.scope ? { scope: record.scope } : {}),
      ...(record.actor ? { act: { sub: record.actor } } : {}),
      iss: issuer,
      sub: record.sub,
      aud: record.audience,
      iat: now,
      exp: now + lifetime,
      jti: randomUUID(),
    });
    exchanges.push({ ...record, clientId });
    ctx.body = { access_token: token, token_type: 'Bearer', expires_in: lifetime, ...extra };
  };

  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx) => {
      const p = ctx.oidc.params;
      if (p.subject_token_type !== ACCESS_TOKEN_TYPE)
        throw new errors.InvalidRequest('unsupported subject_token_type');
      const sub = await subjectOf(p.subject_token);
      let actor: string | undefined;
      if (p.actor_token !== undefined) {
        const found =
          typeof p.actor_token === 'string'
            ? await provider.ClientCredentials.find(p.actor_token)
            : undefined;
        if (!found || p.actor_token_type !== ACCESS_TOKEN_TYPE)
          throw new errors.InvalidGrant('actor token is invalid');
        actor = found.clientId;
      }
      const audiences = [p.audience ?? []].flat();
      if (audiences.length !== 1) throw new errors.InvalidTarget('exactly one audience is supported');
      const scope = typeof p.scope === 'string' ? p.scope : undefined;
      await issue(
        ctx,
        { grant: 'token-exchange', sub, audience: audiences[0]!, scope, actor },
        {
          issued_token_type: ACCESS_TOKEN_TYPE,
        },
      );
    },
    [
      'audience',
      'resource',
      'scope',
      'requested_token_type',
      'subject_token',
      'subject_token_type',
      'actor_token',
      'actor_token_type',
    ],
    ['audience', 'resource'],
  );
  provider.registerGrantType(
    JWT_BEARER,
    async (ctx) => {
      const p = ctx.oidc.params;
      if (p.requested_token_use !== 'on_behalf_of') throw new errors.InvalidRequest('requested_token_use');
      const sub = await subjectOf(p.assertion);
      const scope = typeof p.scope === 'string' ? p.scope : undefined;
      await issue(
        ctx,
        { grant: 'jwt-bearer', sub, audience: options.audiences[0]!, scope, actor: undefined },
        {},
      );
    },
    ['assertion', 'requested_token_use', 'scope'],
  );

  handler = provider.callback();
  return {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    jwksUri: `${issuer}${JWKS_PATH}`,
    exchanges,
    tokenRequests: () => requests,
    setLifetime: (seconds) => {
      lifetime = seconds;
    },
    close: () => listening.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// The downstream API

/**
 * A loopback "downstream API": `GET /whoami` answers the caller's `sub` only for a bearer token
 * signed by `issuer` whose audience is `audience` and whose `sub` is `expectedSub` (when given).
 */
export async function startDownstreamApi(options: {
  issuer: string;
  jwksUri: string;
  audience: string;
}): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const keys = createRemoteJWKSet(new URL(options.jwksUri));
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const deny = (status: number) => {
      res.statusCode = status;
      res.end();
    };
    if (!token) return deny(401);
    jwtVerify(token, keys, { issuer: options.issuer, audience: options.audience, typ: 'at+jwt' }).then(
      ({ payload }) => {
        seen.push(token);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ sub: payload.sub, act: payload.act ?? null }));
      },
      () => deny(401),
    );
  });
  const listening = await listen(server);
  return { url: listening.origin, seen, close: () => listening.close() };
}
