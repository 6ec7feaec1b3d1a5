/**
 * Shared parts of the edge tests: esbuild bundles in a temporary folder, the runtimes from
 * node_modules (a missing one is reported, and fails under CI), the manifest the edge app serves
 * (inline ES256 key; a second resource whose issuer is discovered from a loopback server that
 * also publishes an RS256 key; a third whose opaque tokens that server introspects, checking the
 * client's Basic credentials) and the checks every runtime must pass.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { expect, it } from 'vitest';
import {
  claims,
  issuerEntry,
  makeKey,
  now,
  signToken,
  startServer,
  type TestServer,
} from '../support/tokens.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = join(ROOT, 'test/fixtures/edge');

/** A bundle written to a fresh temporary folder. */
export interface Bundle {
  readonly dir: string;
  readonly file: string;
  readonly text: string;
  readonly metafile: Metafile;
  remove(): Promise<void>;
}

/**
 * Bundles `entry` with esbuild (ESM, everything inlined unless `options` says otherwise) into a
 * fresh folder under `parent`; Web-API hosts get `platform: 'neutral'`.
 */
export async function bundle(entry: string, options: BuildOptions = {}, parent = tmpdir()): Promise<Bundle> {
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'mcp-auth-edge-'));
  const file = join(dir, 'out', 'bundle.mjs');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    outfile: file,
    metafile: true,
    write: false,
    logLevel: 'silent',
    ...options,
  });
  await mkdir(join(dir, 'out'), { recursive: true });
  const text = result.outputFiles![0]!.text;
  await writeFile(file, text);
  return {
    dir,
    file,
    text,
    metafile: result.metafile!,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The npm packages whose binaries the edge tests run. */
export type RuntimeName = 'bun' | 'deno' | 'workerd';

/** Whether a runtime's binary is installed and runs here, and why not. */
export function probeRuntime(name: RuntimeName): { ok: true; bin: string } | { ok: false; reason: string } {
  const bin = join(ROOT, 'node_modules/.bin', name);
  if (!existsSync(bin))
    return {
      ok: false,
      reason: `node_modules/.bin/${name} is missing (npm ci did not install "${name === 'workerd' ? 'miniflare' : name}")`,
    };
  const run = spawnSync(bin, ['--version'], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1' },
  });
  if (run.status !== 0)
    return {
      ok: false,
      reason: `${name} --version failed: ${(run.error?.message ?? run.stderr).slice(0, 200)}`,
    };
  return { ok: true, bin };
}

/**
 * `it` when the runtime runs here; otherwise a skipped test with the reason printed, and under CI
 * (`process.env.CI`) a failing one: a runtime that cannot run is never silently skipped.
 */
export function itOnRuntime(
  name: RuntimeName,
): (title: string, fn: (bin: string) => Promise<void>, timeout?: number) => void {
  const probe = probeRuntime(name);
  return (title, fn, timeout) => {
    if (probe.ok) {
      it(title, () => fn(probe.bin), timeout);
      return;
    }
    console.warn(`[edge] ${name} cannot run here: ${probe.reason}`);
    if (process.env.CI) {
      it(`${title} (${name} must run in CI)`, () => {
        throw new Error(`${name} cannot run: ${probe.reason}`);
      });
    } else {
      it.skip(`${title} (skipped: ${probe.reason})`, () => undefined);
    }
  };
}

export const RESOURCE = 'https://mcp.example.test/mcp';
export const DISCOVERED_RESOURCE = 'https://mcp.example.test/discovered';
export const INTROSPECTED_RESOURCE = 'https://mcp.example.test/introspected';
const INLINE_ISSUER = 'https://issuer.example.test';

/** Introspection client credentials with characters RFC 6749 §2.3.1 form-encodes, and non-ASCII. */
const INTROSPECTION_CLIENT_ID = 'edge rs:1';
const INTROSPECTION_SECRET = 's3cr:t+/ é%';

