/**
 * Cold start under concurrency: a freshly compiled lazy runtime receives 300 simultaneous requests
 * (token-bearing and metadata); the test servers count exactly one metadata fetch and one JWKS
 * fetch.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/runtime/compile.js';
import { send, startAdapter } from '../support/adapters.js';
import { claims, makeKey, signToken } from '../support/tokens.js';
import { startServer } from '../support/servers.js';
import { RESOURCE } from '../support/constants.js';
import { manifestFor } from '../support/issuer.js';

describe('cold start', () => {
  it('300 simultaneous requests cause one metadata fetch and one JWKS fetch', async () => {
    const key = makeKey('RS256');
    const counts = { metadata: 0, jwks: 0, other: 0 };
    let issuer = '';
    const as = await startServer(async (req, res) => {
      // Slow answers keep every request waiting on the same in-flight fetch.
      await new Promise((r) => setTimeout(r, 150));
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/oauth-authorization-server') {
        counts.metadata++;
        res.end(
          JSON.stringify({
            issuer,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
            response_types_supported: ['code'],
            code_challenge_methods_supported: ['S256'],
          }),
        );
      } else if (req.url === '/jwks') {
        counts.jwks++;
        res.end(JSON.stringify({ keys: [key.publicJwk] }));
      } else {
        counts.other++;
        res.statusCode = 404;
        res.end('{}');
      }
    });
    issuer = as.origin;
    const auth = await compile(manifestFor(issuer, { startup: 'lazy' }));
    const app = await startAdapter('node', auth);
    try {
      // Lazy start-up resolves in the background from compile() on; keys wait for a token.
      expect(counts.metadata).toBeLessThanOrEqual(1);
      expect({ jwks: counts.jwks, other: counts.other }).toEqual({ jwks: 0, other: 0 });
      const tokens = Array.from({ length: 20 }, (_, i) => signToken(key, claims(issuer, RESOURCE, { n: i })));
      const responses = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          i % 3 === 0
            ? send(`${app.url}/.well-known/oauth-protected-resource/mcp`)
            : send(`${app.url}/mcp`, { headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 300 }, () => 200));
      expect(responses[0]!.json()).toMatchObject({ resource: RESOURCE, authorization_servers: [issuer] });
      expect(app.reached).toBe(200);
      expect(counts).toEqual({ metadata: 1, jwks: 1, other: 0 });
    } finally {
      await app.close();
      await auth.close();
      await as.close();
    }
  });
});
