import type { CommandOptions, ExitCode } from './main.js';

/** `mcp-auth routes`: not built yet. */
export async function routesCommand(o: CommandOptions): Promise<ExitCode> {
  o.err('mcp-auth routes: coming with issuer discovery');
  return 2;
}
