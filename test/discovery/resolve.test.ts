/**
 * Issuer resolution against real servers: the well-known candidates actually requested (logged
 * by the server), when discovery moves on and when it stops, exact issuer matching, a given
 * well-known URL, and manual metadata.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { connectOptions } from '../../src/discovery/guarded-fetch.js';
import { resolveIssuer, type ResolveContext } from '../../src/discovery/resolve.js';
import { DiscoveryError } from '../../src/errors.js';
import {
  closeAllServers,
  closedPort,
  type Handler,
  redirectHandler,
  routes,
  sendJson,
  startRoutes,
  startServer,
} from '../support/servers.js';
import { asMetadata } from '../support/issuer.js';
import { rejection } from '../support/rejection.js';

afterEach(closeAllServers);

const OAUTH_INSERTED = '/.well-known/oauth-authorization-server/tenant1';
const OIDC_INSERTED = '/.well-known/openid-configuration/tenant1';
const OIDC_APPENDED = '/tenant1/.well-known/openid-configuration';

const failure = (promise: Promise<unknown>) => rejection(promise, DiscoveryError);

/** A server whose issuer is `<origin>/tenant1`, answering the route table `table(issuer)`. */
async function startTenant(table: (issuer: string) => Record<string, unknown>) {
  const server = await startRoutes((origin) => table(`${origin}/tenant1`));
  return { server, issuer: `${server.origin}/tenant1` };
}

const paths = (server: { requests: { path: string }[] }) => server.requests.map((r) => r.path);

