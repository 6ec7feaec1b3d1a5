import type { ManifestInput } from './schema.js';

/**
 * Types a manifest written in TypeScript or JavaScript. It returns its argument unchanged; the
 * value is validated when it is loaded or compiled.
 *
 * @example
 * ```ts
 * // mcp-auth.config.ts
 * import { defineConfig } from 'mcp-auth-config';
 *
 * export default defineConfig({
 *   issuers: { main: { issuer: 'https://auth.example.com', type: 'oidc' } },
 *   resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['main'] }],
 * });
 * ```
 */
export function defineConfig(manifest: ManifestInput): ManifestInput {
  return manifest;
}
