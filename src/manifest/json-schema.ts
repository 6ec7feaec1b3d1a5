import { z } from 'zod';
import { buildManifestSchema } from './schema.js';

/**
 * The manifest's JSON Schema (draft-07, input side: fields with defaults are optional), exactly
 * as published in `schema/mcp-auth.schema.json`.
 *
 * @example
 * ```ts
 * import { manifestJsonSchema } from 'mcp-auth-config';
 * const schema = manifestJsonSchema(); // feed it to ajv, an editor, a docs generator
 * ```
 */
export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(buildManifestSchema(false), { target: 'draft-7', io: 'input' });
  return {
    $schema: schema.$schema,
    $id: 'https://unpkg.com/mcp-auth-config/schema/mcp-auth.schema.json',
    title: 'mcp-auth-config manifest',
    ...schema,
  };
}

/** The JSON Schema serialised as it is committed: two-space indent and a final newline. */
export function manifestJsonSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}
