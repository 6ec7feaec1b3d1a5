/**
 * The manifest's shape: the single source of its TypeScript types, its defaults, its published
 * JSON Schema and the hover text editors show. Rules that need more than one field (issuer ids
 * exist, URLs are safe, metadata paths are unique) live in `check-meaning.ts`.
 *
 * Two variants are built from the same code: the data-only schema published as JSON Schema, and
 * the one `parseManifest` uses, which also accepts functions where a TS manifest may give one
 * (`transpile`, `verify`).
 * @module
 */
import { z } from 'zod';
import type { AuthInfo } from '../verify/auth-info.js';
import { presetSchema } from '../providers/expand-preset.js';
import {
  AUTHORIZATION_SERVER_FIELDS,
  type KnownMetadataField,
  type MetadataField,
  type MetadataFieldKind,
} from '../metadata/authorization-server-fields.js';

/**
 * Asymmetric JWS algorithms a token may be signed with. `none` and `HS*` are never accepted.
 *
 * @example
 * ```ts
 * defineConfig({ ..., resources: [{ ..., token: { algorithms: ['ES256', 'EdDSA'] } }] });
 * ```
 */
export const ASYMMETRIC_ALGORITHMS = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const);

/** One of {@link ASYMMETRIC_ALGORITHMS}. */
export type Algorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

const url = (description: string) => z.string().min(1).describe(description);
const scopeList = (description: string) =>
  z
    .array(
      z
        .string()
        .min(1)
        .regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'a scope is printable ASCII without spaces, `"` or `\\`'),
    )
    .describe(description);
const seconds = (description: string, max: number) => z.number().int().min(0).max(max).describe(description);

function algorithmEnum() {
  return z.enum(ASYMMETRIC_ALGORITHMS, {
    error: (issue) =>
      typeof issue.input === 'string' && /^(none|HS\d+)$/i.test(issue.input)
        ? `"${issue.input}" is refused: only asymmetric algorithms (RS*, PS*, ES*, EdDSA) can be used for access tokens`
        : `expected one of ${ASYMMETRIC_ALGORITHMS.join(', ')}`,
  });
}

/** A function value, accepted only in TS/JS manifests and the programmatic API. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const fn = <T extends Function>() =>
  z.custom<T>((value) => typeof value === 'function', 'expected a function');

/** The raw (snake_case) authorization-server metadata document, as a transpile hook sees it. */
export type RawMetadata = Record<string, unknown>;
/** A transpile hook: receives the raw snake_case document and returns the one to use. */
export type TranspileFunction = (data: RawMetadata) => RawMetadata | Promise<RawMetadata>;
/**
 * A `token.verify` hook: receives the verified token's identity (claims included) and throws,
 * ideally a `TokenError`, to refuse it.
 *
 * @example
 * ```ts
 * const verify: VerifyFunction = (info) => {
 *   if (info.claims.tenant !== 'acme') throw new TokenError('invalid_token', 'rejected');
 * };
 * ```
 */
export type VerifyFunction = (info: AuthInfo) => void | Promise<void>;

/** The zod type of a metadata field of kind `K`, as the manifest declares it. */
type MetadataZod<K extends MetadataFieldKind> = K extends 'string[]'
  ? z.ZodArray<z.ZodString>
  : K extends 'boolean'
    ? z.ZodBoolean
    : z.ZodString;
/** The fields the manifest declares: those with hover text. */
type DeclaredMetadataField = Extract<KnownMetadataField, { description: string }>;
type MetadataShape = {
  [F in DeclaredMetadataField as F['name']]: F extends { required: true }
    ? MetadataZod<F['kind']>
    : z.ZodOptional<MetadataZod<F['kind']>>;
};

type DescribedField = MetadataField & { readonly description: string };

function metadataField(field: DescribedField): z.ZodType {
  const value =
    field.kind === 'string[]'
      ? z.array(z.string()).describe(field.description)
      : field.kind === 'boolean'
        ? z.boolean().describe(field.description)
        : url(field.description);
  return field.required ? value : value.optional();
}

