// The caller as the tool sees it (extra.authInfo, our AuthInfo fields included).
import type { AuthInfo } from 'mcp-auth-config';
import type { ToolExtraArguments, ToolMetadata } from 'xmcp';

export const metadata: ToolMetadata = { name: 'whoami', description: 'The caller as the server sees it' };

export default async function whoami(_args: Record<string, never>, extra: ToolExtraArguments) {
  const me = extra.authInfo as AuthInfo | undefined;
  const text = JSON.stringify({ subject: me?.subject, scopes: me?.scopes, issuer: me?.issuer });
  return { content: [{ type: 'text' as const, text }] };
}
