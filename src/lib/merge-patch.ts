/**
 * JSON Merge Patch (RFC 7396): objects merge recursively, `null` deletes, anything else replaces.
 * The result is built with own data properties only, so a `__proto__` key in a patch is an
 * ordinary field and never reaches an object's prototype.
 *
 * @example
 * ```ts
 * applyMergePatch({ a: 1, b: { c: 2 } }, { b: { c: null, d: 3 } }); // { a: 1, b: { d: 3 } }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7396
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (isObject(target)) for (const [key, value] of Object.entries(target)) define(out, key, value);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else define(out, key, applyMergePatch(out[key], value));
  }
  // Back to an ordinary object, still without touching any prototype.
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(out)) define(result, key, out[key]);
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