/** `issuers.<id>.metadata`: every field of `AUTHORIZATION_SERVER_FIELDS` that has hover text. */
function metadataSchema() {
  const declared = (AUTHORIZATION_SERVER_FIELDS as readonly MetadataField[]).filter(
    (field): field is DescribedField => field.description !== undefined,
  );
  // The cast is checked by test/metadata/authorization-server-fields.test.ts (kinds in the JSON Schema).
  const shape = Object.fromEntries(
    declared.map((field) => [field.name, metadataField(field)]),
  ) as MetadataShape;
  return z
    .strictObject(shape)
    .catchall(z.unknown())
    .describe(
      'Authorization-server metadata written out by hand, in camelCase (RFC 8414 field names converted). Unknown fields are kept and published as they are.',
    );
}

function jwksSchema() {
  return z
    .strictObject({
      uri: url("Fetch the key set from this URL instead of the metadata's `jwks_uri`.").optional(),
      keys: z
        .array(z.record(z.string(), z.unknown()))
        .describe(
          'Public keys (JWK) given inline, for offline use; no fetch is made. Private and symmetric keys are refused.',
        )
        .optional(),
    })
    .describe(
      "Where this issuer's token-signing keys come from, when not from the metadata's `jwks_uri`. Give `uri` or `keys`.",
    );
}

function introspectionSchema() {
  return z
    .strictObject({
      endpoint: url(
        "The RFC 7662 introspection endpoint. Default: the metadata's `introspection_endpoint`.",
      ).optional(),
      clientId: z.string().min(1).describe("The resource server's client id at the authorization server."),
      clientSecretEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
        .describe(
          'Name of the environment variable holding the client secret. The secret itself never goes in the manifest.',
        ),
      authMethod: z
        .enum(['client_secret_basic', 'client_secret_post'])
        .default('client_secret_basic')
        .describe('How the resource server authenticates to the introspection endpoint.'),
    })
    .describe('Credentials for RFC 7662 token introspection (opaque tokens).');
}

/** A `requireClaims` map: claim name → the exact value the claim must have. */
function requireClaimsSchema(description: string) {
  const name = z
    .string()
    .min(1)
    .refine((key) => !['__proto__', 'constructor', 'prototype'].includes(key), 'not a claim name');
  return z.record(name, z.union([z.string(), z.number(), z.boolean()])).describe(description);
}

/** A `requireOneOfClaims` list: claim names of which a token must carry one. */
function requireOneOfClaimsSchema(description: string) {
  return z.array(z.string().min(1)).min(1).describe(description);
}

