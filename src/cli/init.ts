import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandOptions, ExitCode } from './main.js';

/** The starter manifest `mcp-auth init` writes. */
export const STARTER = {
  $schema: './node_modules/mcp-auth-config/schema/mcp-auth.schema.json',
  issuers: {
    main: { issuer: 'https://auth.example.com', type: 'auto' },
  },
  resources: [
    {
      resource: 'https://mcp.example.com/mcp',
      authorizationServers: ['main'],
      scopesSupported: ['mcp:read', 'mcp:write'],
      token: { requiredScopes: ['mcp:read'] },
      tools: {},
    },
  ],
};

/** `mcp-auth init`: writes a starter manifest, never over an existing file without `--force`. */
export async function initCommand(o: CommandOptions): Promise<ExitCode> {
  const file = resolve(o.path ?? 'mcp-auth.config.json');
  try {
    await writeFile(file, `${JSON.stringify(STARTER, null, 2)}\n`, { flag: o.force ? 'w' : 'wx' });
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') {
      o.err(`mcp-auth: ${file} already exists; not overwriting it (use --force to replace it)`);
      return 1;
    }
    o.err(`mcp-auth: cannot write ${file}: ${(err as Error).message}`);
    return 2;
  }
  o.out(`wrote ${file}\nnext: edit the issuer and resource URLs, then run "npx mcp-auth validate"`);
  return 0;
}
