/**
 * "Autocompletion and hover docs in the IDE" as a checked fact: vscode-json-languageservice, the
 * engine behind VS Code's JSON editing, driven with the published schema over the example
 * manifest. The example names its schema with `"$schema": "./schema/mcp-auth.schema.json"`, which
 * the service resolves against the document, as VS Code does.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  getLanguageService,
  type CompletionItem,
  type Diagnostic,
  type JSONSchema,
  type MarkedString,
} from 'vscode-json-languageservice';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { describe, expect, it } from 'vitest';
import { buildManifestSchema } from '../../src/manifest/schema.js';

const ROOT = new URL('../../', import.meta.url);
const SCHEMA_URL = new URL('schema/mcp-auth.schema.json', ROOT);
const EXAMPLE_URL = new URL('mcp-auth.config.example.json', ROOT);
const example = readFileSync(EXAMPLE_URL, 'utf8');

const service = getLanguageService({
  // How VS Code resolves a relative "$schema" against the document.
  workspaceContext: { resolveRelativePath: (relative, resource) => new URL(relative, resource).href },
});
service.configure({
  validate: true,
  schemas: [
    {
      uri: SCHEMA_URL.href,
      fileMatch: ['mcp-auth.config*.json'],
      schema: JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as JSONSchema,
    },
  ],
});

/** A document at `url` whose text contains one `|`, the cursor; returns it and the cursor offset. */
function open(textWithCursor: string, url: URL = EXAMPLE_URL) {
  const offset = textWithCursor.indexOf('|');
  const text =
    offset === -1 ? textWithCursor : textWithCursor.slice(0, offset) + textWithCursor.slice(offset + 1);
  const document = TextDocument.create(url.href, 'json', 1, text);
  return { document, json: service.parseJSONDocument(document), position: document.positionAt(offset) };
}

/** The example with `insert` (holding the `|` cursor) placed right after the first `anchor`. */
function exampleWith(anchor: string, insert: string): string {
  const at = example.indexOf(anchor);
  expect(at, `anchor ${anchor} not in the example`).toBeGreaterThanOrEqual(0);
  return example.slice(0, at + anchor.length) + insert + example.slice(at + anchor.length);
}

async function completionsAt(textWithCursor: string, url?: URL): Promise<CompletionItem[]> {
  const { document, json, position } = open(textWithCursor, url);
  return (await service.doComplete(document, position, json))?.items ?? [];
}

const labels = (items: CompletionItem[]) => items.map((item) => item.label);

async function validate(text: string, url?: URL): Promise<Diagnostic[]> {
  const { document, json } = open(text, url);
  return service.doValidation(document, json);
}

/** Hover text with VS Code's markdown escapes removed. */
async function hoverAt(key: string, text = example): Promise<string> {
  const { document, json } = open(text);
  const hover = await service.doHover(document, document.positionAt(text.indexOf(`"${key}"`) + 2), json);
  const contents = (Array.isArray(hover?.contents) ? hover.contents : [hover?.contents]) as MarkedString[];
  return contents
    .map((c) => (typeof c === 'string' ? c : (c?.value ?? '')))
    .join('\n')
    .replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, '$1');
}

/** The zod `.describe()` text of a schema, looking through optional/default/prefault wrappers. */
function describedAs(schema: unknown): string | undefined {
  let current = schema as { description?: string; unwrap?: () => unknown };
  while (current.description === undefined && typeof current.unwrap === 'function') {
    current = current.unwrap() as typeof current;
  }
  return current.description;
}

/** The data-only zod schema the JSON Schema is generated from. */
const published = buildManifestSchema(false);
const shapes = {
  issuer: published.shape.issuers.valueType.shape,
  resource: published.shape.resources.element.shape,
  token: published.shape.resources.element.shape.token.unwrap().shape,
};