function issuerSchema(functions: boolean) {
  const patch = z
    .record(z.string(), z.unknown())
    .describe(
      'Fixes for a non-conforming provider, applied to the raw snake_case document before validation: a JSON Merge Patch (RFC 7396) in JSON/YAML manifests; `null` deletes a field. In TS manifests also a function `(data) => data`, sync or async.',
    );
  return z
    .strictObject({
      issuer: url(
        "The issuer URL. Alone, it is discovered from its well-known URL (see `type`); the fetched document's `issuer` must be identical to it (RFC 8414 §3.3).",
      ).optional(),
      wellKnownUrl: url(
        'Fetch the metadata from exactly this URL instead of deriving it from `issuer`.',
      ).optional(),
      metadata: metadataSchema().optional(),
      type: z
        .enum(['oidc', 'oauth', 'auto'])
        .default('auto')
        .describe(
          'How to find the metadata from `issuer`: `oauth` = RFC 8414 path insertion (`/.well-known/oauth-authorization-server/<path>`); `oidc` = appended (`<issuer>/.well-known/openid-configuration`); `auto` = the MCP client order (OAuth, then OIDC inserted, then OIDC appended).',
        ),
      transpile: (functions ? z.union([patch, fn<TranspileFunction>()]) : patch).optional(),
      jwks: jwksSchema().optional(),
      introspection: introspectionSchema().optional(),
      preset: presetSchema().optional(),
      tokenIssuers: z
        .array(z.string().min(1))
        .min(1)
        .describe(
          "The `iss` values this issuer's tokens carry, when they differ from the metadata's `issuer` (verified with this issuer's keys): exact strings, or templates holding `{tenant}` once, which stands for one tenant id segment (multi-tenant Entra ID: `https://login.microsoftonline.com/{tenant}/v2.0`). A template needs `tenants`. Default: the metadata's `issuer`.",
        )
        .optional(),
      requireClaims: requireClaimsSchema(
        'Claims every token of this issuer must carry with exactly these values (JWT, introspected or token information), checked once the token is attributed to this issuer, whatever resource it is for: e.g. `{ "token_use": "access" }` (Cognito) or `{ "typ": "Bearer" }` (Keycloak), so that ID tokens are refused. A preset sets these; a claim written here replaces the preset\'s value for that claim only.',
      ).optional(),
      requireOneOfClaims: requireOneOfClaimsSchema(
        'Claims of which every token of this issuer must carry at least one (any value), e.g. `["azp", "appid"]` (the `entra` preset: Entra access tokens carry `azp` (v2.0) or `appid` (v1.0), its ID tokens neither). Written here, it replaces the preset\'s list.',
      ).optional(),
      tenants: z
        .strictObject({
          claim: z
            .string()
            .min(1)
            .default('tid')
            .describe(
              'The claim naming the tenant. It must equal the tenant in `iss` when `iss` matched a template.',
            ),
          allowed: z
            .array(z.string().min(1))
            .min(1)
            .describe('The tenants whose tokens are accepted.')
            .optional(),
          any: z
            .boolean()
            .default(false)
            .describe(
              'Accept every tenant (anyone who can create a tenant at this provider can get a token); `validate` warns every time.',
            ),
        })
        .describe('Which tenants of a multi-tenant issuer are accepted: give `allowed`, or `any: true`.')
        .optional(),
      tokenInfo: z
        .strictObject({
          endpoint: url(
            'The endpoint that answers 2xx with a JSON object for a valid token and 400/401 otherwise, e.g. `https://oauth2.googleapis.com/tokeninfo` or `https://api.github.com/user`. With `send: "bearer"` a 429 is the token\'s own rate limit: that request gets 503, no other.',
          ),
          send: z
            .enum(['form', 'bearer'])
            .default('bearer')
            .describe(
              'How the token is sent: `form` = POST `access_token=<token>`; `bearer` = GET with `Authorization: Bearer <token>`. Never in the URL.',
            ),
          subjectMember: z
            .string()
            .min(1)
            .describe('A member of the answer used as `sub` when the answer has no `sub` (GitHub: `id`).')
            .optional(),
        })
        .describe(
          'Opaque tokens checked at a token-information endpoint (`token.format: "tokeninfo"`). Each answer is cached as a verified token: until its `exp`/`expires_in`, at most `settings.cache.maxAgeSeconds`.',
        )
        .optional(),
    })
    .describe(
      'One authorization server. Give exactly one of: `issuer` (discovery), `wellKnownUrl`, or `metadata`, or a `preset` that sets them.',
    );
}

