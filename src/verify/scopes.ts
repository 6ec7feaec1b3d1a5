/**
 * Scopes: read from the token's claims and expanded through the manifest's scope hierarchy (a
 * broader scope implies narrower ones, as MCP 2026-07-28 asks servers to honour).
 * @module
 */

/**
 * Reads scopes from the configured claims. `scope` is a space-separated string or nothing (RFC
 * 9068 §2.2.3, RFC 7662 §2.2): an array or a number there grants no scope. Any other configured
 * claim (`scp`, `permissions`, ...) may be such a string or an array of strings.
 *
 * @example
 * ```ts
 * readScopes({ scope: 'read write', scp: ['admin'] }, ['scope', 'scp']); // ['read', 'write', 'admin']
 * readScopes({ scope: ['read'] }, ['scope']); // []
 * ```
 */
export function readScopes(
  claims: Readonly<Record<string, unknown>>,
  scopeClaims: readonly string[],
): string[] {
  const out = new Set<string>();
  for (const name of scopeClaims) {
    if (!Object.hasOwn(claims, name)) continue;
    const value = claims[name];
    const items =
      typeof value === 'string' ? value.split(' ') : name !== 'scope' && Array.isArray(value) ? value : [];
    for (const item of items) if (typeof item === 'string' && item !== '') out.add(item);
  }
  return [...out];
}

/** The granted scopes plus every scope they imply (transitively; cycles are harmless). */
export function expandScopes(
  granted: readonly string[],
  hierarchy: Readonly<Record<string, readonly string[]>>,
): string[] {
  const out = new Set<string>();
  const stack = [...granted];
  while (stack.length) {
    const scope = stack.pop()!;
    if (out.has(scope)) continue;
    out.add(scope);
    const implied = Object.hasOwn(hierarchy, scope) ? hierarchy[scope] : undefined;
    if (implied) stack.push(...implied);
  }
  // Token order first, then implied ones.
  return [
    ...granted.filter((s, i) => granted.indexOf(s) === i),
    ...[...out].filter((s) => !granted.includes(s)),
  ];
}

const held = new WeakMap<
  object,
  { hierarchy: Readonly<Record<string, readonly string[]>>; set: ReadonlySet<string> }
>();

/**
 * The scopes an identity holds, the hierarchy applied, as a set: the one answer to "does this
 * token have scope X" for the runtime and the token verifier. Computed once per identity (a
 * cached `AuthInfo` is the same object on every hit) and hierarchy. Identities from the
 * verifier are already expanded; those from a custom `verifyToken` are expanded here.
 *
 * @example
 * ```ts
 * missingScopes(heldScopes(auth, { 'notes:admin': ['notes:write'] }), ['notes:write']); // []
 * ```
 */
export function heldScopes(
  auth: { readonly scopes: readonly string[] },
  hierarchy: Readonly<Record<string, readonly string[]>>,
): ReadonlySet<string> {
  const hit = held.get(auth);
  if (hit?.hierarchy === hierarchy) return hit.set;
  const set = new Set(expandScopes(auth.scopes, hierarchy));
  held.set(auth, { hierarchy, set });
  return set;
}

/** The required scopes missing from an (already expanded) scope set. */
export function missingScopes(have: ReadonlySet<string>, required: readonly string[]): string[] {
  return required.filter((scope) => !have.has(scope));
}