/** The `Authorization` header the introspection endpoint accepts (computed here with Node's Buffer). */
const formEncode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
export const EXPECTED_BASIC = `Basic ${Buffer.from(
  `${formEncode(INTROSPECTION_CLIENT_ID)}:${formEncode(INTROSPECTION_SECRET)}`,
).toString('base64')}`;

/** The keys, the loopback authorization server and the manifest of one edge test. */
export interface EdgeSetup {
  readonly manifest: Record<string, unknown>;
  readonly as: TestServer;
  readonly token: (scopes?: string) => string;
  readonly discoveredToken: () => string;
  /** An RS256 token of the loopback issuer for the discovered resource. */
  readonly rsaToken: () => string;
  /** Opaque tokens the loopback introspection endpoint answers active and inactive. */
  readonly opaque: { readonly active: string; readonly inactive: string };
  /** The `Authorization` header of every introspection request, in order. */
  readonly introspectionCalls: readonly (string | undefined)[];
  /** The variables the app compiles with (the introspection secret). */
  readonly env: Readonly<Record<string, string>>;
  readonly forgedToken: () => string;
  /** A token of the loopback issuer for any audience. */
  readonly loopbackToken: (aud: string, scope: string) => string;
  close(): Promise<void>;
}

/**
 * The inline-key resource needs no outbound fetch; the discovered one makes the runtime fetch the
 * metadata and the keys from a 127.0.0.1 server through its own fetch path.
 */
export async function edgeSetup(): Promise<EdgeSetup> {
  const inline = makeKey('ES256');
  const discovered = makeKey('ES256');
  const discoveredRsa = makeKey('RS256');
  const stranger = makeKey('ES256', { kid: inline.kid });
  const opaque = { active: `opaque-active-${randomUUID()}`, inactive: `opaque-inactive-${randomUUID()}` };
  const introspectionCalls: (string | undefined)[] = [];
  let issuer = '';
  const as = await startServer((req, res, body) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/oauth-authorization-server') {
      res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          introspection_endpoint: `${issuer}/introspect`,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
        }),
      );
    } else if (req.url === '/jwks') {
      res.end(JSON.stringify({ keys: [discovered.publicJwk, discoveredRsa.publicJwk] }));
    } else if (req.url === '/introspect' && req.method === 'POST') {
      // RFC 7662 §2.1: the endpoint authenticates the caller; wrong credentials are a 401.
      introspectionCalls.push(req.headers.authorization);
      if (req.headers.authorization !== EXPECTED_BASIC) {
        res.statusCode = 401;
        res.end(JSON.stringify({ error: 'invalid_client' }));
        return;
      }
      const token = new URLSearchParams(body).get('token');
      res.end(
        JSON.stringify(
          token === opaque.active
            ? {
                active: true,
                iss: issuer,
                aud: INTROSPECTED_RESOURCE,
                sub: 'user-2',
                scope: 'read:notes',
                exp: now() + 300,
              }
            : { active: false },
        ),
      );
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  issuer = as.url;
  const manifest = {
    issuers: {
      inline: issuerEntry(INLINE_ISSUER, { keys: [inline.publicJwk] }),
      loopback: {
        issuer,
        type: 'oauth',
        introspection: { clientId: INTROSPECTION_CLIENT_ID, clientSecretEnv: 'INTROSPECTION_SECRET' },
      },
    },
    resources: [
      { resource: RESOURCE, authorizationServers: ['inline'], token: { requiredScopes: ['read:notes'] } },
      { resource: DISCOVERED_RESOURCE, authorizationServers: ['loopback'] },
      {
        resource: INTROSPECTED_RESOURCE,
        authorizationServers: ['loopback'],
        token: { format: 'introspection' },
      },
    ],
  };
  return {
    manifest,
    as,
    token: (scope = 'read:notes') => signToken(inline, claims(INLINE_ISSUER, RESOURCE, { scope })),
    discoveredToken: () =>
      signToken(discovered, claims(issuer, DISCOVERED_RESOURCE, { scope: 'read:notes' })),
    rsaToken: () => signToken(discoveredRsa, claims(issuer, DISCOVERED_RESOURCE, { scope: 'read:notes' })),
    opaque,
    introspectionCalls,
    env: { INTROSPECTION_SECRET },
    forgedToken: () => signToken(stranger, claims(INLINE_ISSUER, RESOURCE, { scope: 'read:notes' })),
    loopbackToken: (aud, scope) => signToken(discovered, claims(issuer, aud, { scope })),
    close: () => as.close(),
  };
}