describe('discovery from an issuer URL (type auto)', () => {
  it('tries oauth inserted, then oidc inserted, then oidc appended, and reports not_found when all are 404', async () => {
    const server = await startServer(routes({}));
    const err = await failure(
      resolveIssuer('main', { issuer: `${server.origin}/tenant1`, type: 'auto' }, { timeoutMs: 2000 }),
    );
    expect(err.code).toBe('not_found');
    expect(err.issuerId).toBe('main');
    expect(paths(server)).toEqual([OAUTH_INSERTED, OIDC_INSERTED, OIDC_APPENDED]);
  });

  it('takes the first candidate that answers 200 with a valid document and asks no further', async () => {
    const { server, issuer } = await startTenant((issuer) => ({
      [OIDC_INSERTED]: asMetadata(issuer, { from: 'oidc-inserted' }),
    }));
    const resolved = await resolveIssuer('main', { issuer, type: 'auto' });
    expect(resolved.source).toEqual({ kind: 'discovery', url: `${server.origin}${OIDC_INSERTED}` });
    expect(resolved.metadata.from).toBe('oidc-inserted');
    expect(paths(server)).toEqual([OAUTH_INSERTED, OIDC_INSERTED]);
  });

  it('prefers the RFC 8414 document when both are served', async () => {
    const { server, issuer } = await startTenant((issuer) => ({
      [OAUTH_INSERTED]: asMetadata(issuer, { from: 'oauth' }),
      [OIDC_APPENDED]: asMetadata(issuer, { from: 'oidc' }),
    }));
    const resolved = await resolveIssuer('main', { issuer, type: 'auto' });
    expect(resolved.metadata.from).toBe('oauth');
    expect(paths(server)).toEqual([OAUTH_INSERTED]);
  });

  it.each([400, 401, 403, 404, 410])('moves on after a %i', async (status) => {
    const { server, issuer } = await startTenant((issuer) => ({
      [OAUTH_INSERTED]: (_q: unknown, r: Parameters<Handler>[1]) => sendJson(r, status, { error: 'x' }),
      [OIDC_APPENDED]: asMetadata(issuer),
    }));
    const resolved = await resolveIssuer('main', { issuer, type: 'auto' });
    expect(resolved.source.url).toBe(`${server.origin}${OIDC_APPENDED}`);
    expect(paths(server)).toEqual([OAUTH_INSERTED, OIDC_INSERTED, OIDC_APPENDED]);
  });

  it.each([500, 502, 503])('stops at a %i with http_status and asks no further', async (status) => {
    const { server, issuer } = await startTenant((issuer) => ({
      [OAUTH_INSERTED]: (_q: unknown, r: Parameters<Handler>[1]) => sendJson(r, status, { error: 'x' }),
      [OIDC_APPENDED]: asMetadata(issuer),
    }));
    const err = await failure(resolveIssuer('main', { issuer, type: 'auto' }));
    expect(err.code).toBe('http_status');
    expect(err.status).toBe(status);
    expect(err.issuerId).toBe('main');
    expect(err.message).toContain('issuer "main"');
    expect(paths(server)).toEqual([OAUTH_INSERTED]);
  });

  it('stops at a network failure (connection dropped) and asks no further', async () => {
    const { server, issuer } = await startTenant((issuer) => ({
      [OAUTH_INSERTED]: (q: Parameters<Handler>[0]) => q.socket.destroy(),
      [OIDC_APPENDED]: asMetadata(issuer),
    }));
    const err = await failure(resolveIssuer('main', { issuer, type: 'auto' }));
    expect(err.code).toBe('network');
    expect(paths(server)).toEqual([OAUTH_INSERTED]);
  });

  it('stops with network when nothing listens on the issuer port', async () => {
    const port = await closedPort();
    const err = await failure(resolveIssuer('down', { issuer: `http://127.0.0.1:${port}`, type: 'auto' }));
    expect(err.code).toBe('network');
    expect(err.issuerId).toBe('down');
  });

  it('stops at a redirect and the redirect target receives nothing', async () => {
    const target = await startServer(routes({}));
    const server = await startServer(redirectHandler(`${target.origin}/.well-known/openid-configuration`));
    const err = await failure(resolveIssuer('main', { issuer: server.origin, type: 'auto' }));
    expect(err.code).toBe('redirect');
    expect(server.count()).toBe(1);
    expect(target.count()).toBe(0);
  });

  it('moves past a 200 naming another issuer, and wins with a later valid document', async () => {
    const { server, issuer } = await startTenant((issuer) => ({
      [OAUTH_INSERTED]: asMetadata('https://other.example/tenant1'),
      [OIDC_APPENDED]: asMetadata(issuer),
    }));
    const resolved = await resolveIssuer('main', { issuer, type: 'auto' });
    expect(resolved.issuer).toBe(issuer);
    expect(paths(server)).toEqual([OAUTH_INSERTED, OIDC_INSERTED, OIDC_APPENDED]);
  });

  it('reports issuer_mismatch (not not_found) when the only document names another issuer', async () => {
    const server = await startServer(
      routes({ [OAUTH_INSERTED]: asMetadata('https://other.example/tenant1') }),
    );
    const err = await failure(resolveIssuer('main', { issuer: `${server.origin}/tenant1`, type: 'auto' }));
    expect(err.code).toBe('issuer_mismatch');
    expect(err.issuerId).toBe('main');
  });

  it('only ever requests the issuer origin, even for an issuer path that looks like another host', async () => {
    const server = await startServer(routes({}));
    const err = await failure(
      resolveIssuer('main', { issuer: `${server.origin}//evil.example`, type: 'auto' }),
    );
    expect(err.code).toBe('not_found');
    expect(server.count()).toBe(3);
    expect(paths(server)).toEqual([
      '/.well-known/oauth-authorization-server//evil.example',
      '/.well-known/openid-configuration//evil.example',
      '//evil.example/.well-known/openid-configuration',
    ]);
  });
});

describe('discovery types oauth and oidc', () => {
  it('oauth requests only the path-inserted RFC 8414 URL', async () => {
    const { server, issuer } = await startTenant((issuer) => ({ [OAUTH_INSERTED]: asMetadata(issuer) }));
    await resolveIssuer('main', { issuer, type: 'oauth' });
    expect(paths(server)).toEqual([OAUTH_INSERTED]);
  });

  it('oauth without an issuer path requests /.well-known/oauth-authorization-server', async () => {
    const server = await startRoutes((origin) => ({
      '/.well-known/oauth-authorization-server': asMetadata(origin),
    }));
    const issuer = server.origin;
    await resolveIssuer('main', { issuer, type: 'oauth' });
    expect(paths(server)).toEqual(['/.well-known/oauth-authorization-server']);
  });

  it('oidc requests only the appended URL, and its 404 is not_found', async () => {
    const server = await startServer(routes({}));
    const err = await failure(resolveIssuer('main', { issuer: `${server.origin}/tenant1`, type: 'oidc' }));
    expect(err.code).toBe('not_found');
    expect(paths(server)).toEqual([OIDC_APPENDED]);
  });
});

