/**
 * `token.roleClaims`: role arrays that grant scopes of the same names, such as Entra app roles
 * (`roles`) or Keycloak realm and client roles (`realm_access.roles`,
 * `resource_access.<client>.roles`).
 * @module
 */

/** Where a role array sits: a top-level claim name, or the path of member names to it. */
export type RoleClaim = string | readonly string[];

/** The value at `path` in nested plain objects (own members only), or `undefined`. */
function at(claims: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let current: unknown = claims;
  for (const name of path) {
    if (!current || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, name)) return undefined;
    current = (current as Record<string, unknown>)[name];
  }
  return current;
}

/**
 * The non-empty strings of every configured role array (other values are ignored). A string
 * entry names a top-level claim; an array entry is a path, so names holding dots (client ids that
 * are URLs) can be reached.
 *
 * @example
 * ```ts
 * readRoles({ realm_access: { roles: ['admin'] } }, [['realm_access', 'roles']]); // ['admin']
 * readRoles({ roles: ['Notes.Write'] }, ['roles']); // ['Notes.Write']
 * ```
 */
export function readRoles(
  claims: Readonly<Record<string, unknown>>,
  roleClaims: readonly RoleClaim[],
): string[] {
  const out: string[] = [];
  for (const entry of roleClaims) {
    const value = at(claims, typeof entry === 'string' ? [entry] : entry);
    if (!Array.isArray(value)) continue;
    for (const role of value)
      if (typeof role === 'string' && role !== '' && !out.includes(role)) out.push(role);
  }
  return out;
}
