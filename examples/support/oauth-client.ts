/**
 * A headless OAuth client for the demo and the end-to-end tests: a scripted user agent that
 * answers oidc-provider's development login and consent pages, an in-memory
 * `OAuthClientProvider` for both MCP SDK client generations, and helpers that run the usual
 * SDK pattern (connect → 401 → authorize → `finishAuth` → reconnect, and 403 step-up).
 */
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
  UnauthorizedError as V2UnauthorizedError,
} from '@modelcontextprotocol/client';
import type { OAuthClientProvider as V2OAuthClientProvider } from '@modelcontextprotocol/client';
import type {
  OAuthDiscoveryState,
  OAuthClientProvider as V1OAuthClientProvider,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { UnauthorizedError as V1UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { decodeJwt } from 'jose';

/** Receives short, human-readable transcript lines. */
export type Log = (line: string) => void;

const noLog: Log = () => {};

/**
 * Follows an authorization request through oidc-provider's development interactions over real
 * HTTP, like a browser whose user signs in and clicks "Continue".
 *
 * It keeps cookies between rounds (honouring `Path`, since oidc-provider scopes its interaction
 * cookies to `/interaction/<uid>` and `/auth/<uid>`), so a second authorization in the same
 * session skips the login page and only answers consent.
 *
 * @example
 * const browser = new ScriptedBrowser({ login: 'alice' });
 * const callback = await browser.authorize(authorizationUrl, 'http://127.0.0.1:1/callback');
 * const code = callback.searchParams.get('code');
 */
export class ScriptedBrowser {
  private readonly jar = new CookieJar();
  private readonly login: string;
  private readonly password: string;
  private readonly log: Log;

  constructor(options: { login?: string; password?: string; log?: Log } = {}) {
    this.login = options.login ?? 'dev-user';
    this.password = options.password ?? 'dev-password';
    this.log = options.log ?? noLog;
  }

  /**
   * Runs the authorization request and returns the URL the authorization server finally
   * redirected to (`redirectUri` with `code`, `state` and `iss`, or with `error`). The
   * redirect URI itself is never fetched.
   */
  async authorize(authorizationUrl: URL | string, redirectUri: URL | string): Promise<URL> {
    const target = new URL(redirectUri);
    let url = new URL(authorizationUrl);
    let init: { method: 'GET' | 'POST'; body?: URLSearchParams } = { method: 'GET' };

    // Login and consent take about six hops; the bound only stops a redirect loop.
    for (let hop = 0; hop < 20; hop++) {
      const headers: Record<string, string> = { accept: 'text/html' };
      const cookie = this.jar.header(url);
      if (cookie) headers['cookie'] = cookie;
      const response = await fetch(url, { ...init, headers, redirect: 'manual' });
      this.jar.store(url, response.headers.getSetCookie());

      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        const next = new URL(location, url);
        if (next.origin === target.origin && next.pathname === target.pathname) return next;
        url = next;
        init = { method: 'GET' };
        continue;
      }

      const html = await response.text();
      const form = response.ok ? parseForm(html) : undefined;
      if (!form) throw new Error(`unexpected ${response.status} from ${url.pathname}: ${html.slice(0, 300)}`);
      const fields = new URLSearchParams(form.fields);
      // The login form has `login`/`password` inputs and a hidden `prompt=login`; the consent
      // form only a hidden `prompt=consent`.
      if (fields.has('login')) fields.set('login', this.login);
      if (fields.has('password')) fields.set('password', this.password);
      this.log(`browser: ${fields.get('prompt') ?? 'form'} page answered`);
      url = new URL(form.action, url);
      init = { method: 'POST', body: fields };
    }
    throw new Error('authorization did not reach the redirect URI within 20 hops');
  }
}

/** Options for {@link InMemoryOAuthClientProvider}. */
export interface InMemoryOAuthClientProviderOptions {
  /** Registered redirect URI; never fetched, the scripted browser stops there. */
  redirectUrl?: string;
  clientName?: string;
  /** User agent answering the authorization pages; one per provider keeps the session. */
  browser?: ScriptedBrowser;
  log?: Log;
}

/**
 * An MCP `OAuthClientProvider` that keeps everything in memory and answers authorization
 * redirects with a {@link ScriptedBrowser}. The same instance works with the v1 SDK
 * (`@modelcontextprotocol/sdk`) and the v2 client package (`@modelcontextprotocol/client`).
 *
 * `redirectToAuthorization` cannot hand the code to the SDK itself (the SDK then reports
 * `UnauthorizedError`); the caller takes it with {@link takeAuthorizationCallback} and calls
 * `transport.finishAuth(...)`, as {@link connectWithOAuth} does.
 *
 * @example
 * const provider = new InMemoryOAuthClientProvider({ log: console.log });
 * const transport = new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider });
 * try {
 *   await client.connect(transport);
 * } catch (error) {
 *   await transport.finishAuth(provider.takeAuthorizationCallback().searchParams.get('code')!);
 * }
 */
export class InMemoryOAuthClientProvider implements V1OAuthClientProvider, V2OAuthClientProvider {
  readonly redirectUrl: string;
  private readonly clientName: string;
  private readonly browser: ScriptedBrowser;
  private readonly log: Log;
  private client: OAuthClientInformationMixed | undefined;
  private storedTokens: OAuthTokens | undefined;
  private verifier: string | undefined;
  private pendingCallback: URL | undefined;
  private discovery: OAuthDiscoveryState | undefined;

  constructor(options: InMemoryOAuthClientProviderOptions = {}) {
    this.redirectUrl = options.redirectUrl ?? 'http://127.0.0.1:1/callback';
    this.clientName = options.clientName ?? 'mcp-auth-config dev client';
    this.log = options.log ?? noLog;
    this.browser = options.browser ?? new ScriptedBrowser({ log: this.log });
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.clientName,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }

  saveClientInformation(information: OAuthClientInformationMixed): void {
    // The SDK saves again only to stamp `issuer` on an existing registration.
    if (this.client?.client_id !== information.client_id) {
      this.log(`registered client ${information.client_id}`);
    }
    this.client = information;
  }

  tokens(): OAuthTokens | undefined {
    return this.storedTokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.storedTokens = tokens;
    const aud = audienceOf(tokens.access_token);
    const refresh = tokens.refresh_token ? ' + refresh token' : '';
    this.log(`token received: scopes ${tokens.scope ?? '(none)'}, aud ${aud}${refresh}`);
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no PKCE code verifier saved');
    return this.verifier;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const scope = authorizationUrl.searchParams.get('scope');
    const resource = authorizationUrl.searchParams.get('resource');
    this.log(`authorization request: scope "${scope}", resource ${resource}`);
    const callback = await this.browser.authorize(authorizationUrl, this.redirectUrl);
    if (!callback.searchParams.has('code')) {
      const { error, error_description } = Object.fromEntries(callback.searchParams);
      throw new Error(`authorization failed: ${error} ${error_description ?? ''}`.trim());
    }
    this.log('authorization code received');
    this.pendingCallback = callback;
  }

  /** Whether an authorization code is waiting for `transport.finishAuth`. */
  get hasPendingAuthorization(): boolean {
    return this.pendingCallback !== undefined;
  }

  /** Returns (once) the redirect URL carrying the code from the last `redirectToAuthorization`. */
  takeAuthorizationCallback(): URL {
    const callback = this.pendingCallback;
    if (!callback) throw new Error('no authorization callback pending');
    this.pendingCallback = undefined;
    return callback;
  }

  // Caching discovery saves a round of metadata requests per authorization, and v2 uses it to
  // check that the code is redeemed at the authorization server that issued it.
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
    if (scope === 'all' || scope === 'client') this.client = undefined;
    if (scope === 'all' || scope === 'tokens') this.storedTokens = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
  }
}