const TOOLS_LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

function post(url: string, token?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: TOOLS_LIST,
    signal: AbortSignal.timeout(15_000),
  });
}

/** What the app reported about the request that reached it. */
export interface Reached {
  readonly method?: string;
  readonly subject?: string;
  readonly scopes?: string[];
  readonly issuer?: string;
  readonly platform: Record<string, string>[];
}

/**
 * The checks every runtime passes: PRM served, 401 challenge naming the PRM, a valid token reaches
 * the handler with its identity, a forged or missing-scope token is refused, and (`discovery`) an
 * issuer discovered over loopback through the runtime's own fetch: its RS256 and ES256 tokens
 * verified against its JWKS, and opaque tokens introspected at its endpoint with Basic client
 * credentials (active accepted, inactive refused). Returns what reached the app.
 */
export async function expectProtected(
  base: string,
  setup: EdgeSetup,
  options: { discovery: boolean },
): Promise<{ reached: Reached; runtime: { transport: string; buffer: string } }> {
  const prm = await fetch(`${base}/.well-known/oauth-protected-resource/mcp`, {
    signal: AbortSignal.timeout(15_000),
  });
  expect(prm.status).toBe(200);
  expect(await prm.json()).toMatchObject({ resource: RESOURCE, authorization_servers: [INLINE_ISSUER] });

  const missing = await post(`${base}/mcp`);
  expect(missing.status).toBe(401);
  expect(missing.headers.get('www-authenticate')).toMatch(
    /^Bearer .*resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"/,
  );
  await missing.arrayBuffer();

  const ok = await post(`${base}/mcp`, setup.token());
  expect(ok.status).toBe(200);
  const reached = (await ok.json()) as Reached;
  expect(reached).toMatchObject({
    method: 'tools/list',
    subject: 'user-1',
    scopes: ['read:notes'],
    issuer: INLINE_ISSUER,
  });

  const forged = await post(`${base}/mcp`, setup.forgedToken());
  expect(forged.status).toBe(401);
  expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');
  await forged.arrayBuffer();

  const scopeless = await post(`${base}/mcp`, setup.token('profile'));
  expect(scopeless.status).toBe(403);
  await scopeless.arrayBuffer();

  if (options.discovery) {
    // RS256 first: the modulus size of each RSA key is checked on import (Web APIs alone).
    const rsa = await post(`${base}/discovered`, setup.rsaToken());
    expect(rsa.status).toBe(200);
    expect(await rsa.json()).toMatchObject({ subject: 'user-1', issuer: setup.as.url });

    const found = await post(`${base}/discovered`, setup.discoveredToken());
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ subject: 'user-1', issuer: setup.as.url });
    // The metadata and the keys came from the loopback server, fetched by the runtime itself.
    expect(setup.as.hits()).toBeGreaterThanOrEqual(2);

    const before = setup.introspectionCalls.length;
    const active = await post(`${base}/introspected`, setup.opaque.active);
    expect(active.status).toBe(200);
    expect(await active.json()).toMatchObject({
      subject: 'user-2',
      scopes: ['read:notes'],
      issuer: setup.as.url,
    });
    const inactive = await post(`${base}/introspected`, setup.opaque.inactive);
    expect(inactive.status).toBe(401);
    expect(inactive.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await inactive.arrayBuffer();
    // Both were introspected by this runtime, with the form-encoded, base64 client credentials.
    expect(setup.introspectionCalls.slice(before)).toEqual([EXPECTED_BASIC, EXPECTED_BASIC]);
  }
  const runtime = (await (await fetch(`${base}/__runtime`)).json()) as { transport: string; buffer: string };
  return { reached, runtime };
}
