/**
 * An embedded OAuth 2.1 authorization server for the demo and the end-to-end tests.
 *
 * It is the real `oidc-provider` (v9) with development interactions, open dynamic client
 * registration, RFC 8707 resource indicators and JWT access tokens, listening on 127.0.0.1 only.
 * Never use it for anything but local development: anyone can register a client and any
 * login/password pair signs in.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, type JWK } from 'jose';

/** Options for {@link startDevIssuer}. */
export interface DevIssuerOptions {
  /** Protected resources by resource URL (RFC 8707 indicator, e.g. `http://127.0.0.1:3000/mcp`). */
  resources: Record<string, { scopes: string[] }>;
  /** Port to listen on (127.0.0.1 only); default 0, the OS chooses. */
  port?: number;
  /** Extra authorization-server scopes besides `openid` and `offline_access`. */
  extraScopes?: string[];
  /** Issuer identifier with a trailing slash, `http://127.0.0.1:<port>/` (Auth0's form); default without. */
  trailingSlash?: boolean;
}

/** A running development issuer, see {@link startDevIssuer}. */
export interface DevIssuer {
  /** Issuer identifier, `http://127.0.0.1:<port>` (with a trailing slash only when `trailingSlash` is set). */
  issuer: string;
  /** `jwks_uri` of the issuer, for `createRemoteJWKSet`. */
  jwksUri: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
  /**
   * Mints an access token with the client_credentials grant, over real HTTP, using a
   * pre-configured confidential client (`client_id` `dev-service`).
   *
   * @example
   * const token = await issuer.clientCredentialsToken({ resource: 'http://127.0.0.1:3000/mcp', scope: 'read:notes' });
   */
  clientCredentialsToken(request: { resource: string; scope?: string }): Promise<string>;
  /**
   * Registers another resource (e.g. once a server on port 0 knows its URL).
   *
   * @example
   * issuer.addResource(`http://127.0.0.1:${port}/mcp`, ['read:notes']);
   */
  addResource(url: string, scopes: string[]): void;
}

// oidc-provider 9 ships no type declarations; this is the slice of its API used below.
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}
interface OidcProviderModule {
  default: new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;
  errors: { InvalidTarget: new (description?: string) => Error };
}

/** Client id of the pre-configured confidential client used by `clientCredentialsToken`. */
const SERVICE_CLIENT_ID = 'dev-service';

/**
 * Starts the development authorization server.
 *
 * @example
 * const issuer = await startDevIssuer({
 *   resources: { 'http://127.0.0.1:3000/mcp': { scopes: ['read:notes', 'write:notes'] } },
 * });
 * console.log(`${issuer.issuer}/.well-known/oauth-authorization-server`);
 * await issuer.close();
 */