/** A connected client from {@link connectWithOAuth}; `sdk` tells which SDK generation it uses. */
export type OAuthConnection =
  | { sdk: 'v1'; client: V1Client; transport: V1Transport; provider: InMemoryOAuthClientProvider; log: Log }
  | { sdk: 'v2'; client: V2Client; transport: V2Transport; provider: InMemoryOAuthClientProvider; log: Log };

/** The part of a `tools/call` result the demo and tests read; both SDKs return this shape. */
export interface ToolCallResult {
  content: Array<{ type: string; text?: string }>;
  isError?: boolean;
  structuredContent?: unknown;
}

/**
 * Connects an MCP client to an OAuth-protected server, completing the authorization with the
 * scripted browser: connect, on `UnauthorizedError` call `transport.finishAuth` with the code,
 * then connect again with a fresh client and transport (the SDKs' documented pattern).
 *
 * @example
 * const ctx = await connectWithOAuth({ serverUrl: 'http://127.0.0.1:3000/mcp', sdk: 'v2', log: console.log });
 * const { tools } = await ctx.client.listTools();
 * await ctx.client.close();
 */
export async function connectWithOAuth(options: {
  serverUrl: string | URL;
  sdk: 'v1' | 'v2';
  log?: Log;
  provider?: InMemoryOAuthClientProvider;
}): Promise<OAuthConnection> {
  const log = options.log ?? noLog;
  const provider = options.provider ?? new InMemoryOAuthClientProvider({ log });
  const url = new URL(options.serverUrl);
  const fetch = loggingFetch(url, provider, log);
  const info = { name: 'mcp-auth-config-dev-client', version: '0.1.0' };
  const transportOptions = { authProvider: provider, fetch };
  const open = (): OAuthConnection =>
    options.sdk === 'v1'
      ? {
          sdk: 'v1',
          client: new V1Client(info),
          transport: new V1Transport(url, transportOptions),
          provider,
          log,
        }
      : {
          sdk: 'v2',
          client: new V2Client(info),
          transport: new V2Transport(url, transportOptions),
          provider,
          log,
        };

  const first = open();
  try {
    await connect(first);
    return first;
  } catch (error) {
    if (!isUnauthorized(error) || !provider.hasPendingAuthorization) throw error;
  }
  await finishAuthorization(first);
  await first.client.close(); // its initialize never completed; the session starts over
  const second = open();
  await connect(second);
  log(`connected (${options.sdk})`);
  return second;
}

