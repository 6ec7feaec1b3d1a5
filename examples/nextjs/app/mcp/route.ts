// The MCP endpoint, /mcp (the manifest's resource is https://<host>/mcp).
export { protectedMcp as DELETE, protectedMcp as GET, protectedMcp as POST } from '../../lib/mcp.js';
