import { findNodeAtLocation, parseTree, type Node as JsonNode } from 'jsonc-parser';
import type * as Yaml from 'yaml';
import type { SourceLocation } from '../errors.js';

/** The text a manifest was read from, so problems can be reported as `file:line:column`. */
export interface ManifestSource {
  /** The file path, as it should appear in messages. */
  readonly file: string;
  /** The file's text. */
  readonly text: string;
  /** How the text is written. */
  readonly format: 'json' | 'yaml';
  /** Where the manifest sits inside the document (`["mcp-auth"]` in package.json). Default: the root. */
  readonly root?: readonly (string | number)[];
  /** @internal The syntax tree the loader parsed the text into, reused to locate problems. */
  readonly parsed?: ParsedSource | undefined;
}

/** A parsed source: the JSONC tree, or the YAML document with its line counter. */
export type ParsedSource =
  | { readonly format: 'json'; readonly tree: JsonNode | undefined }
  | { readonly format: 'yaml'; readonly doc: Yaml.Document.Parsed; readonly lineCounter: Yaml.LineCounter };

/** Maps JSON paths to 1-based line/column positions in a JSON, JSONC or YAML text. */
export type Locator = (path: readonly (string | number)[]) => SourceLocation;

function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Builds a locator for a manifest's source. A path that does not exist in the text (a missing
 * key) is reported at its nearest existing ancestor; a key is reported at the key itself.
 */
export function createLocator(source: ManifestSource): Locator {
  let locator = locators.get(source);
  if (!locator) {
    const locate = createRootLocator(source);
    const root = source.root ?? [];
    locator = root.length ? (path) => locate([...root, ...path]) : locate;
    locators.set(source, locator);
  }
  return locator;
}

/** One locator per source, however many steps report problems in it. */
const locators = new WeakMap<ManifestSource, Locator>();

function createRootLocator(source: ManifestSource): Locator {
  if (source.format === 'json') {
    const root =
      source.parsed?.format === 'json'
        ? source.parsed.tree
        : parseTree(source.text, [], { allowTrailingComma: true, disallowComments: false });
    return (path) => {
      for (let n = path.length; n >= 0; n--) {
        const node: JsonNode | undefined = root && findNodeAtLocation(root, [...path.slice(0, n)]);
        if (!node) continue;
        // Point at the key of an object property rather than at its value.
        const at = node.parent?.type === 'property' && n > 0 ? node.parent.offset : node.offset;
        return { file: source.file, ...positionOf(source.text, at) };
      }
      return { file: source.file, line: 1, column: 1 };
    };
  }
  const { LineCounter, parseDocument, isCollection } = loadYaml();
  let doc: Yaml.Document.Parsed;
  let lineCounter: Yaml.LineCounter;
  if (source.parsed?.format === 'yaml') ({ doc, lineCounter } = source.parsed);
  else {
    lineCounter = new LineCounter();
    doc = parseDocument(source.text, { lineCounter });
  }
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const prefix = path.slice(0, n);
      const parent = n > 0 ? doc.getIn(prefix.slice(0, -1), true) : undefined;
      // For a key of a map, point at the key node.
      if (n > 0 && isCollection(parent)) {
        const pair = (parent.items as { key?: { value?: unknown; range?: [number, number, number] } }[]).find(
          (item) =>
            item.key &&
            (item.key.value === prefix[n - 1] || String(item.key.value) === String(prefix[n - 1])),
        );
        if (pair?.key?.range) return { file: source.file, ...toLoc(lineCounter, pair.key.range[0]) };
      }
      const node = n === 0 ? doc.contents : doc.getIn(prefix, true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return { file: source.file, ...toLoc(lineCounter, range[0]) };
    }
    return { file: source.file, line: 1, column: 1 };
  };
}

/** `yaml` is loaded only for YAML manifests, keeping `mcp-auth validate` of JSON files fast. */
export function loadYaml(): typeof Yaml {
  // Looked up at the call (no static node:module import), so parsing runs on Web APIs alone.
  const { createRequire } = process.getBuiltinModule('node:module');
  return createRequire(import.meta.url)('yaml') as typeof Yaml;
}

function toLoc(counter: Yaml.LineCounter, offset: number): { line: number; column: number } {
  const pos = counter.linePos(offset);
  return { line: pos.line, column: pos.col };
}