function tokenSchema(functions: boolean) {
  const shape = {
    format: z
      .enum(['jwt', 'introspection', 'auto', 'tokeninfo'])
      .default('jwt')
      .describe(
        "`jwt`: verify locally against the issuer's keys. `introspection`: ask the issuer (RFC 7662). `auto`: JWT-shaped tokens locally, others introspected. `tokeninfo`: ask the first issuer's `tokenInfo` endpoint (Google, GitHub).",
      ),
    requireAudience: z
      .boolean()
      .describe(
        'Default `true`. `false`: `aud` is not checked, for providers whose access tokens carry none (Cognito, GitHub). Bind tokens to your application with `allowedClientIds` instead; without it `validate` warns that tokens issued to any application are accepted.',
      )
      .optional(),
    clientIdClaim: z
      .string()
      .min(1)
      .describe(
        'The claim `allowedClientIds` reads. Default: `client_id`, else `azp`, else `cid`, else `appid` (Entra v1.0).',
      )
      .optional(),
    allowedClientIds: z
      .array(z.string().min(1))
      .min(1)
      .describe('Accept only tokens issued to these OAuth clients (the client id claim).')
      .optional(),
    requireClaims: requireClaimsSchema(
      'Claims every token for this resource must carry with exactly these values, in addition to its issuer\'s `requireClaims`, e.g. `{ "acr": "mfa" }`.',
    ).optional(),
    requireOneOfClaims: requireOneOfClaimsSchema(
      "Claims of which every token for this resource must carry at least one (any value), in addition to its issuer's `requireOneOfClaims`.",
    ).optional(),
    roleClaims: z
      .array(z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]))
      .describe(
        'Role arrays whose values also grant scopes of the same names: a claim name (`roles`), or the path of member names to a nested array (`["realm_access", "roles"]`).',
      )
      .optional(),
    audience: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe(
        "Audience values the token's `aud` must contain one of. Default: the resource URL (RFC 8707).",
      )
      .optional(),
    requiredScopes: scopeList(
      'Scopes every request to this resource needs (403 `insufficient_scope` otherwise).',
    ).default([]),
    algorithms: z
      .array(algorithmEnum())
      .min(1)
      .default(['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'])
      .describe('Signature algorithms accepted. Asymmetric only; `none` and `HS*` are refused.'),
    clockTolerance: seconds('Seconds of clock skew tolerated for `exp`, `nbf` and `iat`.', 300).default(30),
    typ: z
      .enum(['lenient', 'strict'])
      .default('lenient')
      .describe(
        '`lenient`: header `typ` absent, `JWT`, `at+jwt` or `application/at+jwt`. `strict`: `at+jwt` required (RFC 9068).',
      ),
    scopeClaims: z
      .array(z.string().min(1))
      .min(1)
      .default(['scope'])
      .describe(
        'Claims scopes are read from: `scope` (space-separated string) and/or array claims such as `scp` or `permissions`.',
      ),
    maxLength: z
      .number()
      .int()
      .min(64)
      .max(65536)
      .default(8192)
      .describe('Longest accepted token, checked before any crypto or network work.'),
    challengeGrantedScopes: z
      .boolean()
      .default(true)
      .describe(
        'In a 403 `insufficient_scope`, also list the scopes the token already holds that this resource knows, so clients that replace (rather than add to) their scopes on step-up keep them.',
      ),
  };
  return z
    .strictObject(
      functions
        ? {
            ...shape,
            verify: fn<VerifyFunction>()
              .describe(
                'A custom check run after verification (TS manifests and the API only); throw to reject.',
              )
              .optional(),
          }
        : shape,
    )
    .describe('How bearer tokens for this resource are verified.');
}