/**
 * Calls a tool; when the server answers 403 `insufficient_scope`, the SDK re-runs the
 * authorization for the wider scope (the scripted browser answers consent) and surfaces
 * `UnauthorizedError`. This helper then exchanges the code with `transport.finishAuth` and
 * calls the tool once more on the same session.
 *
 * @example
 * const result = await callToolWithStepUp(ctx, 'delete_note', { id: '1' });
 */
export async function callToolWithStepUp(
  ctx: OAuthConnection,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolCallResult> {
  // The branches are identical; they only narrow the union to one SDK's types.
  const call = async (): Promise<ToolCallResult> =>
    (ctx.sdk === 'v1'
      ? await ctx.client.callTool({ name, arguments: args })
      : await ctx.client.callTool({ name, arguments: args })) as ToolCallResult;
  try {
    return await call();
  } catch (error) {
    if (!isUnauthorized(error) || !ctx.provider.hasPendingAuthorization) throw error;
  }
  await finishAuthorization(ctx);
  ctx.log(`retrying ${name}`);
  return call();
}

async function connect(ctx: OAuthConnection): Promise<void> {
  if (ctx.sdk === 'v1') await ctx.client.connect(ctx.transport);
  else await ctx.client.connect(ctx.transport);
}

/** Exchanges the pending code. v2 gets the whole callback so it can check RFC 9207 `iss`. */
async function finishAuthorization(ctx: OAuthConnection): Promise<void> {
  const callback = ctx.provider.takeAuthorizationCallback();
  if (ctx.sdk === 'v1') await ctx.transport.finishAuth(callback.searchParams.get('code') ?? '');
  else await ctx.transport.finishAuth(callback.searchParams);
}

function audienceOf(accessToken: string): string {
  try {
    return String(decodeJwt(accessToken).aud);
  } catch {
    return '(opaque token)';
  }
}

function isUnauthorized(error: unknown): boolean {
  // v2 brands its errors; `name` also covers a second copy of either SDK in node_modules.
  return (
    error instanceof V1UnauthorizedError ||
    V2UnauthorizedError.isInstance(error) ||
    (error instanceof Error && error.name === 'UnauthorizedError')
  );
}

/** Wraps `fetch` to narrate the challenges the MCP server sends; everything else passes through. */
function loggingFetch(serverUrl: URL, provider: InMemoryOAuthClientProvider, log: Log): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : input);
    const challenge = response.headers.get('www-authenticate');
    if (url.href === serverUrl.href && challenge) {
      const params = parseChallenge(challenge);
      if (response.status === 401) {
        log(
          `401 challenge received: scope "${params['scope'] ?? ''}", resource_metadata ${params['resource_metadata']}`,
        );
      } else if (response.status === 403 && params['error'] === 'insufficient_scope') {
        const granted = new Set(provider.tokens()?.scope?.split(' '));
        const missing = (params['scope'] ?? '').split(' ').filter((s) => s && !granted.has(s));
        log(`403 insufficient_scope: need ${missing.join(' ') || params['scope']} -> step-up`);
      }
    } else if (url.pathname.startsWith('/.well-known/oauth-protected-resource') && response.ok) {
      log(`protected resource metadata: ${url.href}`);
    } else if (url.pathname.startsWith('/.well-known/oauth-authorization-server') && response.ok) {
      log(`authorization server metadata: ${url.href}`);
    }
    return response;
  };
}

