/**
 * Presets: `issuers.<id>.preset` names an identity provider and its few parameters; at parse time
 * it expands into ordinary manifest values (the issuer's metadata source, the `iss` values its
 * tokens carry, tenants, a token-information endpoint, and the `token` policy of every resource
 * that lists the issuer). Anything the manifest writes itself wins over the preset.
 * @module
 */
import { z } from 'zod';
import type { ManifestIssue } from '../errors.js';
import { auth0Params, expandAuth0 } from './auth0.js';
import { cognitoParams, expandCognito } from './cognito.js';
import { entraParams, expandEntra } from './entra.js';
import { SOURCE_KEYS, type PresetExpansion } from './expansion.js';
import { expandGithub, githubParams } from './github.js';
import { expandGoogle, googleParams } from './google.js';
import { expandKeycloak, keycloakParams } from './keycloak.js';
import { expandLogto, logtoParams } from './logto.js';
import { expandOkta, oktaParams } from './okta.js';
import { expandWorkos, workosParams } from './workos.js';

/** Every preset name, in documentation order. */
export const PRESET_NAMES = Object.freeze([
  'entra',
  'auth0',
  'okta',
  'cognito',
  'keycloak',
  'google',
  'github',
  'workos',
  'logto',
] as const);

/** One of {@link PRESET_NAMES}. */
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * The schema of `issuers.<id>.preset`: one strict object per provider, chosen by `name`.
 *
 * @example
 * ```ts
 * presetSchema().parse({ name: 'auth0', domain: 'acme.us.auth0.com' });
 * ```
 */
export function presetSchema() {
  return z
    .discriminatedUnion(
      'name',
      [
        entraParams,
        auth0Params,
        oktaParams,
        cognitoParams,
        keycloakParams,
        googleParams,
        githubParams,
        workosParams,
        logtoParams,
      ],
      { error: () => `"name" must be one of ${PRESET_NAMES.map((n) => `"${n}"`).join(', ')}` },
    )
    .describe(
      'An identity provider preset: `name` plus its parameters. It expands into ordinary values (metadata source, issuer forms, audience, claim mapping, token format) that `mcp-auth validate --format json` shows; any of them written explicitly here or in `token` wins. See docs/providers.md.',
    );
}

/** The parameters of any preset. */
export type PresetParams = z.output<ReturnType<typeof presetSchema>>;

const schema = presetSchema();

/**
 * The expansion of validated preset parameters.
 *
 * @example
 * ```ts
 * expandPreset({ name: 'okta', domain: 'acme.okta.com' }).issuer.issuer; // 'https://acme.okta.com/oauth2/default'
 * ```
 */
