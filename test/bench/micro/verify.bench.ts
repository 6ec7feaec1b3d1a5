/**
 * Token intake + verification per algorithm, one token at a time: ours (cache disabled) against
 * `jose.jwtVerify` alone and the synchronous `node:crypto` primitive, plus the prototype of
 * ./prototype.ts (thread-pool `crypto.verify`, and its synchronous twin).
 */
import { bench, describe } from 'vitest';
import { extractBearer } from '../../../src/verify/bearer.js';
import { RESOURCE } from '../lib/tokens.js';
import {
  cryptoKeys,
  joseOptions,
  jwtVerify,
  localJwks,
  primitive,
  prototype,
  tokens,
  uncached,
} from './setup.js';

for (const alg of ['ES256', 'RS256'] as const) {
  const token = tokens[alg];
  const header = [`Bearer ${token}`];
  const verifier = uncached.tokenVerifier(RESOURCE);
  const floor = primitive(alg);

  describe(`${alg}: one token, verified in full`, () => {
    bench('ours: extractBearer + verifyAccessToken (cache off)', async () => {
      await verifier.verifyAccessToken(extractBearer({ authorization: header }, 8192));
    });
    bench('jose.jwtVerify + createLocalJWKSet', async () => {
      await jwtVerify(token, localJwks, joseOptions);
    });
    bench('jose.jwtVerify + imported CryptoKey', async () => {
      await jwtVerify(token, cryptoKeys[alg], joseOptions);
    });
    bench('prototype: KeyObject + crypto.verify on the thread pool', async () => {
      await prototype.verifyAsync(token);
    });
    bench('prototype: KeyObject + crypto.verify, synchronous', () => {
      prototype.verifySync(token);
    });
    bench('floor: node:crypto verify of the signature alone (sync)', () => {
      floor();
    });
  });
}
