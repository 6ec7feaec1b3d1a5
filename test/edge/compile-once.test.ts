/**
 * compileOnce(): nothing runs when the getter is made (no manifest read, no fetch, no env), the
 * first call compiles, concurrent and later calls share the runtime, a failed compile is retried
 * by the next call, close() releases and forgets. And the loader-free compile refuses a path.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/runtime/compile.js';
import { compileOnce } from '../../src/runtime/compile-once.js';
import { DiscoveryError, OptionError } from '../../src/errors.js';
import { issuerEntry, makeKey, startServer } from '../support/tokens.js';

const key = makeKey('ES256');
const manifest = {
  issuers: { main: issuerEntry('https://issuer.example.test', { keys: [key.publicJwk] }) },
  resources: [{ resource: 'https://mcp.example.test/mcp', authorizationServers: ['main'] }],
};

describe('compileOnce()', () => {
  it('does nothing until called, then compiles once for concurrent and later calls', async () => {
    let calls = 0;
    const getAuth = compileOnce(() => {
      calls++;
      return manifest;
    });
    expect(calls).toBe(0);
    const [a, b] = await Promise.all([getAuth(), getAuth()]);
    expect(a).toBe(b);
    expect(await getAuth()).toBe(a);
    expect(calls).toBe(1);
    await getAuth.close();
  });

  it('touches no issuer before the first call, and retries after a failed compile', async () => {
    let up = false;
    let hits = 0;
    let issuer = '';
    const as = await startServer((_req, res) => {
      hits++;
      if (!up) {
        res.statusCode = 503;
        res.end('{}');
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/a`,
          token_endpoint: `${issuer}/t`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
        }),
      );
    });
    issuer = as.url;
    try {
      const getAuth = compileOnce({
        issuers: { main: { issuer, type: 'oauth', jwks: { keys: [key.publicJwk] } } },
        resources: [{ resource: 'https://mcp.example.test/mcp', authorizationServers: ['main'] }],
        settings: { fetch: { timeoutMs: 2000 } },
      });
      expect(hits).toBe(0);
      await expect(getAuth()).rejects.toBeInstanceOf(DiscoveryError);
      up = true;
      const auth = await getAuth();
      expect(auth.resources).toHaveLength(1);
      expect(await getAuth()).toBe(auth);
      await getAuth.close();
    } finally {
      await as.close();
    }
  });

  it('close() forgets the runtime: the next call compiles a new one', async () => {
    const getAuth = compileOnce(manifest);
    const first = await getAuth();
    await getAuth.close();
    const second = await getAuth();
    expect(second).not.toBe(first);
    await getAuth.close();
  });

  it('passes its arguments to the source and options functions of the first compile', async () => {
    const seen: unknown[] = [];
    const getAuth = compileOnce(
      (env: { tag: string }) => {
        seen.push(env.tag);
        return manifest;
      },
      (env) => ({ env: { TAG: env.tag } }),
    );
    await getAuth({ tag: 'first' });
    await getAuth({ tag: 'second' });
    expect(seen).toEqual(['first']);
    await getAuth.close();
  });
});

describe('the loader-free compile (mcp-auth-config/fetch)', () => {
  it('refuses a path with an OptionError naming the file-loading compile', async () => {
    const err = await compile('./mcp-auth.config.json' as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OptionError);
    expect((err as OptionError).message).toContain('mcp-auth-config');
  });
});
