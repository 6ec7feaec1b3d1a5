/**
 * Resolving one manifest issuer into validated metadata: discovered from the issuer URL, fetched
 * from a given well-known URL, or taken from hand-written metadata; the transpile hook runs on the
 * raw snake_case document before validation.
 * @module
 */
import { DiscoveryError } from '../errors.js';
import type { IssuerEntry } from '../manifest/schema.js';
import {
  fetchedEndpoints,
  mcpReadiness,
  refuseLocalHttpFromRemote,
  validateAuthorizationServerMetadata,
  type AuthorizationServerMetadata,
  type ReadinessFinding,
} from '../metadata/authorization-server.js';
import { toSnakeCase } from '../metadata/case.js';
import { wellKnownUrls } from '../metadata/well-known.js';
import { deepFreeze } from '../lib/freeze.js';
import { guardedFetch, type FetchLimits, type SharedDispatcher } from './guarded-fetch.js';
import { applyTranspile, type Transpile } from './transpile.js';

/** What resolution needs besides the issuer entry. */
export interface ResolveContext extends FetchLimits {
  readonly dispatcher?: SharedDispatcher | undefined;
}

/** An issuer resolved into validated, frozen metadata. */
export interface ResolvedIssuer {
  /** The manifest id. */
  readonly id: string;
  /** The issuer identifier, exactly as the metadata states it. */
  readonly issuer: string;
  /** The validated metadata in wire (snake_case) form, unknown fields kept. */
  readonly metadata: AuthorizationServerMetadata;
  /** Where it came from: the URL that answered, or `manual`. */
  readonly source: { readonly kind: 'discovery' | 'well-known' | 'manual'; readonly url?: string };
  /** MCP readiness findings. */
  readonly findings: readonly ReadinessFinding[];
}

/** The issuer string a manifest entry names before anything is fetched, if it names one. */
export function configuredIssuer(entry: Pick<IssuerEntry, 'issuer' | 'metadata'>): string | undefined {
  return entry.metadata?.issuer ?? entry.issuer;
}

function finish(
  id: string,
  metadata: AuthorizationServerMetadata,
  source: ResolvedIssuer['source'],
): ResolvedIssuer {
  return deepFreeze({ id, issuer: metadata.issuer, metadata, source, findings: mcpReadiness(metadata) });
}

/**
 * Resolves an issuer entry. For discovery, candidates are tried in order: a 4xx (or a 200 that is
 * not a valid document for this issuer) moves on to the next; a 5xx, a redirect or a network
 * failure stops with that error, since the server exists but is failing.
 *
 * @example
 * ```ts
 * const resolved = await resolveIssuer('main', { issuer: 'https://as.example', type: 'auto' });
 * resolved.metadata.token_endpoint;
 * ```
 * @throws {DiscoveryError}
 */
export async function resolveIssuer(
  id: string,
  entry: ResolvableEntry,
  context: ResolveContext = {},
): Promise<ResolvedIssuer> {
  try {
    return await resolveEntry(id, entry, context);
  } catch (err) {
    throw namingIssuer(err, id);
  }
}

/** What {@link resolveIssuer} reads of an issuer entry. */
type ResolvableEntry = Pick<IssuerEntry, 'issuer' | 'wellKnownUrl' | 'metadata' | 'type'> & {
  transpile?: Transpile | undefined;
};

/**
 * A fetch error names only the URL; the error of a resolution also names the issuer (its
 * `issuerId` and its message), so a start-up failure listing several issuers says which is which.
 */
function namingIssuer(err: unknown, id: string): unknown {
  if (!(err instanceof DiscoveryError) || err.issuerId !== undefined) return err;
  return new DiscoveryError(err.code, `issuer "${id}": ${err.detail}`, {
    issuerId: id,
    ...(err.url !== undefined ? { url: err.url } : {}),
    ...(err.status !== undefined ? { status: err.status } : {}),
    retryAfterMs: err.retryAfterMs,
    cause: err.cause ?? err,
  });
}

async function resolveEntry(
  id: string,
  entry: ResolvableEntry,
  context: ResolveContext,
): Promise<ResolvedIssuer> {
  const validate = async (raw: Record<string, unknown>, url: string | undefined) => {
    const fetched = fetchedEndpoints(raw); // before a hook that may change the document in place
    const metadata = validateAuthorizationServerMetadata(await applyTranspile(raw, entry.transpile, id), {
      expectedIssuer: configuredIssuer(entry),
      url,
      issuerId: id,
    });
    if (url !== undefined) refuseLocalHttpFromRemote(metadata, fetched, url, id);
    return metadata;
  };

  if (entry.metadata) {
    return finish(id, await validate(toSnakeCase(entry.metadata), undefined), { kind: 'manual' });
  }
  if (entry.wellKnownUrl) {
    const { json } = await guardedFetch(entry.wellKnownUrl, context);
    return finish(id, await validate(json!, entry.wellKnownUrl), {
      kind: 'well-known',
      url: entry.wellKnownUrl,
    });
  }
  if (!entry.issuer)
    throw new DiscoveryError('invalid_metadata', `issuer "${id}" names no source`, { issuerId: id });

  let firstInvalid: DiscoveryError | undefined;
  const candidates = wellKnownUrls(entry.issuer, entry.type);
  for (const url of candidates) {
    // A 4xx means "not here": the next candidate is tried. A 429 means "not now": it fails (and is retried).
    const { json } = await guardedFetch(url, {
      ...context,
      acceptStatus: (s) => s >= 400 && s < 500 && s !== 429,
    });
    if (!json) continue;
    try {
      return finish(id, await validate(json, url.href), { kind: 'discovery', url: url.href });
    } catch (err) {
      if (!(err instanceof DiscoveryError) || err.code === 'transpile_failed') throw err;
      firstInvalid ??= err;
    }
  }
  throw (
    firstInvalid ??
    new DiscoveryError(
      'not_found',
      `no metadata found for issuer "${id}" at ${candidates.map((u) => u.href).join(', ')}`,
      { issuerId: id, url: candidates[0]!.href },
    )
  );
}
