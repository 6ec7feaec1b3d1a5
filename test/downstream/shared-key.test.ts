/**
 * Two instances sharing a store, with a downstream entry of the same name but other parameters
 * (two deployments on one Redis, or a rolling change of the scope): each gets a token for its
 * own entry, never the other's from the shared cache. Found by a hostile review.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownstreamBroker, type BrokerEntry } from '../../src/downstream/broker.js';
import { loadDownstreamEntries } from '../../src/downstream/compile-downstream.js';
import { parseManifest } from '../../src/manifest/parse.js';
import { sharedDownstreamCache } from '../../src/store/cache-downstream.js';
import { MemoryStore } from '../../src/store/memory-store.js';

/**
 * A token endpoint on loopback that mints `for-<audience>-<scope>-<client_id>` and records the
 * client id of every request.
 */
let server: Server;
let endpoint: string;
const clients: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const params = new URLSearchParams(body);
      clients.push(params.get('client_id') ?? '');
      const minted = `for-${params.get('audience')}-${params.get('scope')}-${params.get('client_id')}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          access_token: minted.replace(/[^\w.-]/g, '_'),
          token_type: 'Bearer',
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          expires_in: 3600,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const caller = { token: 'inbound-token-of-alice', expiresAt: Math.floor(Date.now() / 1000) + 3600 };

describe('shared downstream tokens are keyed by everything the exchange asks for', () => {
  it('an entry of the same name with another audience and scope gets its own token', async () => {
    const before = clients.length;
    const shared = sharedDownstreamCache(new MemoryStore());
    const entry = (audience: string, scope: string): BrokerEntry => ({
      name: 'api',
      issuerId: 'as',
      grant: 'token-exchange',
      audience: [audience],
      resource: [],
      scope: [scope],
      authenticate: async () => ({ headers: {}, params: { client_id: 'client' } }),
      requester: 'client',
    });
    const broker = (audience: string, scope: string) =>
      new DownstreamBroker({
        entries: [entry(audience, scope)],
        tokenEndpoint: async () => endpoint,
        maxEntries: 100,
        fetchOptions: {},
        shared,
      });
    const payments = await broker('https://payments.example', 'payments:write').token(caller, 'api');
    const notes = await broker('https://notes.example', 'notes:read').token(caller, 'api');
    expect(payments.accessToken).toBe('for-https___payments.example-payments_write-client');
    expect(notes.accessToken).toBe('for-https___notes.example-notes_read-client');
    // The same entry on a third instance is served from the shared store: sharing still works.
    const again = await broker('https://notes.example', 'notes:read').token(caller, 'api');
    expect(again.accessToken).toBe(notes.accessToken);
    expect(clients.length - before).toBe(2);
  });
});

describe('shared downstream tokens are keyed by the client and the issuer too', () => {
  /** One instance: the manifest's downstream entry `api`, compiled as compile() does. */
  async function instance(
    shared: ReturnType<typeof sharedDownstreamCache>,
    clientId: string,
    issuer: string,
  ) {
    const manifest = parseManifest({
      issuers: { as: { metadata: { issuer, tokenEndpoint: endpoint } } },
      resources: [{ resource: 'http://127.0.0.1:2/mcp', authorizationServers: ['as'] }],
      downstream: {
        api: {
          issuer: 'as',
          grant: 'token-exchange',
          audience: 'https://notes.example',
          clientId,
          clientAuth: { method: 'client_secret_post', secretEnv: 'DS_SECRET' },
        },
      },
    });
    const entries = await loadDownstreamEntries(manifest, {
      env: { DS_SECRET: 'not-a-real-secret' },
      cwd: process.cwd(),
    });
    return new DownstreamBroker({
      entries,
      tokenEndpoint: async () => endpoint,
      maxEntries: 100,
      fetchOptions: {},
      shared,
    });
  }

  it('a rolling change of the client or the tenant never serves the old instance’s token', async () => {
    const before = clients.length;
    const shared = sharedDownstreamCache(new MemoryStore());
    const tenantA = 'http://127.0.0.1:1/tenant-a';
    const old = await (await instance(shared, 'privileged-client', tenantA)).token(caller, 'api');
    const renamed = await (await instance(shared, 'restricted-client', tenantA)).token(caller, 'api');
    const moved = await (
      await instance(shared, 'restricted-client', 'http://127.0.0.1:1/tenant-b')
    ).token(caller, 'api');
    expect(old.accessToken).toBe('for-https___notes.example-null-privileged-client');
    expect(renamed.accessToken).toBe('for-https___notes.example-null-restricted-client');
    expect(moved.accessToken).toBe(renamed.accessToken); // minted afresh: see the endpoint's calls
    expect(clients.slice(before)).toEqual(['privileged-client', 'restricted-client', 'restricted-client']);
    // The same client and issuer on another instance is served from the shared store.
    await (await instance(shared, 'restricted-client', tenantA)).token(caller, 'api');
    expect(clients.length - before).toBe(3);
  });
});
