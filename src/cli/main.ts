/**
 * The `mcp-auth` command. Each command is imported only when it runs, so `validate` loads the
 * manifest code and nothing else (no HTTP client, no crypto).
 * @module
 */
import { parseArgs } from 'node:util';
import { MANIFEST_EXTENSIONS } from '../manifest/formats.js';

const HELP = `mcp-auth: validate and inspect mcp-auth-config manifests

Usage:
  mcp-auth validate [path] [--format text|json] [--strict]   check a manifest offline (shape + meaning)
  mcp-auth check [path] [--format text|json]                resolve every issuer for real; MCP readiness
  mcp-auth routes [path] [--format text|json]               the routes the runtime mounts, and their documents
  mcp-auth schema                                           print the manifest's JSON Schema
  mcp-auth init [path] [--force]                            write a starter manifest (never overwrites without --force)
  mcp-auth token [path] [--resource URL] [--verify]         why would this token (on stdin) be refused?
  mcp-auth serve [path] [--host 127.0.0.1] [--port 8080] [--watch]   gateway: protect each resource's upstream MCP server
  mcp-auth revoke [path] --jti X | --sub X | --client-id X [--until ISO]   refuse tokens on every instance (Redis store)

Without [path], the manifest is searched from the current directory upwards
(mcp-auth.config.{${MANIFEST_EXTENSIONS.map((e) => e.slice(1)).join(',')}} or the "mcp-auth" key of package.json).

Exit codes: 0 ok, 1 invalid manifest or failed check, 2 usage or I/O error.
Run "mcp-auth <command> --help" for a command's help.`;

/** What a command returns: the process exit code. */
export type ExitCode = 0 | 1 | 2;

/** Options shared by every command. */
export interface CommandOptions {
  readonly path: string | undefined;
  readonly format: 'text' | 'json';
  readonly strict: boolean;
  readonly force: boolean;
  /** `token`: the resource to check against. */
  readonly resource?: string | undefined;
  /** `token`: also check the signature against the issuer's keys. */
  readonly verify?: boolean;
  /** `serve`: the interface and port to listen on. */
  readonly host?: string | undefined;
  readonly port?: string | undefined;
  /** `serve`: reload the manifest when its file changes. */
  readonly watch?: boolean;
  /** `revoke`: what to revoke (exactly one), and until when (ISO 8601). */
  readonly jti?: string | undefined;
  readonly sub?: string | undefined;
  readonly clientId?: string | undefined;
  readonly until?: string | undefined;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const COMMANDS: Record<
  string,
  { help: string; run: () => Promise<(o: CommandOptions) => Promise<ExitCode>> }
> = {
  validate: {
    help: 'mcp-auth validate [path] [--format text|json] [--strict]\n\nValidates a manifest offline. Exit 0 when valid, 1 when invalid (or with --strict, when there are warnings), 2 when it cannot be read.',
    run: async () => (await import('./validate.js')).validateCommand,
  },
  check: {
    help: 'mcp-auth check [path] [--format text|json]\n\nResolves every issuer over the network and reports which URL answered, MCP readiness findings and the JWKS. Exit 1 when an issuer cannot serve MCP clients.',
    run: async () => (await import('./check.js')).checkCommand,
  },
  routes: {
    help: 'mcp-auth routes [path] [--format text|json]\n\nPrints every route the compiled runtime mounts and the Protected Resource Metadata each serves.',
    run: async () => (await import('./routes.js')).routesCommand,
  },
  schema: {
    help: 'mcp-auth schema\n\nPrints the manifest JSON Schema (the published schema/mcp-auth.schema.json).',
    run: async () => (await import('./schema.js')).schemaCommand,
  },
  token: {
    help: "mcp-auth token [path] [--resource URL] [--verify] [--format text|json]\n\nReads one access token from stdin (never from the command line) and runs the resource's policy checks on it: header, issuer, time claims, audience, scopes. --verify also checks the signature against the issuer's keys (network). Prints claims, never the token. Exit 0 when every check passes, 1 otherwise.",
    run: async () => (await import('./token.js')).tokenCommand,
  },
  serve: {
    help: 'mcp-auth serve [path] [--host 127.0.0.1] [--port 8080] [--watch]\n\nRuns the gateway: serves every resource\'s Protected Resource Metadata and challenges, and forwards authorised requests to its "upstream" without the access token, with the caller in X-MCP-Subject, X-MCP-Client-Id, X-MCP-Scopes and X-MCP-Issuer. Health: /.well-known/mcp-auth/healthz and /readyz. One JSON access-log line per request on stdout. --watch (or SIGHUP): a changed manifest is compiled and swapped in without dropping requests; one that fails is logged (file:line:column) and the last good one keeps serving. SIGTERM or SIGINT: stop accepting, let requests in flight finish (up to 10 s), exit 0. Exit 1 when the manifest is invalid or has a resource without an upstream.',
    run: async () => (await import('./serve.js')).serveCommand,
  },
  revoke: {
    help: 'mcp-auth revoke [path] --jti X | --sub X | --client-id X [--until ISO] [--format text|json]\n\nRecords a revocation in the manifest\'s shared store (settings.store.type "redis") and publishes it: every instance refuses the token (--jti), every token of the subject (--sub) or of the client (--client-id), tokens minted later included, until --until (default 24 hours from now), within settings.revocation.maxStalenessSeconds. Exit 0 when recorded, 1 when the store is in-memory or did not answer, 2 on usage errors.',
    run: async () => (await import('./revoke.js')).revokeCommand,
  },
  init: {
    help: 'mcp-auth init [path] [--force]\n\nWrites a starter manifest (default mcp-auth.config.json) with "$schema" for editor completion. Refuses to overwrite an existing file unless --force.',
    run: async () => (await import('./init.js')).initCommand,
  },
};

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(
  argv: readonly string[],
  io = { out: console.log, err: console.error },
): Promise<ExitCode> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', default: 'text' },
        strict: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
        resource: { type: 'string' },
        verify: { type: 'boolean', default: false },
        host: { type: 'string' },
        port: { type: 'string' },
        watch: { type: 'boolean', default: false },
        jti: { type: 'string' },
        sub: { type: 'string' },
        'client-id': { type: 'string' },
        until: { type: 'string' },
      },
    });
  } catch (err) {
    io.err(`mcp-auth: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [name, path, ...rest] = positionals;
  if (values.version) {
    const { createRequire } = await import('node:module');
    io.out((createRequire(import.meta.url)('../../package.json') as { version: string }).version);
    return 0;
  }
  if (!name || (values.help && !name)) {
    io.out(HELP);
    return name || values.help ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`mcp-auth: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.out(command.help);
    return 0;
  }
  if (rest.length > 0 || (values.format !== 'text' && values.format !== 'json')) {
    io.err(
      `mcp-auth: ${rest.length ? `unexpected argument "${rest[0]}"` : `--format must be text or json`}\n\n${command.help}`,
    );
    return 2;
  }
  const run = await command.run();
  return run({
    path,
    format: values.format,
    strict: values.strict,
    force: values.force,
    resource: values.resource,
    verify: values.verify,
    host: values.host,
    port: values.port,
    watch: values.watch,
    jti: values.jti,
    sub: values.sub,
    clientId: values['client-id'],
    until: values.until,
    ...io,
  });
}
