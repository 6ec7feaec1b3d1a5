// Regenerates schema/mcp-auth.schema.json from the zod schema (npm run schema).
import { writeFileSync } from 'node:fs';
import { manifestJsonSchemaText } from '../src/manifest/json-schema.js';

const target = new URL('../schema/mcp-auth.schema.json', import.meta.url);
writeFileSync(target, manifestJsonSchemaText());
console.log(`wrote ${target.pathname}`);
