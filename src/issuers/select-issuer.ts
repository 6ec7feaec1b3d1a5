/**
 * For one resource, which of its issuers a token belongs to, and what that issuer supplies:
 * signing keys for a JWT (chosen by its `iss` among the issuers' accepted issuer values), the
 * issuer's own rules checked once a token is attributed to it (its tenants, its `requireClaims`
 * and `requireOneOfClaims`), the introspection client and the token-information client (opaque
 * tokens name no issuer: `validate` allows one per resource).
 * @module
 */
import { TokenError } from '../errors.js';
import type { IssuerEntry } from '../manifest/schema.js';
import type { IssuerRuntime } from './issuer-runtime.js';
import type { IntrospectionClient } from '../verify/introspect.js';
import type { KeyStore } from '../verify/jwks.js';
import { assertOneOfClaims, assertRequiredClaims } from '../verify/require-claims.js';
import { assertTenant, type TenantRule } from '../verify/tenant.js';
import type { TokenInfoClient } from '../verify/tokeninfo.js';
import { matchIssuer, type IssuerMatch } from './match-issuer.js';

/** What a resource's verifier gets from its issuers. */
export interface IssuerSelection {
  /**
   * The key store of the issuer that accepts `iss`, or `undefined` when none does; synchronously
   * when the issuer is known and its store exists, else a promise.
   */
  readonly keysFor: (iss: string) => KeyStore | undefined | Promise<KeyStore | undefined>;
  /**
   * The rules of the issuer that accepts a verified JWT's `iss`: its tenants, `requireClaims` and
   * `requireOneOfClaims`. Each issuer's own, so that two providers on one resource each keep
   * their guard against ID tokens.
   */
  readonly issuerRule: (iss: string, claims: Readonly<Record<string, unknown>>) => void;
  /** The same rules for an opaque token, of the issuer that answered for it (never looked up by name). */
  readonly opaqueRule: ((claims: Readonly<Record<string, unknown>>) => void) | undefined;
  readonly introspection: (() => Promise<IntrospectionClient>) | undefined;
  readonly tokenInfo: (() => Promise<TokenInfoClient>) | undefined;
}

interface Candidate {
  readonly runtime: IssuerRuntime;
  readonly entry: IssuerEntry;
  readonly tenants: TenantRule | undefined;
}

/**
 * Whether a candidate accepts `iss`: as one of its `tokenIssuers` (exact strings or `{tenant}`
 * templates, which `validate` pairs with a tenants rule), else identical to its issuer
 * identifier. The identifier is never a template, whatever it spells: metadata from a
 * multi-tenant endpoint (Entra's `…/{tenantid}/v2.0`), a transpile hook or a hand-written
 * `metadata.issuer` holding `{tenant}` would otherwise accept every tenant.
 */
function matchCandidate(candidate: Candidate, iss: string): IssuerMatch | undefined {
  const own = candidate.entry.tokenIssuers;
  if (!own) return candidate.runtime.issuer === iss ? {} : undefined;
  for (const pattern of own) {
    const match = matchIssuer(pattern, iss);
    if (match) return match;
  }
  return undefined;
}

function find(
  candidates: readonly Candidate[],
  iss: string,
): { candidate: Candidate; match: IssuerMatch } | undefined {
  for (const candidate of candidates) {
    const match = matchCandidate(candidate, iss);
    if (match) return { candidate, match };
  }
  return undefined;
}

/** An issuer's own rules on a verified token's claims (`tenant`: the one its `iss` named). */
function assertIssuerRules(
  candidate: Candidate,
  claims: Readonly<Record<string, unknown>>,
  tenant: string | undefined,
): void {
  if (candidate.tenants) assertTenant(claims, tenant, candidate.tenants);
  assertRequiredClaims(claims, candidate.entry.requireClaims);
  assertOneOfClaims(claims, candidate.entry.requireOneOfClaims);
}

/**
 * Builds the selection for a resource's issuers (in manifest order) and token format.
 *
 * @example
 * ```ts
 * const { keysFor, issuerRule } = selectIssuers(entry.authorizationServers.map((id) => issuers.get(id)!), manifest.issuers, entry.token.format);
 * ```
 */
export function selectIssuers(
  runtimes: readonly IssuerRuntime[],
  entries: Readonly<Record<string, IssuerEntry>>,
  format: 'jwt' | 'introspection' | 'auto' | 'tokeninfo',
): IssuerSelection {
  const candidates: Candidate[] = runtimes.map((runtime) => {
    const entry = entries[runtime.id]!;
    const t = entry.tenants;
    return {
      runtime,
      entry,
      tenants: t ? { claim: t.claim, allowed: t.allowed ?? [], any: t.any } : undefined,
    };
  });
  const keysFor = (iss: string) => {
    const found = find(candidates, iss);
    if (found) return found.candidate.runtime.currentKeys() ?? found.candidate.runtime.keys();
    // Issuers named only by a well-known URL are known once resolved.
    const unknown = candidates.filter((c) => !c.entry.tokenIssuers && c.runtime.issuer === undefined);
    return Promise.all(unknown.map((c) => c.runtime.resolved())).then(() =>
      find(candidates, iss)?.candidate.runtime.keys(),
    );
  };
  const issuerRule = (iss: string, claims: Readonly<Record<string, unknown>>) => {
    const found = find(candidates, iss);
    if (!found) throw new TokenError('invalid_token', 'unknown_issuer');
    assertIssuerRules(found.candidate, claims, found.match.tenant);
  };
  // `validate` allows at most one issuer with introspection credentials per resource that
  // introspects (opaque tokens do not name their issuer), so there is no choice to make here.
  const introspecting =
    format === 'jwt' || format === 'tokeninfo' ? undefined : candidates.find((c) => c.entry.introspection);
  const informing = format === 'tokeninfo' ? candidates.find((c) => c.entry.tokenInfo) : undefined;
  const answering = informing ?? introspecting;
  return {
    keysFor,
    issuerRule,
    opaqueRule: answering && ((claims) => assertIssuerRules(answering, claims, undefined)),
    introspection: introspecting ? () => introspecting.runtime.introspection() : undefined,
    tokenInfo: informing ? () => tokenInfoClient(informing) : undefined,
  };
}

/** The token-information client of a candidate, attributed to its resolved issuer. */
async function tokenInfoClient(candidate: Candidate): Promise<TokenInfoClient> {
  const config = candidate.entry.tokenInfo!;
  const { issuer } = await candidate.runtime.resolved();
  return Object.freeze({
    issuer,
    endpoint: config.endpoint,
    send: config.send,
    calls: candidate.runtime.tokenInfoCalls,
    ...(config.subjectMember !== undefined ? { subjectMember: config.subjectMember } : {}),
  });
}
