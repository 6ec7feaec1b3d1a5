/**
 * Test support: the catalogue of request-target spellings of `/mcp` that some mainstream router
 * (find-my-way, Express's router, Hono, WHATWG `URL`, a hand-written decoder) routes to the
 * protected handler. Every adapter and the gateway are attacked with all of them.
 */

/** Spellings of `/mcp` (or of a path below it) that some router routes to the protected handler. */
export const SPELLINGS = [
  '/mcp',
  '/mcp/',
  '/mcp/x',
  '/mcp?',
  '/mcp?#',
  '/mcp?a=1',
  // percent-encoding of each letter, either hex case
  '/%6Dcp',
  '/%6dcp',
  '/m%63p',
  '/mc%70',
  '/%6D%63%70',
  '/%6Dcp/x',
  // absolute-form (RFC 9112 §3.2.2): the right and a foreign authority
  'http://mcp.example.com/mcp',
  'http://127.0.0.1/mcp',
  'http://evil.example/mcp',
  'https://evil.example/mcp/x?y=1',
  'HTTP://evil.example/%6Dcp',
  // fragments
  '/mcp#x',
  '/mcp#',
  '/mcp#/../other',
  '/%6Dcp#x',
  // case
  '/MCP',
  '/Mcp',
  '/mCp/x',
  '/%4Dcp',
  // dot segments, plain and encoded
  '/./mcp',
  '/x/../mcp',
  '/mcp/.',
  '/mcp/x/..',
  '/%2e/mcp',
  '/x/%2e%2e/mcp',
  '/x/.%2E/mcp',
  '/x/%2E./mcp',
  '/.%2e/mcp',
  // dot segments that climb out of /mcp: Express, find-my-way and `req.url` code keep them (and
  // route under /mcp); WHATWG `URL` keeps the empty segment of `//` (`/mcp//..` is `/mcp/`)
  '/mcp/..',
  '/mcp/../',
  '/mcp/../x',
  '/mcp//..',
  '/mcp//../x',
  '/mcp/x/../..',
  '/mcp/./..',
  '/MCP/..',
  '/mcp/%2e%2e',
  '/mcp/.%2E',
  '/mcp/%2E.',
  'http://evil.example/mcp/..',
  // repeated and trailing slashes
  '//mcp',
  '///mcp',
  '/mcp//',
  '/mcp//x',
  '//mcp//x/',
  // matrix parameters
  '/mcp;x',
  '/mcp;jsessionid=1/x',
  '/m;x/../mcp',
  '/mcp;',
  // encoded slashes and backslashes
  '/mcp%2Fx',
  '/mcp%2f',
  '/%2Fmcp',
  '/x%2F..%2Fmcp',
  '/mcp%5Cx',
  '/x%5C..%5Cmcp',
  // double and invalid encoding
  '/%256Dcp',
  '/%25%36%44cp',
  '/mcp%zz',
  '/mcp%',
  '/mcp/%E0%A4%A',
  // white space and control bytes, encoded
  '/mcp%20',
  '/mcp%09',
  '/mcp%00',
  '/mcp%0a',
  '/mcp%0d%0a',
  '/mcp/%20',
  '/mcp%20/x',
];

/** Raw bytes in the target (sent as-is; the server may refuse the line itself). */
export const RAW_SPELLINGS = ['/mcp\\x', '/x\\..\\mcp', '/mcp\t', '/mcp\x00', 'mcp'];
