import { readFile } from 'node:fs/promises';
import type { CommandOptions, ExitCode } from './main.js';

/** `mcp-auth schema`: prints the published JSON Schema byte for byte. */
export async function schemaCommand(_o: CommandOptions): Promise<ExitCode> {
  const text = await readFile(new URL('../../schema/mcp-auth.schema.json', import.meta.url), 'utf8');
  process.stdout.write(text);
  return 0;
}