function resourceSchema(functions: boolean) {
  return z
    .strictObject({
      resource: url(
        'The protected resource identifier: the URL of the MCP endpoint, e.g. `https://api.example.com/mcp`. Tokens must name it as audience.',
      ),
      authorizationServers: z
        .array(z.string().min(1))
        .min(1)
        .describe(
          'Ids from `issuers` whose tokens this resource accepts, in the order published. MCP clients use the first.',
        ),
      scopesSupported: scopeList(
        '`scopes_supported`: scopes clients may request for this resource.',
      ).optional(),
      resourceName: z.string().describe('`resource_name`: a human-readable name.').optional(),
      resourceDocumentation: url('`resource_documentation`: a page for developers.').optional(),
      resourcePolicyUri: url('`resource_policy_uri`.').optional(),
      resourceTosUri: url('`resource_tos_uri`.').optional(),
      bearerMethodsSupported: z
        .array(z.literal('header'))
        .describe('`bearer_methods_supported`; MCP allows only `header`.')
        .optional(),
      extraMetadata: z
        .record(z.string(), z.unknown())
        .describe('Further RFC 9728 fields, published as written (snake_case).')
        .optional(),
      token: tokenSchema(functions).prefault({}),
      tools: z
        .record(
          z.string().min(1),
          z
            .strictObject({
              requiredScopes: scopeList(
                "Scopes a `tools/call` of this tool needs in addition to the resource's.",
              ),
            })
            .describe('Per-tool step-up policy.'),
        )
        .describe(
          'Tools that need more scopes than the resource does; a call without them gets 403 `insufficient_scope`.',
        )
        .default({}),
      scopeHierarchy: z
        .record(z.string().min(1), z.array(z.string().min(1)))
        .describe(
          'Broader scopes and the narrower ones each implies, e.g. `{ "notes:admin": ["read:notes", "write:notes"] }`. Applied by every scope check.',
        )
        .default({}),
      browser: z
        .strictObject({
          public: z
            .boolean()
            .default(false)
            .describe(
              'Challenge responses carry `Access-Control-Allow-Origin: *` so any web origin can read `WWW-Authenticate`.',
            ),
        })
        .describe('How browser-based MCP clients on other origins are served.')
        .prefault({}),
      mirrorAuthorizationServerMetadata: z
        .boolean()
        .default(false)
        .describe(
          "Also serve the first issuer's metadata at `/.well-known/oauth-authorization-server` on this resource's origin, for clients of MCP 2025-03-26.",
        ),
      protect: z
        .boolean()
        .default(true)
        .describe(
          "Adapters protect every request under the resource's path. Set false to protect only chosen routes.",
        ),
      upstream: z
        .strictObject({
          url: url(
            'The unprotected MCP endpoint, e.g. `http://127.0.0.1:3001/mcp`. The request path below the resource path is appended to its path; the query is kept. https, or http to loopback (or to a private address with `privateHttp`).',
          ),
          privateHttp: z
            .boolean()
            .default(false)
            .describe(
              'Allow plain http to a private IP address written in `url` (10/8, 172.16/12, 192.168/16, fc00::/7). Host names other than loopback always need https.',
            ),
        })
        .describe(
          '`mcp-auth serve` (gateway mode) forwards authorised requests for this resource here, with the caller identity in `X-MCP-*` headers and never the access token.',
        )
        .optional(),
    })
    .describe('One protected resource (RFC 9728).');
}

/** `settings.store`: where instances share introspection results and the revocation list. */
function storeSchema() {
  const memory = z
    .strictObject({
      type: z
        .literal('memory')
        .describe('In-process only: nothing is shared between instances (the default).'),
    })
    .describe('The in-memory store: one instance, nothing to run.');
  const redis = z
    .strictObject({
      type: z
        .literal('redis')
        .describe('Redis, shared by every instance (needs the `redis` package: `npm i redis`).'),
      url: z
        .string()
        .regex(/^rediss?:\/\/[^\s]+$/, 'a redis:// or rediss:// URL')
        .describe(
          'The server, e.g. `"${REDIS_URL}"`: `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. Give credentials through an environment variable; the URL is never logged.',
        ),
      tls: z
        .strictObject({
          caFile: z
            .string()
            .min(1)
            .describe(
              'PEM file (relative to the working directory) of the CA that signed the server certificate. Default: the system CAs.',
            )
            .optional(),
        })
        .describe('Connect over TLS (also implied by `rediss://`).')
        .optional(),
      keyPrefix: z
        .string()
        .min(1)
        .max(64)
        .regex(/^[\x21-\x7E]+$/, 'printable ASCII without spaces')
        .default('mcp-auth:')
        .describe(
          'Prefix of every key and channel this library uses, so several deployments can share one Redis.',
        ),
      commandTimeoutMs: z
        .number()
        .int()
        .min(10)
        .max(60_000)
        .default(500)
        .describe(
          'Deadline of one Redis command. A slower answer counts as a miss (introspection then asks the authorization server, within `fetch.timeoutMs` in all); never longer than `fetch.timeoutMs`.',
        ),
    })
    .describe(
      'Redis: introspection results and the revocation list are shared, and revocations are published to every instance.',
    );
  return z
    .discriminatedUnion('type', [memory, redis])
    .describe(
      'Where instances share state: introspection results (keyed by a SHA-256 of the token) and the revocation list. JWT verification never depends on it.',
    );
}

