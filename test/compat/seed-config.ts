/** The seed facade's configuration for one resource whose issuer publishes keys at `jwksUri`. */
import type { MCPAuthConfig } from '../../src/compat/seed-mcp-auth.js';
import { ISSUER } from '../support/constants.js';

export function seedConfig(resource: string, jwksUri: string, tools?: unknown): MCPAuthConfig {
  return {
    protectedResources: {
      metadata: {
        resource,
        authorizationServers: [
          {
            type: 'oauth',
            metadata: {
              issuer: ISSUER,
              authorizationEndpoint: `${ISSUER}/authorize`,
              tokenEndpoint: `${ISSUER}/token`,
              responseTypesSupported: ['code'],
              jwksUri,
            },
          },
        ],
        scopesSupported: ['read:notes', 'write:notes'],
      },
      ...(tools !== undefined ? { tools: tools as never } : {}),
    },
  };
}
