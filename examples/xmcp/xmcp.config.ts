// xmcp reads this at build time and bakes it into dist/http.js (the port too: XMCP_PORT here).
import type { XmcpConfig } from 'xmcp';

const config: XmcpConfig = {
  http: { host: '127.0.0.1', port: Number(process.env.XMCP_PORT ?? 3001), endpoint: '/mcp' },
  paths: { tools: 'src/tools', prompts: false, resources: false },
};

export default config;
