/**
 * The audiences a resource's tokens must name: `token.audience` when given, else the resource
 * identifier itself (RFC 8707, MCP). Decided here once for the runtime and the CLI.
 * @module
 */
import type { ResourceEntry } from '../manifest/schema.js';

/**
 * The accepted `aud` values of a resource.
 *
 * @example
 * ```ts
 * resourceAudiences({ resource: 'https://api.example.com/mcp', token: {} } as ResourceEntry); // ['https://api.example.com/mcp']
 * ```
 */
export function resourceAudiences(entry: Pick<ResourceEntry, 'resource' | 'token'>): string[] {
  return entry.token.audience === undefined ? [entry.resource] : [entry.token.audience].flat();
}