describe('exact issuer matching (RFC 8414 §3.3)', () => {
  it('a trailing-slash issuer (Auth0 style) resolves when configured exactly, slash included', async () => {
    const server = await startRoutes((origin) => ({
      '/.well-known/openid-configuration': asMetadata(`${origin}/`),
    }));
    const issuer = `${server.origin}/`;
    const resolved = await resolveIssuer('auth0', { issuer, type: 'auto' });
    expect(resolved.issuer).toBe(issuer);
    expect(paths(server)).toEqual([
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
    ]);
  });

  it('a trailing-slash difference is issuer_mismatch, both ways', async () => {
    let docIssuer = '';
    const server = await startServer((req, res, s) =>
      routes({ '/.well-known/oauth-authorization-server': asMetadata(docIssuer) })(req, res, s),
    );
    docIssuer = `${server.origin}/`;
    const err = await failure(resolveIssuer('a', { issuer: server.origin, type: 'oauth' }));
    expect(err.code).toBe('issuer_mismatch');

    docIssuer = server.origin;
    expect((await failure(resolveIssuer('a', { issuer: `${server.origin}/`, type: 'oauth' }))).code).toBe(
      'issuer_mismatch',
    );
  });

  it('a case or port spelling difference is issuer_mismatch (no normalisation)', async () => {
    let docIssuer = '';
    const server = await startServer((req, res, s) =>
      routes({ '/.well-known/oauth-authorization-server/T1': asMetadata(docIssuer) })(req, res, s),
    );
    docIssuer = `${server.origin}/t1`;
    expect((await failure(resolveIssuer('a', { issuer: `${server.origin}/T1`, type: 'oauth' }))).code).toBe(
      'issuer_mismatch',
    );
  });

  it('does not quote the upstream issuer value in the mismatch message', async () => {
    const server = await startServer(
      routes({ '/.well-known/oauth-authorization-server': asMetadata('https://attacker.example/<script>') }),
    );
    const err = await failure(resolveIssuer('a', { issuer: server.origin, type: 'oauth' }));
    expect(err.code).toBe('issuer_mismatch');
    expect(err.message).not.toContain('attacker');
  });
});

describe('a given well-known URL', () => {
  it('fetches exactly that URL and, without a configured issuer, takes the document issuer', async () => {
    const server = await startServer((req, res, s) =>
      routes({ '/custom/openid-configuration': asMetadata(`${s.origin}/realm`) })(req, res, s),
    );
    const url = `${server.origin}/custom/openid-configuration`;
    const resolved = await resolveIssuer('corp', { wellKnownUrl: url, type: 'oidc' });
    expect(resolved.issuer).toBe(`${server.origin}/realm`);
    expect(resolved.source).toEqual({ kind: 'well-known', url });
    expect(paths(server)).toEqual(['/custom/openid-configuration']);
  });

  it('with a configured issuer, the document issuer must be identical to it', async () => {
    const server = await startServer((req, res, s) =>
      routes({ '/custom/openid-configuration': asMetadata(`${s.origin}/realm`) })(req, res, s),
    );
    const wellKnownUrl = `${server.origin}/custom/openid-configuration`;
    await expect(
      resolveIssuer('corp', { wellKnownUrl, issuer: `${server.origin}/realm`, type: 'oidc' }),
    ).resolves.toMatchObject({ issuer: `${server.origin}/realm` });
    const err = await failure(
      resolveIssuer('corp', { wellKnownUrl, issuer: `${server.origin}/realm/`, type: 'oidc' }),
    );
    expect(err.code).toBe('issuer_mismatch');
    expect(err.issuerId).toBe('corp');
  });

  it('a 404 at the given URL is http_status (there is nothing else to try)', async () => {
    const server = await startServer(routes({}));
    const err = await failure(
      resolveIssuer('corp', { wellKnownUrl: `${server.origin}/missing`, type: 'oidc' }),
    );
    expect(err.code).toBe('http_status');
    expect(err.status).toBe(404);
    expect(err.issuerId).toBe('corp');
  });
});