export async function startDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const { default: Provider, errors } = await loadOidcProvider();

  // The issuer URL embeds the port, so the socket must be bound before the provider exists.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const issuer = options.trailingSlash ? `${origin}/` : origin;

  const resources = new Map(Object.entries(options.resources));
  const findResource = (indicator: string): [string, { scopes: string[] }] | undefined => {
    const exact = resources.get(indicator);
    if (exact) return [indicator, exact];
    // Tolerate a serialisation difference such as a trailing "/" on a pathless URL.
    const href = URL.parse(indicator)?.href;
    return [...resources].find(([url]) => URL.parse(url)?.href === href);
  };
  const onlyResource = () => (resources.size === 1 ? [...resources.keys()][0] : undefined);

  // Generated per start: nothing secret is ever checked in or reused between runs.
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey: JWK = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: randomId() };
  const serviceClientSecret = randomId();

  // The development-only notices (in-memory adapter, dev interactions) are what this module is.
  const provider = quietly(
    () =>
      new Provider(issuer, {
        jwks: { keys: [signingKey] },
        cookies: { keys: [randomId(), randomId()] },
        scopes: ['openid', 'offline_access', ...(options.extraScopes ?? [])],
        clients: [
          {
            client_id: SERVICE_CLIENT_ID,
            client_secret: serviceClientSecret,
            grant_types: ['client_credentials'],
            response_types: [],
            redirect_uris: [],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        // Any login/password signs in (dev interactions); the login becomes `sub`.
        findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
        // Explicit lifetimes (seconds), which also silences oidc-provider's "default ttl" notices.
        ttl: {
          AccessToken: 3600,
          AuthorizationCode: 60,
          ClientCredentials: 3600,
          Grant: 86400,
          IdToken: 3600,
          Interaction: 600,
          RefreshToken: 86400,
          Session: 86400,
        },
        // PKCE (S256 is the only method oidc-provider 9 accepts) for every authorization code.
        pkce: { required: () => true },
        features: {
          devInteractions: { enabled: true },
          registration: { enabled: true },
          clientCredentials: { enabled: true },
          resourceIndicators: {
            enabled: true,
            // A request without `resource` still gets an audience-bound token when there is only
            // one resource; with several granted, the token request must pick one.
            defaultResource: (_ctx: unknown, _client: unknown, oneOf?: string[]) => oneOf ?? onlyResource(),
            // Keep the resource of the authorization request for the token request.
            useGrantedResource: () => true,
            getResourceServerInfo: (_ctx: unknown, indicator: string) => {
              const match = findResource(indicator);
              if (!match) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
              const [audience, { scopes }] = match;
              return {
                scope: scopes.join(' '),
                audience,
                accessTokenFormat: 'jwt',
                jwt: { sign: { alg: 'RS256' } },
              };
            },
          },
        },
        // Both MCP SDK clients register with the `scope` they are about to request. oidc-provider
        // rejects resource scopes there (they are not AS scopes) and would treat an accepted value as
        // an allow-list that later blocks a step-up, so the registered `scope` is dropped.
        extraClientMetadata: {
          properties: ['scope'],
          validator: (_ctx: unknown, key: string, _value: unknown, metadata: Record<string, unknown>) => {
            if (key === 'scope') delete metadata['scope'];
          },
        },
        // Refresh tokens whenever the grant allows it and offline_access was consented (the v2 client asks).
        issueRefreshToken: (
          _ctx: unknown,
          client: { grantTypeAllowed(type: string): boolean },
          code: { scopes: Set<string> },
        ) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
        // Human-readable errors in test output instead of an HTML page.
        renderError: (ctx: { type: string; body: unknown }, out: Record<string, string>) => {
          ctx.type = 'json';
          ctx.body = out;
        },
      }),
  );
  handler = quietly(() => provider.callback());

  return {
    issuer,
    jwksUri: `${origin}/jwks`,
    addResource(url, scopes) {
      resources.set(url, { scopes });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
    async clientCredentialsToken({ resource, scope }) {
      const body = new URLSearchParams({ grant_type: 'client_credentials', resource });
      if (scope) body.set('scope', scope);
      const basic = Buffer.from(`${SERVICE_CLIENT_ID}:${serviceClientSecret}`).toString('base64');
      const response = await fetch(`${origin}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      const json = (await response.json()) as {
        access_token?: string;
        error?: string;
        error_description?: string;
      };
      if (!response.ok || !json.access_token) {
        throw new Error(
          `client_credentials failed: ${response.status} ${json.error} ${json.error_description}`,
        );
      }
      return json.access_token;
    },
  };
}

/** Runs `fn` with oidc-provider's development-only warnings silenced. */
function quietly<T>(fn: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('development-only')) warn(...args);
  };
  try {
    return fn();
  } finally {
    console.warn = warn;
  }
}

function randomId(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Imports oidc-provider, dropping its "Unsupported runtime" warning: v9 targets Node 22+ but
 * works on Node 20 for everything used here.
 */
async function loadOidcProvider(): Promise<OidcProviderModule> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
  };
  try {
    // @ts-expect-error -- oidc-provider 9 ships no type declarations; OidcProviderModule types the slice used.
    return (await import('oidc-provider')) as OidcProviderModule;
  } finally {
    console.warn = warn;
  }
}
