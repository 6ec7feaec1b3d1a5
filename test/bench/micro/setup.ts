/** Shared fixtures of the micro benchmarks: keys, tokens, a compiled runtime, jose and node:crypto baselines. */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { createLocalJWKSet, importJWK, jwtVerify } from 'jose';
import { compile } from '../../../src/runtime/compile.js';
import { manifestFor } from '../servers/common.js';
import { ISSUER, RESOURCE, makeKeys, signToken, type Alg } from '../lib/tokens.js';
import { createFastVerifier } from './prototype.js';

export const keys = makeKeys();
export const publicJwks = [keys.ES256.publicJwk, keys.RS256.publicJwk];
export const tokens: Record<Exclude<Alg, 'EdDSA'>, string> = {
  ES256: signToken(keys.ES256, 1),
  RS256: signToken(keys.RS256, 1),
};

const config = { mode: 'ours' as const, issuer: ISSUER, resource: RESOURCE, keys: publicJwks };
/** Our runtime with the verified-token cache disabled (every call verifies the signature). */
export const uncached = await compile(manifestFor({ ...config, cacheEntries: 0 }));
/** The same with `settings.verify.offload: "pool"` (signatures on the libuv thread pool). */
export const uncachedPool = await compile(manifestFor({ ...config, cacheEntries: 0, offload: 'pool' }));
/** The same with `settings.verify.offload: "sync"` (signatures always on the event loop). */
export const uncachedSync = await compile(manifestFor({ ...config, cacheEntries: 0, offload: 'sync' }));
/** Our runtime with the default cache. */
export const cached = await compile(manifestFor(config));

export const localJwks = createLocalJWKSet({ keys: publicJwks });
export const cryptoKeys: Record<Exclude<Alg, 'EdDSA'>, Awaited<ReturnType<typeof importJWK>>> = {
  ES256: await importJWK(keys.ES256.publicJwk, 'ES256'),
  RS256: await importJWK(keys.RS256.publicJwk, 'RS256'),
};
export const joseOptions = {
  issuer: ISSUER,
  audience: RESOURCE,
  algorithms: ['ES256', 'RS256'],
  requiredClaims: ['exp'],
};
export { jwtVerify };

const keyObjects = {
  ES256: createPublicKey({ key: keys.ES256.publicJwk as never, format: 'jwk' }),
  RS256: createPublicKey({ key: keys.RS256.publicJwk as never, format: 'jwk' }),
};

/** The floor: the signature primitive alone, synchronous, on a pre-imported KeyObject. */
export function primitive(alg: Exclude<Alg, 'EdDSA'>): () => boolean {
  const token = tokens[alg];
  const dot = token.lastIndexOf('.');
  const data = Buffer.from(token.slice(0, dot));
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  const key =
    alg === 'ES256' ? { key: keyObjects.ES256, dsaEncoding: 'ieee-p1363' as const } : keyObjects.RS256;
  return () => cryptoVerify('sha256', data, key, signature);
}

export const prototype = createFastVerifier(publicJwks, {
  issuer: ISSUER,
  audience: RESOURCE,
  algorithms: ['ES256', 'RS256'],
});

// Every path must accept the fixture tokens, or the figures mean nothing.
for (const alg of ['ES256', 'RS256'] as const) {
  await uncached.tokenVerifier(RESOURCE).verifyAccessToken(tokens[alg]);
  await uncachedPool.tokenVerifier(RESOURCE).verifyAccessToken(tokens[alg]);
  await uncachedSync.tokenVerifier(RESOURCE).verifyAccessToken(tokens[alg]);
  await jwtVerify(tokens[alg], localJwks, joseOptions);
  await prototype.verifyAsync(tokens[alg]);
  if (!primitive(alg)()) throw new Error(`${alg}: primitive rejected the fixture token`);
}