describe('manual metadata', () => {
  it('is validated without any fetch and keeps unknown fields in wire form', async () => {
    const resolved = await resolveIssuer('local', {
      type: 'oauth',
      metadata: {
        issuer: 'https://as.example',
        authorizationEndpoint: 'https://as.example/authorize',
        tokenEndpoint: 'https://as.example/token',
        jwksUri: 'https://as.example/jwks',
        responseTypesSupported: ['code'],
        codeChallengeMethodsSupported: ['S256'],
        vendorFlag: true,
      },
    });
    expect(resolved.source).toEqual({ kind: 'manual' });
    expect(resolved.metadata).toMatchObject({
      issuer: 'https://as.example',
      token_endpoint: 'https://as.example/token',
      jwks_uri: 'https://as.example/jwks',
      vendor_flag: true,
    });
    expect(Object.isFrozen(resolved.metadata)).toBe(true);
  });

  it('refuses a plain-http endpoint on a public host with invalid_metadata', async () => {
    const err = await failure(
      resolveIssuer('local', {
        type: 'oauth',
        metadata: { issuer: 'https://as.example', tokenEndpoint: 'http://as.example/token' },
      }),
    );
    expect(err.code).toBe('invalid_metadata');
    expect(err.issuerId).toBe('local');
  });
});

describe('a document from another host never points at plain http on this one', () => {
  const fixture = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url), 'utf8');
  const cert = fixture('as-remote-test.cert.pem');

  /** An https issuer at `as.remote.test` (resolved to 127.0.0.1 by the fetch's own lookup). */
  async function remoteIssuer(doc: (issuer: string) => Record<string, unknown>) {
    let issuer = '';
    const server = createHttpsServer({ cert, key: fixture('as-remote-test.key.pem') }, (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc(issuer))),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `https://as.remote.test:${(server.address() as AddressInfo).port}`;
    const lookup: LookupFunction = (_host, options, callback) =>
      options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
    const context = { timeoutMs: 2000, [connectOptions]: { lookup, ca: cert } } as ResolveContext;
    return { issuer, context, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it.each(['jwks_uri', 'introspection_endpoint', 'token_endpoint'])(
    'refuses a remote document whose %s is http://127.0.0.1',
    async (field) => {
      const remote = await remoteIssuer((issuer) =>
        asMetadata(issuer, { [field]: 'http://127.0.0.1:6379/' }),
      );
      try {
        const err = await failure(
          resolveIssuer('main', { issuer: remote.issuer, type: 'oauth' }, remote.context),
        );
        expect(err.code).toBe('invalid_metadata');
        expect(err.message).toContain(`"${field}" is plain http to loopback`);
      } finally {
        await remote.close();
      }
    },
  );

  it("takes the manifest's transpile hook repairing a remote document's http endpoint", async () => {
    const remote = await remoteIssuer((issuer) =>
      asMetadata(issuer, { token_endpoint: `${issuer.replace('https:', 'http:')}/token` }),
    );
    try {
      const resolved = await resolveIssuer(
        'main',
        {
          issuer: remote.issuer,
          type: 'oauth',
          transpile: (doc) => ({ ...doc, token_endpoint: `${remote.issuer}/token` }),
        },
        remote.context,
      );
      expect(resolved.metadata.token_endpoint).toBe(`${remote.issuer}/token`);
    } finally {
      await remote.close();
    }
  });

  it("takes the manifest's own transpile hook pointing the keys at a local sidecar", async () => {
    const remote = await remoteIssuer((issuer) => asMetadata(issuer, { jwks_uri: `${issuer}/jwks` }));
    try {
      const resolved = await resolveIssuer(
        'main',
        { issuer: remote.issuer, type: 'oauth', transpile: { jwks_uri: 'http://127.0.0.1:15001/jwks' } },
        remote.context,
      );
      expect(resolved.metadata.jwks_uri).toBe('http://127.0.0.1:15001/jwks');
    } finally {
      await remote.close();
    }
  });
});
