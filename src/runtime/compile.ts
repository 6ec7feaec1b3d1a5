/**
 * `compile()`: manifest → resolved issuers → one verifier per resource → a frozen {@link McpAuth}.
 * @module
 */
import { createDispatcher } from '../discovery/guarded-fetch.js';
import { createBroker, loadDownstreamEntries } from '../downstream/compile-downstream.js';
import { DiscoveryError, OptionError } from '../errors.js';
import { secretProblem, type EnvSource } from '../lib/env.js';
import { parseManifest } from '../manifest/parse.js';
import type { Manifest, ManifestInput } from '../manifest/schema.js';
import { resourceAudiences } from '../verify/audiences.js';
import { TokenVerifier } from '../verify/verifier.js';
import { selectIssuers } from '../issuers/select-issuer.js';
import { startStore, type StoreParts } from '../store/start-store.js';
import { McpAuth } from './mcp-auth.js';
import { IssuerRuntime } from '../issuers/issuer-runtime.js';
import { compileResource } from './resource.js';
import type { Logger } from './types.js';

/** Options of {@link compile}. */
export interface CompileOptions {
  /** Where to search for the manifest when none is given. Default: `process.cwd()`. */
  readonly cwd?: string;
  /**
   * Environment for `${VAR}` interpolation and introspection and downstream secrets: any object
   * (a Workers `env` with its bindings too), of which only string members are read. Default:
   * `process.env`.
   */
  readonly env?: EnvSource;
  /** Receives warnings (an issuer unreachable, a hook that threw); never a token. */
  readonly logger?: Logger;
}

/**
 * Resolves every issuer (concurrently, once each) and lists what keeps the runtime from serving:
 * issuers that failed, and issuers whose JWTs a resource must verify but that publish no keys.
 */
async function startupFailures(
  manifest: Manifest,
  issuers: ReadonlyMap<string, IssuerRuntime>,
): Promise<DiscoveryError[]> {
  const results = await Promise.allSettled([...issuers.values()].map((i) => i.state.get()));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as DiscoveryError] : []));
  const keyless = new Set(
    manifest.resources
      .filter((r) => r.token.format === 'jwt' || r.token.format === 'auto')
      .flatMap((r) => r.authorizationServers)
      .filter((id) => {
        const resolved = issuers.get(id)!.state.current;
        return resolved && !resolved.metadata.jwks_uri && !manifest.issuers[id]!.jwks;
      }),
  );
  for (const id of keyless) {
    failures.push(
      new DiscoveryError(
        'invalid_metadata',
        `issuer "${id}" has no jwks_uri, so its JWTs cannot be verified; give issuers.${id}.jwks or use token.format "introspection"`,
        { issuerId: id },
      ),
    );
  }
  return failures;
}

/** `process.env` where the host has one (Node, Bun, Deno), read at compile time; else nothing. */
function hostEnv(): EnvSource {
  return (globalThis as { process?: { env?: EnvSource } }).process?.env ?? {};
}

