/** True when JSON text (already known to parse) has an object with two members of the same name. */
export function hasDuplicateMembers(text: string): boolean {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const members = stack[stack.length - 1];
      if (expectKey && members) {
        const name = JSON.parse(text.slice(i, j + 1)) as string;
        if (members.has(name)) return true;
        members.add(name);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(null);
      expectKey = false;
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = !!stack[stack.length - 1];
    }
  }
  return false;
}