describe('the published schema in vscode-json-languageservice', () => {
  it('finds the schema through the example\'s "$schema" and reports no problem in it', async () => {
    expect(example).toContain('"$schema": "./schema/mcp-auth.schema.json"');
    expect(await validate(example)).toEqual([]);
  });

  it('completes the keys of an issuer entry (issuers.<id>)', async () => {
    const items = await completionsAt(exampleWith('"issuers": {', '\n    "new": { | },'));
    expect(labels(items)).toEqual(
      expect.arrayContaining([
        'issuer',
        'wellKnownUrl',
        'metadata',
        'type',
        'transpile',
        'jwks',
        'introspection',
      ]),
    );
    // Each suggestion carries its description as documentation.
    const wellKnown = items.find((item) => item.label === 'wellKnownUrl')!;
    expect(wellKnown.documentation).toBe(describedAs(shapes.issuer.wellKnownUrl));
  });

  it('leaves out keys an issuer entry already has', async () => {
    const items = await completionsAt(exampleWith('"issuer": "https://login.corp.example",', '\n      |'));
    expect(labels(items)).toEqual(expect.arrayContaining(['transpile', 'jwks', 'metadata', 'introspection']));
    expect(labels(items)).not.toContain('wellKnownUrl');
    expect(labels(items)).not.toContain('type');
  });

  it('completes the keys of a resource (resources[])', async () => {
    const items = await completionsAt(exampleWith('"resources": [', '\n    { | },'));
    expect(labels(items)).toEqual(
      expect.arrayContaining([
        'resource',
        'authorizationServers',
        'scopesSupported',
        'resourceName',
        'token',
        'tools',
        'scopeHierarchy',
        'extraMetadata',
      ]),
    );
  });

  it('completes the keys of a token policy', async () => {
    const items = await completionsAt(exampleWith('"token": { "algorithms": ["ES256", "RS256"],', ' |'));
    expect(labels(items)).toEqual(
      expect.arrayContaining([
        'requiredScopes',
        'clockTolerance',
        'audience',
        'format',
        'scopeClaims',
        'maxLength',
      ]),
    );
    expect(labels(items)).not.toContain('algorithms');
    expect(labels(items)).not.toContain('verify'); // a TS-only hook, not in the published schema
  });

  it('completes enum values, e.g. an issuer type', async () => {
    const items = await completionsAt(
      exampleWith('"issuers": {', '\n    "new": { "issuer": "https://x.example", "type": | },'),
    );
    expect(labels(items).sort()).toEqual(['"auto"', '"oauth"', '"oidc"']);
  });

  it.each([
    ['clockTolerance', () => describedAs(shapes.token.clockTolerance)],
    ['requiredScopes', () => describedAs(shapes.token.requiredScopes)],
    ['authorizationServers', () => describedAs(shapes.resource.authorizationServers)],
    ['wellKnownUrl', () => describedAs(shapes.issuer.wellKnownUrl)],
    ['transpile', () => describedAs(shapes.issuer.transpile)],
  ])('shows the zod description of %s on hover', async (key, description) => {
    const expected = description();
    expect(expected).toBeTypeOf('string');
    expect(await hoverAt(key)).toBe(expected);
  });

  it("flags a typo'd key where it is, as VS Code underlines it", async () => {
    const text = example.replace('"clockTolerance"', '"clockTolerence"');
    const diagnostics = await validate(text);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toBe('Property clockTolerence is not allowed.');
    const { document } = open(text);
    const start = document.offsetAt(diagnostics[0]!.range.start);
    const end = document.offsetAt(diagnostics[0]!.range.end);
    expect(text.slice(start, end)).toBe('"clockTolerence"');
  });

  it('flags a wrong value type and a refused algorithm', async () => {
    const text = example
      .replace('"clockTolerance": 30', '"clockTolerance": "30s"')
      .replace('"ES256", "RS256"', '"HS256"');
    const messages = (await validate(text)).map((d) => d.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Incorrect type\. Expected "integer"/),
        expect.stringMatching(/Value is not accepted/),
      ]),
    );
  });

  it('applies the schema by file name when a manifest has no "$schema"', async () => {
    const url = new URL('mcp-auth.config.json', pathToFileURL(fileURLToPath(new URL('.', import.meta.url))));
    const text = example
      .replace(/^\s*"\$schema": .*\n/m, '')
      .replace('"startup": "fail-fast"', '"startUp": "lazy"');
    expect(text).not.toContain('$schema');
    expect((await validate(text, url)).map((d) => d.message)).toEqual(['Property startUp is not allowed.']);
    const items = await completionsAt(text.replace('"settings": {', '"settings": { |'), url);
    expect(labels(items)).toEqual(
      expect.arrayContaining(['startup', 'metadataRefreshSeconds', 'jwks', 'cache']),
    );
  });
});

describe('issuer presets in the editor', () => {
  it('completes the preset names, each with its description', async () => {
    const items = await completionsAt(
      exampleWith('"issuers": {', '\n    "new": { "preset": { "name": | } },'),
    );
    const names = ['entra', 'auth0', 'okta', 'cognito', 'keycloak', 'google', 'github', 'workos', 'logto'];
    expect(labels(items)).toEqual(expect.arrayContaining(names.map((n) => `"${n}"`)));
    const auth0 = items.find((item) => item.label === '"auth0"')!;
    expect(JSON.stringify(auth0.documentation)).toMatch(/trailing slash/);
  });

  it("completes a preset's parameters once its name is chosen, and shows their hover text", async () => {
    const items = await completionsAt(
      exampleWith('"issuers": {', '\n    "new": { "preset": { "name": "entra", | } },'),
    );
    expect(labels(items)).toEqual(
      expect.arrayContaining(['tenant', 'clientId', 'allowedTenants', 'acceptV1']),
    );
    expect(labels(items)).not.toContain('domain');
    const text = exampleWith(
      '"issuers": {',
      '\n    "new": { "preset": { "name": "cognito", "region": "eu-west-1", "userPoolId": "eu-west-1_A", "clientIds": ["x"] } },',
    );
    expect(await hoverAt('userPoolId', text)).toMatch(/starts with the region/);
    expect(await hoverAt('preset', text)).toMatch(/Amazon Cognito user pool/);
  });
});
