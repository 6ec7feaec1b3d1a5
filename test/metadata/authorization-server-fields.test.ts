/**
 * The one table of authorization-server metadata fields: its names agree with the case
 * conversion, and the manifest schema, the fetched-document checks and the manifest's URL checks
 * all follow it.
 */
import { describe, expect, it } from 'vitest';

import { DiscoveryError } from '../../src/errors.js';
import { manifestJsonSchema } from '../../src/manifest/json-schema.js';
import { validateManifest } from '../../src/manifest/parse.js';
import {
  AUTHORIZATION_SERVER_FIELDS,
  type MetadataField,
} from '../../src/metadata/authorization-server-fields.js';
import { validateAuthorizationServerMetadata } from '../../src/metadata/authorization-server.js';
import { camelKey, snakeKey } from '../../src/metadata/case.js';

const ISSUER = 'https://as.example/t1';
/** A valid document, with `extra` fields set over it. */
const asMetadata = (issuer: string, extra: Record<string, unknown>) => ({
  issuer,
  authorization_endpoint: 'https://as.example/authorize',
  token_endpoint: 'https://as.example/token',
  jwks_uri: 'https://as.example/jwks',
  response_types_supported: ['code'],
  code_challenge_methods_supported: ['S256'],
  ...extra,
});
const FIELDS: readonly MetadataField[] = AUTHORIZATION_SERVER_FIELDS;
const others = FIELDS.filter((f) => f.required !== true);
const checkedOfKind = (kind: MetadataField['kind']) =>
  others.filter((f) => f.kind === kind && f.checked !== false);

function validationCode(extra: Record<string, unknown>): string | undefined {
  try {
    validateAuthorizationServerMetadata(asMetadata(ISSUER, extra), { expectedIssuer: ISSUER });
  } catch (err) {
    expect(err).toBeInstanceOf(DiscoveryError);
    return (err as DiscoveryError).code;
  }
  return undefined;
}

describe('AUTHORIZATION_SERVER_FIELDS', () => {
  it('names each field once, its camelCase name being what the case conversion makes of its wire name', () => {
    for (const field of FIELDS) {
      expect(camelKey(field.wire), field.wire).toBe(field.name);
      expect(snakeKey(field.name), field.name).toBe(field.wire);
    }
    expect(new Set(FIELDS.map((f) => f.wire)).size).toBe(FIELDS.length);
    expect(FIELDS.filter((f) => f.required).map((f) => f.wire)).toEqual(['issuer']);
  });

  it('is what the manifest schema declares for issuers.<id>.metadata, in order, with its hover text', () => {
    const issuer = (
      manifestJsonSchema() as {
        properties: { issuers: { additionalProperties: { properties: Record<string, unknown> } } };
      }
    ).properties.issuers.additionalProperties;
    const metadata = issuer.properties['metadata'] as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    const declared = FIELDS.filter((f) => f.description !== undefined);
    expect(Object.keys(metadata.properties)).toEqual(declared.map((f) => f.name));
    const shapeOf = {
      url: { type: 'string', minLength: 1 },
      string: { type: 'string', minLength: 1 },
      'string[]': { type: 'array', items: { type: 'string' } },
      boolean: { type: 'boolean' },
    };
    for (const field of declared) {
      expect(metadata.properties[field.name], field.name).toEqual({
        ...shapeOf[field.kind],
        description: field.description,
      });
    }
    expect(metadata.required).toEqual(['issuer']);
  });

  it.each(checkedOfKind('url').map((f) => [f.wire]))(
    'a fetched document whose %s is not an https URL is refused',
    (wire) => {
      expect(validationCode({ [wire]: 'http://as.example/x' })).toBe('invalid_metadata');
      expect(validationCode({ [wire]: '/relative' })).toBe('invalid_metadata');
      expect(validationCode({ [wire]: 'https://as.example/x' })).toBeUndefined();
    },
  );

  it.each(checkedOfKind('string[]').map((f) => [f.wire]))(
    'a fetched document whose %s is not an array of strings is refused',
    (wire) => {
      expect(validationCode({ [wire]: 'code' })).toBe('invalid_metadata');
      expect(validationCode({ [wire]: ['code', 1] })).toBe('invalid_metadata');
    },
  );

  it('keeps fields marked checked: false, and unknown fields, as received', () => {
    const unchecked = others.filter((f) => f.checked === false);
    expect(unchecked.map((f) => f.wire).sort()).toEqual(
      ['id_token_signing_alg_values_supported', 'service_documentation', 'subject_types_supported'].sort(),
    );
    for (const field of unchecked) expect(validationCode({ [field.wire]: 42 }), field.wire).toBeUndefined();
    expect(validationCode({ mfa_challenge_endpoint: 'http://as.example/mfa' })).toBeUndefined();
  });

  it('the manifest check refuses an unsafe URL in each checked url field of hand-written metadata, and in unknown fields named like endpoints', () => {
    const names = [...checkedOfKind('url').map((f) => f.name), 'mfaChallengeEndpoint', 'opPolicyUri'];
    const { issues } = validateManifest({
      issuers: {
        main: {
          metadata: {
            issuer: 'https://as.example',
            ...Object.fromEntries(names.map((name) => [name, 'http://as.example/x'])),
            serviceDocumentation: 'http://as.example/docs',
            checkSessionIframe: 'http://as.example/iframe',
          },
        },
      },
      resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['main'] }],
    });
    const refused = issues.filter((i) => i.code === 'insecure_url').map((i) => i.path.at(-1));
    expect(refused).toEqual(names);
  });
});