/** `settings.revocation`: how fresh each instance's copy of the revocation list must be. */
function revocationSchema() {
  return z
    .strictObject({
      maxStalenessSeconds: z
        .number()
        .int()
        .min(1)
        .max(300)
        .default(5)
        .describe(
          'A revocation is enforced by every instance within this delay (pub/sub delivers it at once; each instance also re-reads the list from the store at least this often).',
        ),
      onStoreUnavailable: z
        .enum(['fail-closed', 'fail-open'])
        .default('fail-closed')
        .describe(
          'When the list could not be read for longer than `maxStalenessSeconds`: `fail-closed` answers 503 with `Retry-After` (the revocation state is unknown); `fail-open` accepts the token and logs a warning.',
        ),
    })
    .describe('Token revocation (`auth.revoke()`, `mcp-auth revoke`).');
}

function settingsSchema() {
  return z
    .strictObject({
      startup: z
        .enum(['fail-fast', 'lazy'])
        .default('fail-fast')
        .describe(
          '`fail-fast`: compile() rejects when an issuer cannot be resolved. `lazy`: compile() succeeds and resolution retries in the background (requests get 503 meanwhile).',
        ),
      fetch: z
        .strictObject({
          timeoutMs: z
            .number()
            .int()
            .min(100)
            .max(60_000)
            .default(5000)
            .describe('Total deadline of one outbound fetch, headers and body.'),
          maxBytes: z
            .number()
            .int()
            .min(1024)
            .max(16 * 1024 * 1024)
            .default(1024 * 1024)
            .describe('Largest accepted response body.'),
        })
        .describe('Limits for outbound fetches (discovery, JWKS, introspection).')
        .prefault({}),
      metadataRefreshSeconds: seconds(
        'Re-fetch issuer metadata this often; 0 = never. A failed refresh keeps the last good document.',
        7 * 86400,
      ).default(0),
      jwks: z
        .strictObject({
          cooldownSeconds: seconds(
            'Least time between two key-set refetches triggered by an unknown `kid`.',
            3600,
          ).default(30),
          maxAgeSeconds: seconds('Refresh keys that are older than this on next use.', 86400).default(600),
          staleSeconds: seconds(
            'How long the last good keys keep serving known `kid`s while refreshes fail.',
            7 * 86400,
          ).default(3600),
        })
        .describe('JSON Web Key Set caching.')
        .prefault({}),
      cache: z
        .strictObject({
          maxEntries: z
            .number()
            .int()
            .min(0)
            .max(100_000)
            .default(10_000)
            .describe(
              "Verified tokens remembered (LRU); 0 disables the cache. Each entry holds the token and its identity: about 1.3 KB of heap for a 420-character token with eight claims (the token's length plus ~0.9 KB), so 10,000 entries ≈ 13 MB and the maximum ≈ 130 MB. Once full, a new token takes a place only when it is verified a second time (or when the oldest entry has expired), so a flood of one-shot tokens evicts none of the tokens in use.",
            ),
          maxAgeSeconds: seconds(
            'Longest a verified token is remembered (it is also dropped at its `exp`).',
            3600,
          ).default(60),
        })
        .describe('The verified-token cache, so a reused token pays the signature check once.')
        .prefault({}),
      verify: z
        .strictObject({
          offload: z
            .enum(['auto', 'sync', 'pool'])
            .default('auto')
            .describe(
              'Where JWT signatures are checked. `sync`: always on the event loop (an ES256 check holds it ~70 µs, RS256 ~25 µs). `pool`: always on the libuv thread pool (`UV_THREADPOOL_SIZE`): the loop spends ~20 µs per token and other cores share the work, but a lone check waits ~35-50 µs longer for its answer. `auto`: by load. For RS*, PS*, ES256 and EdDSA, a lone check (the first of an event-loop turn, none pending) runs on the loop and is answered at once, like `sync`; the other checks of a burst go to the pool when the process may run on more than one core (at most 64 per pool thread queued; beyond, as on one core), and on a single core run on the loop with their answers given after the turn, so the answers of a burst leave together (on one core that beats both `sync` and `pool`; an early answer of a burst waits until the burst is checked). ES384 and ES512 always go to the pool. Node before 22 does not see the CPU quota of a container: in a one-CPU container on a larger host, `auto` takes the pool. Runtimes without `node:crypto` use WebCrypto whatever the setting.',
            ),
        })
        .describe('How token signatures are verified.')
        .prefault({}),
      maxBodyBytes: z
        .number()
        .int()
        .min(1024)
        .max(64 * 1024 * 1024)
        .default(4 * 1024 * 1024)
        .describe(
          'Largest request body read to find the tools a JSON-RPC `tools/call` names (resources with per-tool scopes) or a form-body `access_token`. The body is read only after the `Authorization` header passed its checks; a larger body is answered 413 on a resource that needs it. Fastify reads bodies itself: its own `bodyLimit` applies first.',
        ),
      metadataMaxAgeSeconds: seconds(
        '`Cache-Control: max-age` of the Protected Resource Metadata responses.',
        86400,
      ).default(3600),
      store: storeSchema().prefault({ type: 'memory' }),
      revocation: revocationSchema().prefault({}),
    })
    .describe('Runtime limits and caches. Every field has a default.');
}

