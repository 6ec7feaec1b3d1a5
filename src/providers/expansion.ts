/**
 * What a preset expands into, and the small helpers every preset shares.
 * @module
 */
import { z } from 'zod';

/**
 * The ordinary manifest values a preset stands for: issuer fields (the metadata source, `type`,
 * `tokenIssuers`, `tenants`, `tokenInfo`, and the guard against ID tokens: `requireClaims`,
 * `requireOneOfClaims`) and the `token` policy of every resource that lists the issuer. A value
 * the manifest writes itself wins over the preset's; `requireClaims` is merged claim by claim.
 *
 * @example
 * ```ts
 * const expansion: PresetExpansion = { issuer: { issuer: 'https://acme.us.auth0.com/', type: 'oidc' }, token: {} };
 * ```
 */
export interface PresetExpansion {
  readonly issuer: Readonly<Record<string, unknown>>;
  readonly token: Readonly<Record<string, unknown>>;
}

/** The issuer fields naming where the metadata comes from: a preset sets them only as a group. */
export const SOURCE_KEYS = Object.freeze(['issuer', 'wellKnownUrl', 'metadata'] as const);

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/;
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/;

/**
 * A `domain` parameter: a host name (`acme.us.auth0.com`, a custom domain) or an origin
 * (`https://login.acme.com`), without a path.
 */
export function domainParam(description: string) {
  return z
    .string()
    .refine(
      (value) => HOST.test(value) || ORIGIN.test(value),
      'a host name such as "login.example.com", or an origin such as "https://login.example.com", without a path',
    )
    .describe(description);
}

/** A URL parameter without a trailing slash requirement (one is dropped). */
export function baseUrlParam(description: string) {
  return z
    .string()
    .regex(/^https?:\/\/[^\s?#]+$/, 'an absolute http(s) URL without query or fragment')
    .describe(description);
}

/**
 * The origin a `domain` parameter names: `https://<host>` for a host name, the origin itself
 * (trailing slash dropped) for an origin.
 *
 * @example
 * ```ts
 * originOf('acme.us.auth0.com'); // 'https://acme.us.auth0.com'
 * originOf('http://127.0.0.1:8080/'); // 'http://127.0.0.1:8080'
 * ```
 */
export function originOf(domain: string): string {
  return /^https?:\/\//.test(domain) ? domain.replace(/\/+$/, '') : `https://${domain}`;
}

/** A base URL without its trailing slashes. */
export function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The `token.audience` value of an optional audience parameter (nothing: the resource URL). */
export function audienceOf(audience: string | undefined): Record<string, unknown> {
  return audience === undefined ? {} : { audience };
}

/** `allowedClientIds` (+ the claim they are read from) when client ids are given. */
export function clientIdsOf(
  clientIds: readonly string[] | undefined,
  claim: string,
): Record<string, unknown> {
  return clientIds === undefined ? {} : { clientIdClaim: claim, allowedClientIds: [...clientIds] };
}

/** A non-empty list of client ids. */
export function clientIdList(description: string) {
  return z.array(z.string().min(1)).min(1).describe(description);
}