/** `process.cwd()` where the host has one; else `.`. */
function hostCwd(): string {
  return (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.() ?? '.';
}

/** Stops every issuer's timers and closes the sockets: what a compile that fails must leave. */
async function release(
  issuers: ReadonlyMap<string, IssuerRuntime>,
  dispatcher: ReturnType<typeof createDispatcher>,
): Promise<void> {
  for (const issuer of issuers.values()) issuer.state.close();
  await dispatcher.close();
}

async function manifestOf(input: unknown): Promise<Manifest> {
  // No file loader here, so this module (and a bundle of it) never reaches node:fs or cosmiconfig.
  if (input === undefined || typeof input === 'string')
    throw new OptionError(
      'this compile() takes a manifest object; to load a file, use compile() from "mcp-auth-config" (or loadManifest())',
    );
  if (typeof input !== 'object' || input === null)
    throw new OptionError('compile() takes a manifest object, a file path, or nothing');
  return parseManifest(input as ManifestInput);
}

/**
 * Compiles a manifest object into an immutable runtime: validates it, resolves every issuer once
 * (concurrently), builds one verifier per resource and precomputes the route table. With
 * `settings.startup: "fail-fast"` (the default) it rejects listing every issuer that failed; with
 * `"lazy"` it resolves in the background. This is the loader-free compile that
 * `mcp-auth-config/fetch` exports: on Web APIs alone (Workers, Deno, Bun) and in bundles, it
 * never reaches `node:fs` or the file loader. The `compile()` of `mcp-auth-config` also takes a
 * file path, or nothing (it then searches from `cwd`).
 *
 * @example
 * ```ts
 * import { compile, protectFetchHandler } from 'mcp-auth-config/fetch';
 * const auth = await compile(manifest, { env: { ISSUER: 'https://auth.example.com' } });
 * // ... mount it with an adapter; on shutdown:
 * await auth.close();
 * ```
 * @throws {ManifestError} for an invalid manifest; {@link DiscoveryError} when issuers fail in fail-fast mode
 */
export async function compile(
  input: ManifestInput | Manifest,
  options: CompileOptions = {},
): Promise<McpAuth> {
  const manifest = await manifestOf(input);
  const env = options.env ?? hostEnv();
  // Every used issuer is resolved once, however many resources share it.
  const used = new Set([
    ...manifest.resources.flatMap((r) => r.authorizationServers),
    ...Object.values(manifest.downstream ?? {}).map((d) => d.issuer),
  ]);
  for (const id of used) {
    const secretEnv = manifest.issuers[id]!.introspection?.clientSecretEnv;
    // An empty secret (`SECRET=`) would pass start-up and then fail every introspection.
    const problem = secretEnv === undefined ? undefined : secretProblem(env, secretEnv);
    if (problem) {
      throw new OptionError(
        `issuers.${id}.introspection: environment variable ${secretEnv} (the client secret) is ${problem}`,
      );
    }
  }

  // Downstream client secrets and keys are read (and refused when missing) before any fetch.
  const downstream = await loadDownstreamEntries(manifest, { env, cwd: options.cwd ?? hostCwd() });

  const dispatcher = createDispatcher({ connectTimeoutMs: manifest.settings.fetch.timeoutMs });
  const fetchOptions = { ...manifest.settings.fetch, dispatcher };
  const issuers = new Map<string, IssuerRuntime>();
  for (const id of used) {
    issuers.set(id, new IssuerRuntime(id, manifest.issuers[id]!, manifest, { env, fetchOptions }));
  }

  if (manifest.settings.startup === 'fail-fast') {
    let failures: DiscoveryError[];
    try {
      failures = await startupFailures(manifest, issuers);
    } catch (err) {
      await release(issuers, dispatcher);
      throw err;
    }
    if (failures.length) {
      // A failed resolution has scheduled its retry: stop it, and close the sockets.
      await release(issuers, dispatcher);
      const first = failures[0]!;
      const list = failures.map((f) => f.detail).join('; ');
      throw new DiscoveryError(first.code, `cannot compile: ${list}`, {
        ...(first.issuerId ? { issuerId: first.issuerId } : {}),
        cause: new AggregateError(failures),
      });
    }
  }
  for (const issuer of issuers.values()) {
    // Lazy start-up resolves in the background from now on, not at the first request; a failure
    // schedules its own retry (and requests get 503 meanwhile).
    if (manifest.settings.startup === 'lazy') issuer.state.get().catch(() => undefined);
    issuer.state.start();
  }

  // settings.store (src/store/): the revocation list, and introspection results when shared.
  let stored: StoreParts;
  try {
    stored = await startStore(manifest.settings, { cwd: options.cwd, logger: options.logger });
  } catch (err) {
    await release(issuers, dispatcher);
    throw err;
  }

  const resources = manifest.resources.map((entry) => {
    // Keys, tenants, introspection and token information per issuer: src/issuers/.
    const { token } = entry;
    const selected = selectIssuers(
      entry.authorizationServers.map((id) => issuers.get(id)!),
      manifest.issuers,
      token.format,
    );
    const verifier = new TokenVerifier({
      resource: entry.resource,
      format: entry.token.format,
      jwt: {
        keysFor: selected.keysFor,
        algorithms: entry.token.algorithms,
        clockToleranceSec: entry.token.clockTolerance,
        typ: entry.token.typ,
        offload: manifest.settings.verify.offload,
      },
      audiences: resourceAudiences(entry),
      introspection: selected.introspection,
      tokenInfo: selected.tokenInfo,
      issuerRule: selected.issuerRule,
      opaqueRule: selected.opaqueRule,
      requireAudience: token.requireAudience,
      claimPolicy: token,
      roleClaims: token.roleClaims,
      scopeClaims: entry.token.scopeClaims,
      scopeHierarchy: entry.scopeHierarchy,
      maxLength: entry.token.maxLength,
      cache: {
        maxEntries: manifest.settings.cache.maxEntries,
        maxAgeMs: manifest.settings.cache.maxAgeSeconds * 1000,
      },
      // Only the function-admitting schema has `verify` (TS manifests and the API).
      hook: 'verify' in entry.token ? entry.token.verify : undefined,
      fetchOptions,
      revocation: stored.revocation,
      introspectionCache: stored.introspectionCache,
    });
    return compileResource(entry, verifier);
  });

  const broker = createBroker(downstream, issuers, {
    maxEntries: manifest.settings.cache.maxEntries,
    fetchOptions,
    logger: options.logger,
    shared: stored.downstreamCache,
  });
  return new McpAuth({
    manifest,
    resources,
    issuers,
    dispatcher,
    logger: options.logger,
    downstream: broker,
    store: stored,
  });
}