const envName = (description: string) =>
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
    .describe(description);
const oneOrMore = (description: string) =>
  z.union([url(description), z.array(url(description)).min(1)]).describe(description);

function clientAuthSchema() {
  const secret = z
    .strictObject({
      method: z
        .enum(['client_secret_basic', 'client_secret_post'])
        .describe(
          '`client_secret_basic`: HTTP Basic with the form-encoded id and secret (RFC 6749 §2.3.1). `client_secret_post`: both in the request body.',
        ),
      secretEnv: envName(
        'Name of the environment variable holding the client secret. The secret itself never goes in the manifest; an unset or empty variable stops compile().',
      ),
    })
    .describe('A client secret, read from the environment at compile time.');
  const privateKeyJwt = z
    .strictObject({
      method: z
        .literal('private_key_jwt')
        .describe(
          "A short-lived JWT assertion signed with the client's private key (RFC 7523 §2.2): `iss` = `sub` = the client id, `aud` = the token endpoint.",
        ),
      keyFile: z
        .string()
        .min(1)
        .describe(
          'Path (relative to the working directory) of the private key: PKCS#8 PEM, or a private JWK as JSON. Read at compile time.',
        )
        .optional(),
      keyEnv: envName(
        'Name of the environment variable holding the private key: PKCS#8 PEM, or a private JWK as JSON.',
      ).optional(),
      alg: algorithmEnum()
        .describe("Signature algorithm of the assertion. Default: the JWK's `alg`, else `RS256`.")
        .optional(),
      kid: z
        .string()
        .min(1)
        .describe(
          "`kid` header of the assertion, naming the key in the client's registered JWKS. Default: the JWK's `kid`.",
        )
        .optional(),
    })
    .describe('Private key JWT client authentication (RFC 7523). Give exactly one of `keyFile` or `keyEnv`.');
  return z
    .discriminatedUnion('method', [secret, privateKeyJwt])
    .describe("How this server authenticates to the exchanging issuer's token endpoint.");
}

