/**
 * `mcp-auth check` reports whether each downstream entry's issuer advertises its grant in
 * `grant_types_supported`: the real oidc-provider lists the grants registered with
 * `registerGrantType`; a hand-written metadata document that lists none is reported as such.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startExchangeIssuer, type ExchangeIssuer } from '../support/exchange-issuer.js';

let exchange: ExchangeIssuer;
beforeAll(async () => {
  exchange = await startExchangeIssuer({
    trust: { issuer: 'http://127.0.0.1:1', jwksUri: 'http://127.0.0.1:1/jwks' },
    audiences: ['api'],
    clients: [],
  });
});
afterAll(() => exchange?.close());

it('reports the grant each downstream issuer advertises', async () => {
  const clientAuth = { method: 'client_secret_basic', secretEnv: 'UNUSED' };
  const manifest = {
    issuers: {
      xchg: { issuer: exchange.issuer, type: 'oidc' },
      manual: {
        metadata: {
          issuer: 'http://127.0.0.1:9',
          tokenEndpoint: 'http://127.0.0.1:9/token',
          responseTypesSupported: ['code'],
        },
      },
    },
    resources: [{ resource: 'http://127.0.0.1:2/mcp', authorizationServers: ['xchg'] }],
    downstream: {
      te: { issuer: 'xchg', grant: 'token-exchange', audience: 'api', clientId: 'c', clientAuth },
      obo: { issuer: 'xchg', grant: 'jwt-bearer', scope: ['api'], clientId: 'c', clientAuth },
      bare: { issuer: 'manual', grant: 'token-exchange', audience: 'api', clientId: 'c', clientAuth },
    },
  };
  const file = join(await mkdtemp(join(tmpdir(), 'mcp-auth-check-')), 'mcp-auth.config.json');
  await writeFile(file, JSON.stringify(manifest));
  const out: string[] = [];
  await main(['check', file, '--format', 'json'], { out: (t: string) => out.push(t), err: () => undefined });
  const report = JSON.parse(out.join('\n')) as { downstream: { name: string; advertised: boolean | null }[] };
  expect(report.downstream.map((d) => [d.name, d.advertised])).toEqual([
    ['te', true],
    ['obo', true],
    ['bare', null],
  ]);
  const text: string[] = [];
  await main(['check', file], { out: (t: string) => text.push(t), err: () => undefined });
  expect(text).toContain(`✓ downstream te: xchg advertises urn:ietf:params:oauth:grant-type:token-exchange`);
  expect(text.join('\n')).toContain('! downstream bare: manual lists no grant_types_supported');
});