export function expandPreset(params: PresetParams): PresetExpansion {
  switch (params.name) {
    case 'entra':
      return expandEntra(params);
    case 'auth0':
      return expandAuth0(params);
    case 'okta':
      return expandOkta(params);
    case 'cognito':
      return expandCognito(params);
    case 'keycloak':
      return expandKeycloak(params);
    case 'google':
      return expandGoogle(params);
    case 'github':
      return expandGithub(params);
    case 'workos':
      return expandWorkos(params);
    case 'logto':
      return expandLogto(params);
  }
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
/** Two lists of claim names with the same members, in any order. */
const sameNames = (a: unknown, b: unknown) =>
  Array.isArray(a) && Array.isArray(b) && same([...a].sort(), [...b].sort());

/** The outcome of {@link expandPresets}. */
export interface ExpandedManifest {
  /** The manifest value with every valid preset expanded (the input itself is never changed). */
  readonly value: unknown;
  /** Conflicts between presets of one resource. */
  readonly issues: readonly ManifestIssue[];
  /** Each expanded issuer's preset expansion, by issuer id. */
  readonly expansions: Readonly<Record<string, PresetExpansion>>;
}

/**
 * Warnings for an issuer entry that changes its preset's guard against ID tokens: a
 * `requireOneOfClaims` of its own (it replaces the preset's list), or a `requireClaims` value
 * other than the preset's for a claim the preset requires. Allowed (the entry wins), never silent.
 */
function guardChanges(id: string, entry: Json, expansion: PresetExpansion): ManifestIssue[] {
  const out: ManifestIssue[] = [];
  const warn = (key: string, message: string) =>
    out.push({ severity: 'warning', code: 'preset_guard_changed', path: ['issuers', id, key], message });
  const presetOneOf = expansion.issuer.requireOneOfClaims;
  if (
    presetOneOf !== undefined &&
    entry.requireOneOfClaims !== undefined &&
    !sameNames(presetOneOf, entry.requireOneOfClaims)
  )
    warn(
      'requireOneOfClaims',
      `replaces the preset's guard against ID tokens (tokens must carry one of ${JSON.stringify(presetOneOf)}) with ${JSON.stringify(entry.requireOneOfClaims)}`,
    );
  const presetClaims = expansion.issuer.requireClaims;
  if (isObject(presetClaims) && isObject(entry.requireClaims)) {
    for (const [claim, value] of Object.entries(presetClaims)) {
      const own = entry.requireClaims[claim];
      if (own !== undefined && own !== value)
        warn(
          'requireClaims',
          `changes the preset's guard against ID tokens: ${claim} must be ${JSON.stringify(own)}, not ${JSON.stringify(value)}`,
        );
    }
  }
  return out;
}

/**
 * An issuer entry with the preset's issuer values added where the entry sets none. The preset's
 * `requireClaims` (its guard against ID tokens) is merged claim by claim: a `requireClaims` the
 * entry writes for other claims tightens the guard and never drops it.
 */
function expandIssuer(entry: Json, expansion: PresetExpansion): Json {
  const out: Json = { ...entry };
  const ownSource = SOURCE_KEYS.some((key) => entry[key] !== undefined);
  for (const [key, value] of Object.entries(expansion.issuer)) {
    if ((SOURCE_KEYS as readonly string[]).includes(key) && ownSource) continue;
    if (key === 'requireClaims' && isObject(value) && isObject(out[key]))
      out[key] = { ...value, ...out[key] };
    else if (out[key] === undefined) out[key] = value;
  }
  return out;
}

/**
 * Expands every preset of a raw manifest value (before schema validation). A preset whose
 * parameters are invalid is left as written: the schema reports its errors. A resource listing
 * issuers whose presets want different values for one `token` field that the resource does not
 * set itself is reported as `preset_conflict`.
 *
 * @example
 * ```ts
 * const { value } = expandPresets({ issuers: { a0: { preset: { name: 'auth0', domain: 'acme.us.auth0.com' } } }, resources: [...] });
 * ```
 */
export function expandPresets(input: unknown): ExpandedManifest {
  const expansions: Record<string, PresetExpansion> = {};
  const issues: ManifestIssue[] = [];
  if (!isObject(input) || !isObject(input.issuers)) return { value: input, issues, expansions };
  const issuers: Json = { ...input.issuers };
  for (const [id, entry] of Object.entries(input.issuers)) {
    if (!isObject(entry) || entry.preset === undefined) continue;
    const params = schema.safeParse(entry.preset);
    if (!params.success) continue;
    expansions[id] = expandPreset(params.data);
    issuers[id] = expandIssuer(entry, expansions[id]);
    issues.push(...guardChanges(id, entry, expansions[id]));
  }
  if (Object.keys(expansions).length === 0) return { value: input, issues, expansions };
  const resources = Array.isArray(input.resources)
    ? input.resources.map((resource, index) => expandResource(resource, index, expansions, issues))
    : input.resources;
  return { value: { ...input, issuers, resources }, issues, expansions };
}

/** A resource with the `token` values of its issuers' presets added where it sets none. */
function expandResource(
  resource: unknown,
  index: number,
  expansions: Readonly<Record<string, PresetExpansion>>,
  issues: ManifestIssue[],
): unknown {
  if (!isObject(resource) || !Array.isArray(resource.authorizationServers)) return resource;
  if (resource.token !== undefined && !isObject(resource.token)) return resource;
  const own: Json = resource.token ?? {};
  const ids = resource.authorizationServers.filter((id): id is string => typeof id === 'string');
  const keys = new Set(ids.flatMap((id) => Object.keys(expansions[id]?.token ?? {})));
  const token: Json = { ...own };
  for (const key of keys) {
    if (own[key] !== undefined) continue;
    // Every issuer of the resource must want the same value; one without a preset wants the default.
    const wanted = ids.map((id) => ({ id, value: expansions[id]?.token[key] }));
    const first = wanted[0]!;
    const other = wanted.find((w) => !same(w.value, first.value));
    if (other) {
      issues.push({
        severity: 'error',
        code: 'preset_conflict',
        path: ['resources', index, 'token', key],
        message: `issuers "${first.id}" and "${other.id}" need different token.${key} (${JSON.stringify(first.value) ?? 'the default'} and ${JSON.stringify(other.value) ?? 'the default'}): set resources[${index}].token.${key} yourself, or protect them as two resources`,
      });
      continue;
    }
    if (first.value !== undefined) token[key] = first.value;
  }
  return { ...resource, token };
}
