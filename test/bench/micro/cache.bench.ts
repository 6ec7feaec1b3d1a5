/** The verified-token cache hit path, alone and through the framework-neutral request core. */
import { bench, describe } from 'vitest';
import { extractBearer } from '../../../src/verify/bearer.js';
import { RESOURCE } from '../lib/tokens.js';
import { cached, tokens } from './setup.js';

const token = tokens.ES256;
const header = [`Bearer ${token}`];
const verifier = cached.tokenVerifier(RESOURCE);
await verifier.verifyAccessToken(token); // fill the cache
const request = {
  method: 'POST',
  url: '/mcp',
  host: '127.0.0.1',
  authorization: header,
  body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
};

describe('cache hit (token seen before)', () => {
  bench('extractBearer alone', () => {
    extractBearer({ authorization: header }, 8192);
  });
  bench('verifyAccessToken, cache hit', async () => {
    await verifier.verifyAccessToken(token);
  });
  bench('auth.authenticate(core request), cache hit', async () => {
    const result = await cached.authenticate(request);
    if (!result.auth) throw new Error('not authenticated');
  });
  bench('auth.resourceFor(url, host)', () => {
    cached.resourceFor('/mcp', '127.0.0.1');
  });
});
