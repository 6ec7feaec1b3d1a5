/**
 * The manifest's `downstream` section, compiled: every entry's client credentials read (and
 * refused when missing or empty) before anything is fetched, then one broker per runtime.
 * @module
 */
import type { EnvSource } from '../lib/env.js';
import type { Manifest } from '../manifest/schema.js';
import type { IssuerRuntime } from '../issuers/issuer-runtime.js';
import { DownstreamBroker, type BrokerEntry, type BrokerOptions } from './broker.js';
import { loadClientAuthenticator } from './client-auth.js';

const list = (value: string | readonly string[] | undefined): readonly string[] =>
  Object.freeze(value === undefined ? [] : [value].flat());

/**
 * Reads every downstream entry's credentials now (secrets from the environment, keys from files
 * or variables); `[]` when the manifest has no `downstream` section.
 *
 * @example
 * ```ts
 * const entries = await loadDownstreamEntries(manifest, { env: process.env, cwd: process.cwd() });
 * ```
 * @throws {OptionError} naming the variable or file that is missing, empty or unusable
 */
export async function loadDownstreamEntries(
  manifest: Manifest,
  context: { readonly env: EnvSource; readonly cwd: string },
): Promise<readonly BrokerEntry[]> {
  const entries: BrokerEntry[] = [];
  for (const [name, entry] of Object.entries(manifest.downstream ?? {})) {
    const issuer = manifest.issuers[entry.issuer];
    entries.push(
      Object.freeze({
        name,
        issuerId: entry.issuer,
        requester: JSON.stringify([
          entry.clientId,
          entry.clientAuth,
          issuer?.issuer ?? null,
          issuer?.wellKnownUrl ?? null,
          issuer?.metadata ?? null,
        ]),
        grant: entry.grant,
        audience: list(entry.audience),
        resource: list(entry.resource),
        scope: list(entry.scope),
        authenticate: await loadClientAuthenticator(name, entry, context),
        actor: entry.actor && {
          audience: list(entry.actor.audience),
          resource: list(entry.actor.resource),
          scope: list(entry.actor.scope),
        },
      }),
    );
  }
  return entries;
}

/**
 * The runtime's broker over `entries`, the token endpoints coming from the issuers' resolved
 * metadata; `undefined` when there are no entries.
 *
 * @example
 * ```ts
 * const broker = createBroker(entries, issuers, { maxEntries: 10_000, fetchOptions, logger });
 * ```
 */
export function createBroker(
  entries: readonly BrokerEntry[],
  issuers: ReadonlyMap<string, IssuerRuntime>,
  options: Pick<BrokerOptions, 'maxEntries' | 'fetchOptions' | 'logger' | 'shared'>,
): DownstreamBroker | undefined {
  if (!entries.length) return undefined;
  return new DownstreamBroker({
    ...options,
    entries,
    tokenEndpoint: async (issuerId) => (await issuers.get(issuerId)!.resolved()).metadata.token_endpoint,
  });
}
