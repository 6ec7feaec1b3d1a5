/**
 * The authorization-server metadata fields this library knows (RFC 8414 §2, OpenID Connect
 * Discovery §3), in one table: the manifest's `metadata` schema and its hover text, the fields a
 * fetched document is checked for, and the wire and camelCase types are all derived from it.
 * Any other field is kept as it is.
 * @module
 */
import { deepFreeze } from '../lib/freeze.js';

/**
 * What a field holds: `url` an absolute URL (https, or http to loopback), `string` any other
 * string, `string[]` an array of strings, `boolean` a boolean.
 */
export type MetadataFieldKind = 'url' | 'string' | 'string[]' | 'boolean';

/** One row of {@link AUTHORIZATION_SERVER_FIELDS}. */
export interface MetadataField {
  /** The name on the wire (snake_case), as RFC 8414 and OpenID Connect Discovery spell it. */
  readonly wire: string;
  /** The name in manifests and the seed API (camelCase); `camelKey(wire)`. */
  readonly name: string;
  readonly kind: MetadataFieldKind;
  /** Every document has it (only `issuer`). */
  readonly required?: true;
  /**
   * The hover text of `metadata.<name>` in the manifest. A field without one is not declared in
   * the manifest's schema (a manifest may still give it, as an unknown field, kept).
   */
  readonly description?: string;
  /**
   * `false`: never refused for its kind: kept as received in a fetched document, and not checked
   * as an endpoint URL in a manifest (nothing in this library reads it).
   */
  readonly checked?: false;
}

/**
 * The known fields, in the order the manifest schema lists them. `issuer` is checked by its own
 * rules (identical to the configured issuer, no query); the others by their `kind`.
 */
export const AUTHORIZATION_SERVER_FIELDS = deepFreeze([
  {
    wire: 'issuer',
    name: 'issuer',
    kind: 'url',
    required: true,
    description:
      "The authorization server's issuer identifier, exactly as it appears in its tokens' `iss` claim.",
  },
  {
    wire: 'authorization_endpoint',
    name: 'authorizationEndpoint',
    kind: 'url',
    description: '`authorization_endpoint`: where clients send the user to authorize (RFC 8414 §2).',
  },
  {
    wire: 'token_endpoint',
    name: 'tokenEndpoint',
    kind: 'url',
    description: '`token_endpoint`: where clients exchange codes for tokens (RFC 8414 §2).',
  },
  {
    wire: 'jwks_uri',
    name: 'jwksUri',
    kind: 'url',
    description: '`jwks_uri`: the JSON Web Key Set whose public keys sign access tokens.',
  },
  {
    wire: 'registration_endpoint',
    name: 'registrationEndpoint',
    kind: 'url',
    description:
      '`registration_endpoint`: Dynamic Client Registration (RFC 7591), which MCP clients use when they have no client id.',
  },
  {
    wire: 'introspection_endpoint',
    name: 'introspectionEndpoint',
    kind: 'url',
    description: '`introspection_endpoint`: RFC 7662 token introspection, for opaque tokens.',
  },
  {
    wire: 'revocation_endpoint',
    name: 'revocationEndpoint',
    kind: 'url',
    description: '`revocation_endpoint` (RFC 7009).',
  },
  {
    wire: 'userinfo_endpoint',
    name: 'userinfoEndpoint',
    kind: 'url',
    description: '`userinfo_endpoint` (OpenID Connect).',
  },
  // Checked in fetched documents, not declared in the manifest schema.
  { wire: 'end_session_endpoint', name: 'endSessionEndpoint', kind: 'url' },
  {
    wire: 'pushed_authorization_request_endpoint',
    name: 'pushedAuthorizationRequestEndpoint',
    kind: 'url',
  },
  { wire: 'device_authorization_endpoint', name: 'deviceAuthorizationEndpoint', kind: 'url' },
  {
    wire: 'scopes_supported',
    name: 'scopesSupported',
    kind: 'string[]',
    description: '`scopes_supported`.',
  },
  {
    wire: 'response_types_supported',
    name: 'responseTypesSupported',
    kind: 'string[]',
    description: '`response_types_supported`; MCP clients need `code`.',
  },
  {
    wire: 'response_modes_supported',
    name: 'responseModesSupported',
    kind: 'string[]',
    description: '`response_modes_supported`.',
  },
  {
    wire: 'grant_types_supported',
    name: 'grantTypesSupported',
    kind: 'string[]',
    description: '`grant_types_supported`; absent means `authorization_code` and `implicit` (RFC 8414 §2).',
  },
  {
    wire: 'code_challenge_methods_supported',
    name: 'codeChallengeMethodsSupported',
    kind: 'string[]',
    description: '`code_challenge_methods_supported`; MCP clients require `S256`.',
  },
  {
    wire: 'token_endpoint_auth_methods_supported',
    name: 'tokenEndpointAuthMethodsSupported',
    kind: 'string[]',
    description: '`token_endpoint_auth_methods_supported`.',
  },
  {
    wire: 'client_id_metadata_document_supported',
    name: 'clientIdMetadataDocumentSupported',
    kind: 'boolean',
    description:
      '`client_id_metadata_document_supported`: the server accepts a URL as client id (MCP 2025-11-25).',
  },
  {
    wire: 'id_token_signing_alg_values_supported',
    name: 'idTokenSigningAlgValuesSupported',
    kind: 'string[]',
    description: '`id_token_signing_alg_values_supported` (OpenID Connect).',
    checked: false,
  },
  {
    wire: 'subject_types_supported',
    name: 'subjectTypesSupported',
    kind: 'string[]',
    description: '`subject_types_supported` (OpenID Connect).',
    checked: false,
  },
  {
    wire: 'service_documentation',
    name: 'serviceDocumentation',
    kind: 'url',
    description: '`service_documentation`.',
    checked: false,
  },
] as const satisfies readonly MetadataField[]);

