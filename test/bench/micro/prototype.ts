/**
 * A measured prototype (not product code) for getting closer to the synchronous `node:crypto`
 * floor without blocking the event loop: keys imported once as `KeyObject`s, the compact JWS
 * parsed once by hand, and the signature checked with the callback form of `crypto.verify`,
 * which runs the primitive on the libuv thread pool. Only the claims this bench needs are
 * checked (iss, aud, exp); the product would keep every check of src/verify/jwt.ts.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

export interface PrototypePolicy {
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: readonly string[];
}

const HASH: Readonly<Record<string, string>> = { ES256: 'sha256', RS256: 'sha256' };

export interface FastVerifier {
  /** Signature on the thread pool: the event loop only parses and dispatches. */
  verifyAsync(token: string): Promise<Record<string, unknown>>;
  /** The same, with the signature checked synchronously on the event loop. */
  verifySync(token: string): Record<string, unknown>;
}

export function createFastVerifier(keys: readonly JWK[], policy: PrototypePolicy): FastVerifier {
  const byKid = new Map<string, KeyObject>();
  for (const jwk of keys) byKid.set(jwk.kid ?? '', createPublicKey({ key: jwk as never, format: 'jwk' }));

  const prepare = (token: string) => {
    const dot1 = token.indexOf('.');
    const dot2 = token.indexOf('.', dot1 + 1);
    if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) throw new Error('malformed');
    const header = JSON.parse(Buffer.from(token.slice(0, dot1), 'base64url').toString()) as {
      alg?: string;
      kid?: string;
    };
    const alg = header.alg ?? '';
    if (!policy.algorithms.includes(alg) || !HASH[alg]) throw new Error('alg');
    const key = byKid.get(header.kid ?? '');
    if (!key) throw new Error('kid');
    const claims = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString()) as Record<
      string,
      unknown
    >;
    if (claims.iss !== policy.issuer) throw new Error('iss');
    const aud = claims.aud;
    if (!(aud === policy.audience || (Array.isArray(aud) && aud.includes(policy.audience))))
      throw new Error('aud');
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) throw new Error('exp');
    return {
      hash: HASH[alg]!,
      data: Buffer.from(token.slice(0, dot2)),
      key: alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' as const } : key,
      signature: Buffer.from(token.slice(dot2 + 1), 'base64url'),
      claims,
    };
  };

  return {
    verifyAsync(token) {
      return new Promise((resolve, reject) => {
        const p = prepare(token);
        verify(p.hash, p.data, p.key, p.signature, (err, ok) => {
          if (err || !ok) reject(err ?? new Error('signature'));
          else resolve(p.claims);
        });
      });
    },
    verifySync(token) {
      const p = prepare(token);
      if (!verify(p.hash, p.data, p.key, p.signature)) throw new Error('signature');
      return p.claims;
    },
  };
}
