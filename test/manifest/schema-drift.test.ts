/**
 * The published JSON Schema is generated from the zod schema and committed. These tests fail when
 * the committed file drifts from the zod schema, and pin the properties editors and validators
 * rely on: draft-07, strict objects, a description on every property.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifestJsonSchemaText } from '../../src/manifest/json-schema.js';

const SCHEMA_FILE = new URL('../../schema/mcp-auth.schema.json', import.meta.url);
const committed = readFileSync(SCHEMA_FILE, 'utf8');
const schema = JSON.parse(committed) as JsonSchema;

interface JsonSchema {
  $schema?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  description?: string;
  [key: string]: unknown;
}

type Visit = (node: JsonSchema, pointer: string) => void;

/** Calls `visit` on every sub-schema, with its JSON pointer. */
function walk(node: unknown, pointer: string, visit: Visit): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, `${pointer}/${i}`, visit));
    return;
  }
  if (!node || typeof node !== 'object') return;
  visit(node as JsonSchema, pointer);
  for (const [key, child] of Object.entries(node)) walk(child, `${pointer}/${key}`, visit);
}

/** Every object schema in the published file, by JSON pointer. */
function objectSchemas(): [string, JsonSchema][] {
  const found: [string, JsonSchema][] = [];
  walk(schema, '#', (node, pointer) => {
    // Skip the values of `properties` maps themselves (they are maps of schemas, not schemas).
    if (pointer.endsWith('/properties')) return;
    if (node.type === 'object') found.push([pointer, node]);
  });
  return found;
}

describe('schema/mcp-auth.schema.json', () => {
  it('is byte for byte what manifestJsonSchemaText() generates from the zod schema', () => {
    // On failure: the zod schema changed; run `npm run schema` and commit the result.
    expect(committed, 'schema/mcp-auth.schema.json is stale: run `npm run schema`').toBe(
      manifestJsonSchemaText(),
    );
  });

  it('is a draft-07 schema with an $id and a title', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema['$id']).toBe('https://unpkg.com/mcp-auth-config/schema/mcp-auth.schema.json');
    expect(schema['title']).toBe('mcp-auth-config manifest');
    expect(schema['required']).toEqual(['issuers', 'resources']);
  });

  it('closes every object with named properties (additionalProperties: false), except manual metadata', () => {
    const withProperties = objectSchemas().filter(([, node]) => node.properties !== undefined);
    expect(withProperties.length).toBeGreaterThan(10);
    const open = withProperties
      .filter(([, node]) => node.additionalProperties !== false)
      .map(([pointer]) => pointer);
    // The one documented exception: hand-written metadata keeps (and publishes) unknown fields.
    expect(open).toEqual(['#/properties/issuers/additionalProperties/properties/metadata']);
    const metadata = withProperties.find(([pointer]) => pointer === open[0])![1];
    expect(metadata.additionalProperties).toEqual({});
    expect(metadata.description).toMatch(/Unknown fields are kept/);
  });

  it('gives every record (object without named properties) a key schema and a value schema', () => {
    const records = objectSchemas().filter(([, node]) => node.properties === undefined);
    expect(records.map(([pointer]) => pointer).sort()).toEqual(
      [
        '#/properties/issuers',
        '#/properties/issuers/additionalProperties/properties/transpile',
        '#/properties/issuers/additionalProperties/properties/requireClaims',
        '#/properties/issuers/additionalProperties/properties/jwks/properties/keys/items',
        '#/properties/resources/items/properties/extraMetadata',
        '#/properties/resources/items/properties/tools',
        '#/properties/resources/items/properties/scopeHierarchy',
        '#/properties/resources/items/properties/token/properties/requireClaims',
        '#/properties/downstream',
      ].sort(),
    );
    for (const [pointer, node] of records) {
      expect(node.propertyNames, pointer).toBeTypeOf('object');
      expect(node.additionalProperties, pointer).toBeTypeOf('object');
    }
  });

  it('describes every property, so editors have hover text for each field', () => {
    const undocumented: string[] = [];
    let count = 0;
    walk(schema, '#', (node, pointer) => {
      if (pointer.endsWith('/properties')) return;
      for (const [key, property] of Object.entries(node.properties ?? {})) {
        count++;
        if (typeof property.description !== 'string' || property.description.trim() === '')
          undocumented.push(`${pointer}/properties/${key}`);
      }
    });
    expect(count).toBeGreaterThan(60);
    expect(undocumented).toEqual([]);
  });

  it('does not require fields that have a default (it describes the input side)', () => {
    const resource = schema.properties!['resources']!['items'] as JsonSchema;
    expect(resource['required']).toEqual(['resource', 'authorizationServers']);
    expect(schema.properties!['settings']!['required']).toBeUndefined();
    const clockTolerance = resource.properties!['token']!.properties!['clockTolerance']!;
    expect(clockTolerance['default']).toBe(30);
  });
});
