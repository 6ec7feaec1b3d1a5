/**
 * A 32-bit FNV-1a hash of a string's UTF-16 code units, from `start` to its end. No allocation.
 *
 * @example
 * ```ts
 * fnv1a('abc'); // 440920331
 * fnv1a(token, token.length - 16); // the last 16 characters only
 * ```
 */
export function fnv1a(text: string, start = 0): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