/** Parses `Bearer a="b", c="d"` into `{ a: 'b', c: 'd' }` (quoted or token values). */
function parseChallenge(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [, key, quoted, token] of header.matchAll(/([\w-]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    if (key) params[key] = quoted?.replace(/\\(.)/g, '$1') ?? token ?? '';
  }
  return params;
}

/** The first `<form>` of a page: its action and its named inputs with their values. */
function parseForm(html: string): { action: string; fields: Array<[string, string]> } | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const attr = (tag: string, name: string) =>
    new RegExp(`\\b${name}="([^"]*)"`, 'i')
      .exec(tag)?.[1]
      ?.replace(/&(amp|quot|lt|gt|#39|#x2F);/g, decodeEntity);
  const fields: Array<[string, string]> = [];
  for (const [input] of (form[2] ?? '').matchAll(/<input\b[^>]*>/gi)) {
    const name = attr(input, 'name');
    if (name) fields.push([name, attr(input, 'value') ?? '']);
  }
  return { action: attr(form[1] ?? '', 'action') ?? '', fields };
}

const ENTITIES: Record<string, string> = { amp: '&', quot: '"', lt: '<', gt: '>', '#39': "'", '#x2F': '/' };

function decodeEntity(_match: string, entity: string): string {
  return ENTITIES[entity] ?? '';
}

/** Just enough of RFC 6265 for one loopback host: name, value, `Path`, expiry. */
class CookieJar {
  private cookies = new Map<string, { name: string; value: string; path: string; origin: string }>();

  store(url: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attr = new Map(
        attributes.map((a) => {
          const i = a.indexOf('=');
          return i < 0 ? [a.toLowerCase(), ''] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
        }),
      );
      // Default path: the request path up to its last "/" (RFC 6265 §5.1.4).
      const path = attr.get('path') || url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/';
      const key = `${url.origin} ${path} ${name}`;
      const expires = attr.get('expires');
      const expired =
        attr.get('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (expired || value === '') this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path, origin: url.origin });
    }
  }

  header(url: URL): string {
    const matches = (path: string) =>
      url.pathname === path ||
      (url.pathname.startsWith(path) && (path.endsWith('/') || url.pathname[path.length] === '/'));
    return [...this.cookies.values()]
      .filter((c) => c.origin === url.origin && matches(c.path))
      .sort((a, b) => b.path.length - a.path.length) // more specific paths first, as browsers do
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}
