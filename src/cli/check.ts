import type { CommandOptions, ExitCode } from './main.js';

/** `mcp-auth check`: not built yet. */
export async function checkCommand(o: CommandOptions): Promise<ExitCode> {
  o.err('mcp-auth check: coming with issuer discovery');
  return 2;
}