/** One known field, with its literal names and kind. */
export type KnownMetadataField = (typeof AUTHORIZATION_SERVER_FIELDS)[number];
/** A known field's wire (snake_case) name. */
export type MetadataWireName = KnownMetadataField['wire'];
/** A known field's camelCase name. */
export type MetadataCamelName = KnownMetadataField['name'];

/** The TypeScript type of a value of `kind` (arrays read-only). */
export type MetadataValue<K extends MetadataFieldKind> = K extends 'string[]'
  ? readonly string[]
  : K extends 'boolean'
    ? boolean
    : string;

type Named<F, By extends 'wire' | 'name', Names> = F extends KnownMetadataField ? F[By] & Names : never;

/** The fields named `Names` (by `By`), typed from the table: `issuer` required, the others optional. */
type FieldsNamed<By extends 'wire' | 'name', Names> = {
  readonly [F in Extract<KnownMetadataField, { required: true }> as Named<F, By, Names>]: MetadataValue<
    F['kind']
  >;
} & {
  readonly [F in Exclude<KnownMetadataField, { required: true }> as Named<F, By, Names>]?: MetadataValue<
    F['kind']
  >;
};

/**
 * The wire-form members of the named fields, e.g. `WireFields<'issuer' | 'jwks_uri'>` is
 * `{ readonly issuer: string; readonly jwks_uri?: string }`.
 */
export type WireFields<Names extends MetadataWireName> = FieldsNamed<'wire', Names>;
/** The camelCase members of the named fields, e.g. `CamelFields<'jwksUri'>` is `{ readonly jwksUri?: string }`. */
export type CamelFields<Names extends MetadataCamelName> = FieldsNamed<'name', Names>;

/** Wire names of the fields of `kind` that a fetched document is checked for (`issuer` aside). */
function checkedWireNames(kind: MetadataFieldKind): readonly string[] {
  return Object.freeze(
    AUTHORIZATION_SERVER_FIELDS.filter(
      (f: MetadataField) => f.kind === kind && f.checked !== false && f.required !== true,
    ).map((f) => f.wire),
  );
}

/** Endpoints a fetched document must give as absolute https (or loopback http) URLs, when present. */
export const CHECKED_URL_FIELDS = checkedWireNames('url');
/** Fields a fetched document must give as arrays of strings, when present. */
export const CHECKED_ARRAY_FIELDS = checkedWireNames('string[]');

const byCamelName: ReadonlyMap<string, MetadataField> = new Map(
  AUTHORIZATION_SERVER_FIELDS.map((f) => [f.name, f]),
);

/**
 * Whether the manifest check treats the camelCase metadata field `name` as an endpoint URL
 * (absolute, https or loopback http, no fragment or userinfo): a known `url` field that is
 * checked, or a field the table does not know whose name says it is one (`…Endpoint`, `…Uri`).
 * `issuer` has its own rules.
 */
export function isManifestEndpointField(name: string): boolean {
  const known = byCamelName.get(name);
  if (known) return known.kind === 'url' && known.checked !== false && known.required !== true;
  return /(Endpoint|Uri)$/.test(name);
}
