/**
 * Store tests' shared parts: compiled runtimes ("instances") sharing one real Redis, a JWT
 * issuer with inline keys, a loopback introspection server counting calls, and requests through
 * the runtime core.
 */
import { createClient } from 'redis';
import { compile } from '../../src/runtime/compile.js';
import type { McpAuth } from '../../src/runtime/mcp-auth.js';
import type { ManifestInput } from '../../src/manifest/schema.js';
import type { Logger } from '../../src/runtime/types.js';
import { claims, makeKey, now, type SigningKey, signToken } from '../support/tokens.js';
import { type IntrospectionServer, issuerEntry, startIntrospectionServer } from '../support/issuer.js';
import { ISSUER, RESOURCE } from '../support/constants.js';

let key: SigningKey | undefined;
/** One ES256 key for every test of a file. */
export function signingKey(): SigningKey {
  return (key ??= makeKey('ES256'));
}

/** A valid JWT for the resource; claims overridable (`jti` unique by default). */
export function jwt(extra: Record<string, unknown> = {}): string {
  return signToken(signingKey(), claims(ISSUER, RESOURCE, extra));
}

/** Opaque tokens the introspection server knows, with what it answers for each. */
export const answers = new Map<string, Record<string, unknown>>();
let seq = 0;
/** A new opaque token that introspects as active for the resource. */
export function opaque(extra: Record<string, unknown> = {}): string {
  const token = `opaque-${++seq}-${Math.random().toString(36).slice(2)}`;
  answers.set(token, {
    active: true,
    iss: ISSUER,
    aud: RESOURCE,
    sub: 'user-opaque',
    client_id: 'client-opaque',
    scope: 'read',
    exp: now() + 300,
    ...extra,
  });
  return token;
}

/** The loopback introspection server (counts calls in `calls`). */
export function startAs(): Promise<IntrospectionServer> {
  return startIntrospectionServer((token) => answers.get(token) ?? { active: false });
}

/** A manifest with one resource (`format: auto`) whose issuer has keys and introspection. */
export function manifest(
  as: IntrospectionServer,
  settings: NonNullable<ManifestInput['settings']>,
): ManifestInput {
  return {
    issuers: {
      main: {
        ...issuerEntry(ISSUER, { keys: [signingKey().publicJwk] }),
        introspection: {
          endpoint: as.endpoint,
          clientId: 'rs',
          clientSecretEnv: 'RS_SECRET',
          authMethod: 'client_secret_basic',
        },
      },
    },
    resources: [{ resource: RESOURCE, authorizationServers: ['main'], token: { format: 'auto' } }],
    settings,
  };
}

/** A logger that keeps what it is told. */
export function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (message) => void lines.push(message) };
}

/** Compiles an instance. */
export function instance(
  as: IntrospectionServer,
  settings: NonNullable<ManifestInput['settings']>,
  logger?: Logger,
): Promise<McpAuth> {
  return compile(manifest(as, settings), { env: { RS_SECRET: 'secret' }, ...(logger ? { logger } : {}) });
}

/** The answer of `auth` to a request for the resource with `token`. */
export async function call(
  auth: McpAuth,
  token: string,
): Promise<{ status: number; headers: Readonly<Record<string, string>>; error?: string | undefined }> {
  const result = await auth.authenticate({ method: 'POST', url: '/mcp', authorization: [`Bearer ${token}`] });
  if (!result.response) return { status: 200, headers: {} };
  const body = JSON.parse(String(result.response.body)) as { error?: string };
  return { status: result.response.status, headers: result.response.headers, error: body.error };
}

/** Polls `check` every 50 ms until it is true; false when `ms` passed first. */
export async function eventually(check: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A raw node-redis client on `url`, for what a test writes or reads behind the runtime's back. */
export async function rawClient(url: string) {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
