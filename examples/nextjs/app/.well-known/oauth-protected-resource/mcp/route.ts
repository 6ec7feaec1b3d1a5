// /.well-known/oauth-protected-resource/mcp: the Protected Resource Metadata of /mcp (RFC 9728),
// answered by the same handler.
export { protectedMcp as GET } from '../../../../lib/mcp.js';
