/**
 * `mcp-auth revoke [path] --jti X | --sub X | --client-id X [--until ISO]`: records a revocation
 * in the manifest's shared store (`settings.store.type: "redis"`) and publishes it; every running
 * instance refuses matching tokens within `settings.revocation.maxStalenessSeconds`. No issuer
 * is contacted. Prints what was revoked, never the store URL.
 * @module
 */
import { OptionError, StoreError } from '../errors.js';
import { createStore } from '../store/create-store.js';
import { recordRevocation, type RevocationSelector } from '../store/revocation.js';
import { loadForCommand } from './load-for-command.js';
import type { CommandOptions, ExitCode } from './main.js';

/** `mcp-auth revoke`; exit 0 recorded, 1 the store refused or is not shared, 2 usage. */
export async function revokeCommand(o: CommandOptions): Promise<ExitCode> {
  const given = [
    ['jti', o.jti],
    ['sub', o.sub],
    ['clientId', o.clientId],
  ].filter((pair): pair is [string, string] => pair[1] !== undefined);
  if (given.length !== 1) {
    o.err('mcp-auth revoke: give exactly one of --jti, --sub or --client-id');
    return 2;
  }
  const manifest = await loadForCommand(o);
  if (typeof manifest === 'number') return manifest;
  if (manifest.settings.store.type !== 'redis') {
    o.err(
      'mcp-auth revoke: settings.store is in-memory, so running instances share nothing to revoke through; set settings.store to { "type": "redis", "url": ... } (or call auth.revoke() in the server)',
    );
    return 1;
  }
  const [kind, value] = given[0]!;
  const store = await createStore(manifest.settings);
  try {
    const entry = await recordRevocation(store, { [kind]: value } as RevocationSelector, {
      until: o.until,
    });
    const result = { revoked: { [kind]: value }, until: new Date(entry.until).toISOString() };
    o.out(o.format === 'json' ? JSON.stringify(result) : `revoked ${kind} ${value} until ${result.until}`);
    return 0;
  } catch (err) {
    if (err instanceof OptionError) {
      o.err(`mcp-auth revoke: ${err.message.replace(/^mcp-auth-config: revoke\(\): /, '')}`);
      return 2;
    }
    if (err instanceof StoreError) {
      o.err('mcp-auth revoke: the store did not answer; nothing was recorded, try again');
      return 1;
    }
    throw err;
  } finally {
    await store.close();
  }
}
