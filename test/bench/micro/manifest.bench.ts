/** parseManifest on the example manifest (schema + meaning checks, deep freeze). */
import { readFileSync } from 'node:fs';
import { bench, describe } from 'vitest';
import { parseManifest } from '../../../src/manifest/parse.js';

const text = readFileSync(new URL('../../../mcp-auth.config.example.json', import.meta.url), 'utf8');

describe('manifest', () => {
  bench('JSON.parse + parseManifest(mcp-auth.config.example.json)', () => {
    parseManifest(JSON.parse(text));
  });
});