function downstreamSchema() {
  return z
    .strictObject({
      issuer: z
        .string()
        .min(1)
        .describe(
          "Id from `issuers` of the authorization server that performs the exchange; its metadata's `token_endpoint` is called.",
        ),
      grant: z
        .enum(['token-exchange', 'jwt-bearer'])
        .describe(
          "`token-exchange`: RFC 8693, the caller's access token as `subject_token`. `jwt-bearer`: RFC 7523 with `requested_token_use=on_behalf_of` (Microsoft Entra on-behalf-of), the caller's token as `assertion`.",
        ),
      audience: oneOrMore(
        '`audience` of the token wanted (RFC 8693 §2.1): the logical name of the downstream API. Token exchange only.',
      ).optional(),
      resource: oneOrMore(
        '`resource` indicator(s) of the downstream API (RFC 8707), absolute URLs. Token exchange only.',
      ).optional(),
      scope: scopeList(
        'Scopes requested for the downstream API, e.g. `["notes:read"]` or Entra\'s `["https://graph.microsoft.com/.default"]`.',
      ).optional(),
      actor: z
        .strictObject({
          audience: oneOrMore('`audience` of the actor token requested with client credentials.').optional(),
          resource: oneOrMore('`resource` of the actor token requested with client credentials.').optional(),
          scope: scopeList('Scopes of the actor token requested with client credentials.').optional(),
        })
        .describe(
          "Delegation: send this server's own client-credentials token (fetched from the same issuer and cached) as `actor_token` (RFC 8693 §1.1). Token exchange only.",
        )
        .optional(),
      clientId: z.string().min(1).describe("This server's client id at the exchanging issuer."),
      clientAuth: clientAuthSchema(),
    })
    .describe(
      'One downstream API this server calls as the user, and how to get a token for it. Tool code asks with `auth.downstreamToken(authInfo, "<name>")`.',
    );
}

/** Builds the manifest schema; `functions` admits hook functions (TS manifests and the API). */
export function buildManifestSchema(functions: boolean) {
  return z
    .strictObject({
      $schema: z.string().describe('The JSON Schema this file follows, for editors.').optional(),
      issuers: z
        .record(
          z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'an issuer id: letters, digits, `_`, `.` and `-`'),
          issuerSchema(functions),
        )
        .describe('Authorization servers that may issue tokens, by an id of your choice.'),
      resources: z
        .array(resourceSchema(functions))
        .min(1)
        .describe('The protected resources (MCP endpoints) this server exposes.'),
      downstream: z
        .record(
          z
            .string()
            .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a downstream name: letters, digits, `_`, `.` and `-`'),
          downstreamSchema(),
        )
        .describe(
          "Downstream APIs called as the user (token broker): each name gets exchanged tokens from one of `issuers` (RFC 8693 token exchange or on-behalf-of). The client's token is never passed through.",
        )
        .optional(),
      settings: settingsSchema().prefault({}),
    })
    .describe(
      'mcp-auth-config manifest: which authorization servers may issue tokens for which protected resources.',
    );
}

/** The schema `parseManifest` validates with (accepts hook functions). */
export const manifestSchema = buildManifestSchema(true);

/** A manifest as written (defaults optional). Use with {@link defineConfig}. */
export type ManifestInput = z.input<typeof manifestSchema>;
/** A manifest after parsing: defaults filled in, deep-frozen. */
export type Manifest = z.output<typeof manifestSchema>;
/** One issuer entry of a parsed manifest. */
export type IssuerEntry = Manifest['issuers'][string];
/** One resource entry of a parsed manifest. */
export type ResourceEntry = Manifest['resources'][number];
/** The `token` policy of a parsed resource. */
export type TokenPolicy = ResourceEntry['token'];
/** The `settings` of a parsed manifest. */
export type Settings = Manifest['settings'];
/** One `downstream` entry of a parsed manifest. */
export type DownstreamEntry = NonNullable<Manifest['downstream']>[string];
/** Hand-written authorization-server metadata (camelCase). */
export type ManualMetadata = NonNullable<IssuerEntry['metadata']>;
