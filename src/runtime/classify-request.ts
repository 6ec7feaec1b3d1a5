/**
 * Which resource a request belongs to, decided once for every adapter on the readings of its
 * target that `request-target.ts` makes: each matched as spelled and case-insensitively, the
 * longest resource path winning, the protected answer winning over an unprotected one.
 * @module
 */
import type { RequestTarget } from './request-target.js';
import type { CompiledResource } from './resource.js';

/**
 * Which resource a request belongs to: `resource` (possibly `undefined`: no resource covers it),
 * or `conflict` when readings of an ambiguous target name different protected resources (the
 * request must be refused, 400).
 */
export type TargetMatch =
  | { readonly resource: CompiledResource | undefined; readonly conflict?: undefined }
  | { readonly resource?: undefined; readonly conflict: true };

/** Resources by routed path, as spelled and in lower case, built once per resource list. */
interface ResourceIndex {
  readonly exact: ReadonlyMap<string, readonly CompiledResource[]>;
  readonly lower: ReadonlyMap<string, readonly CompiledResource[]>;
  /** One frozen answer per resource (and for none), so a request allocates no result. */
  readonly answers: ReadonlyMap<CompiledResource | undefined, TargetMatch>;
  /** Each resource's {@link hostKey}. */
  readonly hosts: ReadonlyMap<CompiledResource, string>;
}

const indexes = new WeakMap<readonly CompiledResource[], ResourceIndex>();
const CONFLICT: TargetMatch = Object.freeze({ conflict: true as const });
/** Two different protected resources: {@link combine}'s answer for a conflict. */
const CLASH: unique symbol = Symbol('clash');

/**
 * A host as origins are compared: lower case, the name without a trailing dot, and the port
 * unless it is a default one (`a.example.:8443` is `a.example:8443`; `[::1]:443` is `[::1]`).
 */
function hostKey(host: string): string {
  const key = host.toLowerCase();
  const colon = key.lastIndexOf(':');
  const hasPort = colon > key.lastIndexOf(']');
  let name = hasPort ? key.slice(0, colon) : key;
  const port = hasPort ? key.slice(colon + 1) : '';
  if (name.endsWith('.')) name = name.slice(0, -1);
  return port === '' || port === '80' || port === '443' ? name : `${name}:${port}`;
}

function indexOf(resources: readonly CompiledResource[]): ResourceIndex {
  let index = indexes.get(resources);
  if (!index) {
    const exact = new Map<string, CompiledResource[]>();
    const lower = new Map<string, CompiledResource[]>();
    const answers = new Map<CompiledResource | undefined, TargetMatch>([
      [undefined, Object.freeze({ resource: undefined })],
    ]);
    const hosts = new Map<CompiledResource, string>();
    for (const r of resources) {
      hosts.set(r, hostKey(r.host));
      (exact.get(r.routedPath) ?? exact.set(r.routedPath, []).get(r.routedPath)!).push(r);
      (lower.get(r.routedPathLower) ?? lower.set(r.routedPathLower, []).get(r.routedPathLower)!).push(r);
      answers.set(r, Object.freeze({ resource: r }));
    }
    index = { exact, lower, answers, hosts };
    indexes.set(resources, index);
  }
  return index;
}

/**
 * The resource a path lies under: the longest resource path, found by walking the path's own
 * prefixes (so the cost grows with the path's segments, not with the number of resources);
 * `Host` breaks ties between resources with the same path on different origins, and when it
 * names none of them (absent, or spelled with a port or a trailing dot of its own) a protected
 * one is chosen.
 */
function longestMatch(
  byPath: ReadonlyMap<string, readonly CompiledResource[]>,
  hosts: ReadonlyMap<CompiledResource, string>,
  path: string,
  host: string | undefined,
): CompiledResource | undefined {
  let prefix = path.endsWith('/') ? path.slice(0, -1) : path;
  for (;;) {
    const found = byPath.get(prefix);
    if (found) {
      if (found.length === 1) return found[0];
      const requestHost = host === undefined ? undefined : hostKey(host);
      return found.find((r) => hosts.get(r) === requestHost) ?? found.find((r) => r.protect) ?? found[0];
    }
    if (prefix === '') return undefined;
    prefix = prefix.slice(0, Math.max(0, prefix.lastIndexOf('/')));
  }
}

/**
 * The answer so far with one more reading's resource: the protected one wins over an
 * unprotected one; two different protected resources are a conflict. With `everyProtected`
 * (the gateway, which protects every resource), any two different resources are.
 */
function combine(
  found: CompiledResource | undefined,
  candidate: CompiledResource | undefined,
  everyProtected: boolean,
): CompiledResource | undefined | typeof CLASH {
  if (!candidate || candidate === found) return found;
  if (!found) return candidate;
  const foundProtected = everyProtected || found.protect;
  const candidateProtected = everyProtected || candidate.protect;
  if (!foundProtected && candidateProtected) return candidate;
  return foundProtected && candidateProtected ? CLASH : found;
}

/** Options of {@link classifyTarget}. */
export interface ClassifyOptions {
  /**
   * Count every resource as protected, whatever its `protect` says (the gateway: a reading that
   * names an "unprotected" resource is still one whose upstream needs its own token).
   */
  readonly everyProtected?: boolean | undefined;
}

/**
 * Classifies a request by the resource it belongs to, from every reading of its target (and any
 * route pattern the framework matched), each matched as spelled and case-insensitively. When the
 * readings disagree the protected resource wins; two different protected resources are a
 * conflict. `Host` only breaks a tie between resources with the same path on different
 * origins: a request names an unprotected resource only by naming its origin exactly.
 *
 * @example
 * ```ts
 * const match = classifyTarget(resources, parseRequestTarget('/MCP/'), 'api.example.com', ['/mcp']);
 * if (match.conflict) refuse(400);
 * else if (match.resource?.protect) authenticate(match.resource);
 * ```
 */
export function classifyTarget(
  resources: readonly CompiledResource[],
  target: RequestTarget,
  host: string | undefined,
  routePatterns: readonly string[] = [],
  { everyProtected = false }: ClassifyOptions = {},
): TargetMatch {
  const { exact, lower, answers, hosts } = indexOf(resources);
  const { readings } = target;
  let found: CompiledResource | undefined;
  for (let i = 0; i < readings.length + routePatterns.length; i++) {
    const path = i < readings.length ? readings[i]! : routePatterns[i - readings.length]!;
    const lowerPath = path.toLowerCase();
    const spelled =
      lowerPath === path ? found : combine(found, longestMatch(exact, hosts, path, host), everyProtected);
    if (spelled === CLASH) return CONFLICT;
    const either = combine(spelled, longestMatch(lower, hosts, lowerPath, host), everyProtected);
    if (either === CLASH) return CONFLICT;
    found = either;
  }
  return answers.get(found)!;
}
