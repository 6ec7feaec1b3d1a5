/** Names of the tools a JSON-RPC body calls (`tools/call`, single or batch). */
export function calledTools(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  const names: string[] = [];
  for (const message of messages) {
    if (!message || typeof message !== 'object') continue;
    const { method, params } = message as { method?: unknown; params?: unknown };
    if (method !== 'tools/call' || !params || typeof params !== 'object') continue;
    const name = (params as { name?: unknown }).name;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}
