/**
 * Duplicate member names in a JSON text. `JSON.parse` keeps the last of two equal names, and
 * other parsers keep the first: on a body the gateway decides per-tool scopes on, the upstream
 * could then run another tool than the one the gateway checked. Such a body is refused.
 * @module
 * @see https://www.rfc-editor.org/rfc/rfc8259#section-4 (names SHOULD be unique)
 */

/** One open object (its names so far) or array (`null`) in the scan. */
interface Frame {
  readonly names: Set<string> | null;
  expectName: boolean;
}

/**
 * Whether a JSON text that `JSON.parse` accepted has an object with two members of the same name
 * (compared after unescaping, so `"name"` and `"na\u006de"` are the same). One pass, no
 * recursion: time and memory are linear in the text, which the body limit bounds.
 *
 * @example
 * ```ts
 * hasDuplicateMembers('{"method":"tools/call","params":{"name":"a","name":"b"}}'); // true
 * hasDuplicateMembers('[{"a":1},{"a":2}]'); // false
 * ```
 */
export function hasDuplicateMembers(text: string): boolean {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      const top = stack.at(-1);
      if (top?.names && top.expectName) {
        const raw = text.slice(start, i + 1);
        const name = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.names.has(name)) return true;
        top.names.add(name);
        top.expectName = false;
      }
    } else if (c === 0x7b /* { */) stack.push({ names: new Set(), expectName: true });
    else if (c === 0x5b /* [ */) stack.push({ names: null, expectName: false });
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x2c /* , */) {
      const top = stack.at(-1);
      if (top?.names) top.expectName = true;
    }
  }
  return false;
}
