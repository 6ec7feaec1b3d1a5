/**
 * Prepared signature keys: every algorithm on both backends (`node:crypto` KeyObjects, and the
 * WebCrypto path of runtimes without `node:crypto`), synchronously and on the thread pool, with
 * the algorithm's exact parameters (PSS salt length, P1363 ECDSA signatures) and the key's type,
 * curve and size checked at preparation.
 */
import { spawnSync } from 'node:child_process';
import nodeCrypto, { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { setImmediate as realSetImmediate } from 'node:timers';
import { fileURLToPath } from 'node:url';
import type { JWK } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { BURST, prepareKey, type Offload, type PreparedKey } from '../../src/verify/prepare-key.js';

type Case = { alg: string; type: 'rsa' | 'ec' | 'ed25519' | 'ed448'; options?: object; hash: string | null };

const CASES: readonly Case[] = [
  { alg: 'RS256', type: 'rsa', options: { modulusLength: 2048 }, hash: 'sha256' },
  { alg: 'RS512', type: 'rsa', options: { modulusLength: 2048 }, hash: 'sha512' },
  { alg: 'PS256', type: 'rsa', options: { modulusLength: 2048 }, hash: 'sha256' },
  { alg: 'PS384', type: 'rsa', options: { modulusLength: 2048 }, hash: 'sha384' },
  { alg: 'ES256', type: 'ec', options: { namedCurve: 'P-256' }, hash: 'sha256' },
  { alg: 'ES384', type: 'ec', options: { namedCurve: 'P-384' }, hash: 'sha384' },
  { alg: 'ES512', type: 'ec', options: { namedCurve: 'P-521' }, hash: 'sha512' },
  { alg: 'EdDSA', type: 'ed25519', hash: null },
  { alg: 'Ed25519', type: 'ed25519', hash: null },
];

const DATA = Buffer.from('eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJodHRwczovL2FzLmV4YW1wbGUifQ', 'latin1');

function pair(c: Case): { privateKey: KeyObject; jwk: JWK } {
  const generate = generateKeyPairSync as unknown as (
    type: string,
    options?: object,
  ) => Record<string, KeyObject>;
  const { privateKey, publicKey } = generate(c.type, c.options);
  return { privateKey: privateKey!, jwk: publicKey!.export({ format: 'jwk' }) as JWK };
}

/** A signature as a JWS carries it (RFC 7518: P1363 for ECDSA, digest-sized PSS salt). */
function jwsSign(c: Case, privateKey: KeyObject, data: Uint8Array, saltLength?: number): Buffer {
  const pssSalt = saltLength ?? { sha256: 32, sha384: 48, sha512: 64 }[c.hash ?? 'sha256'];
  const key = c.alg.startsWith('ES')
    ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const }
    : c.alg.startsWith('PS')
      ? { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pssSalt }
      : privateKey;
  return sign(c.hash, data, key);
}

async function check(key: PreparedKey, data: Uint8Array, sig: Uint8Array, offload: Offload) {
  const result = key.verify(data, sig, offload);
  return typeof result === 'boolean' ? { sync: true, ok: result } : { sync: false, ok: await result };
}

describe.each(['node', 'webcrypto'] as const)('prepared keys on %s', (backend) => {
  const runtime = backend === 'node' ? nodeCrypto : null;

  it.each(CASES.map((c) => [`${c.alg} (${c.type})`, c] as const))(
    '%s: a good signature verifies and a bad one does not, in every offload mode',
    async (_name, c) => {
      const { privateKey, jwk } = pair(c);
      const key = await prepareKey(jwk, c.alg, runtime);
      expect(key.backend).toBe(backend);
      const sig = jwsSign(c, privateKey, DATA);
      const bad = Buffer.from(sig);
      bad[bad.length >> 1]! ^= 1;
      for (const offload of ['sync', 'pool', 'auto'] as const) {
        const good = await check(key, DATA, sig, offload);
        expect(good.ok).toBe(true);
        if (backend === 'node' && offload !== 'auto') expect(good.sync).toBe(offload === 'sync');
        expect((await check(key, DATA, bad, offload)).ok).toBe(false);
        expect((await check(key, Buffer.from('other input'), sig, offload)).ok).toBe(false);
        expect((await check(key, DATA, new Uint8Array(0), offload)).ok).toBe(false);
      }
    },
  );

  it('ES256 takes only P1363 (r || s) signatures, never DER', async () => {
    const c = CASES.find((x) => x.alg === 'ES256')!;
    const { privateKey, jwk } = pair(c);
    const key = await prepareKey(jwk, 'ES256', runtime);
    const der = sign('sha256', DATA, privateKey); // DER is node's default encoding
    for (const offload of ['sync', 'pool'] as const) {
      expect((await check(key, DATA, der, offload)).ok).toBe(false);
    }
  });

  it('PS256 takes only the digest-sized salt of RFC 7518 §3.5', async () => {
    const c = CASES.find((x) => x.alg === 'PS256')!;
    const { privateKey, jwk } = pair(c);
    const key = await prepareKey(jwk, 'PS256', runtime);
    const shortSalt = jwsSign(c, privateKey, DATA, 0);
    for (const offload of ['sync', 'pool'] as const) {
      expect((await check(key, DATA, shortSalt, offload)).ok).toBe(false);
    }
  });

  it('RS256 does not accept a PSS signature (the padding is fixed per algorithm)', async () => {
    const rs = CASES.find((x) => x.alg === 'RS256')!;
    const { privateKey, jwk } = pair(rs);
    const key = await prepareKey(jwk, 'RS256', runtime);
    const pssSig = jwsSign({ ...rs, alg: 'PS256' }, privateKey, DATA);
    expect((await check(key, DATA, pssSig, 'sync')).ok).toBe(false);
  });

  it.each([
    ['a P-384 key for ES256', 'ES256', { type: 'ec', options: { namedCurve: 'P-384' } }],
    ['a P-256 key for ES384', 'ES384', { type: 'ec', options: { namedCurve: 'P-256' } }],
    ['an Ed448 key for Ed25519', 'Ed25519', { type: 'ed448' }],
    ['an Ed448 key for EdDSA', 'EdDSA', { type: 'ed448' }],
    ['an RSA key for ES256', 'ES256', { type: 'rsa', options: { modulusLength: 2048 } }],
    ['an EC key for RS256', 'RS256', { type: 'ec', options: { namedCurve: 'P-256' } }],
    ['a 1024-bit RSA key for RS256', 'RS256', { type: 'rsa', options: { modulusLength: 1024 } }],
    ['any key for HS256', 'HS256', { type: 'ec', options: { namedCurve: 'P-256' } }],
  ] as const)('refuses to prepare %s', async (_name, alg, shape) => {
    const { jwk } = pair({ alg, hash: null, ...shape } as Case);
    await expect(prepareKey(jwk, alg, runtime)).rejects.toThrow();
  });
});

describe('offload auto: the load decides, on node:crypto', () => {
  /** The end of this event-loop turn, by `node:timers` (which a test's fake timers leave alone). */
  const nextTurn = () => new Promise((resolve) => realSetImmediate(resolve));
  const es256 = CASES.find((x) => x.alg === 'ES256')!;

  /** The fixture's account of one burst of `size` checks (the third with a bad signature). */
  const burstIn = (pinned: boolean, size = 4) => {
    const fixture = fileURLToPath(new URL('../fixtures/burst/check-burst.ts', import.meta.url));
    const node = [process.execPath, '--import', 'tsx', fixture, String(size)];
    const [command, ...args] = pinned ? ['taskset', '-c', firstAllowedCpu(), ...node] : node;
    const child = spawnSync(command!, args, {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, UV_THREADPOOL_SIZE: '4' },
    });
    expect(child.status, child.stderr).toBe(0);
    return JSON.parse(child.stdout) as Record<string, unknown>;
  };
  /** The first CPU this process may run on (`taskset -pc` prints e.g. "…: 0-1" or "…: 2,3"). */
  const firstAllowedCpu = () =>
    /:\s*(\d+)/.exec(
      spawnSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8', timeout: 10_000 }).stdout,
    )![1]!;
  const hasTaskset = spawnSync('taskset', ['-V'], { timeout: 10_000 }).status === 0;
  const later = (n: number) => Array.from({ length: n }, () => 'later');

  for (const { where, pinned, runs, burst, callbacks } of [
    {
      where:
        'on one core: a lone check is answered at once, the rest of a burst checked on the loop and answered after the turn',
      pinned: true,
      runs: hasTaskset,
      burst: 'deferred',
      callbacks: [false, false, false, false],
    },
    {
      where: 'with two cores or more: the rest of a burst goes to the pool',
      pinned: false,
      runs: availableParallelism() > 1,
      burst: 'pool',
      callbacks: [false, true, true, true],
    },
  ]) {
    it.runIf(runs)(where, () => {
      expect(burstIn(pinned)).toEqual({
        burst,
        kinds: ['now', ...later(3)],
        callbacks,
        arrivedInTurn: 1,
        results: [true, true, false, true],
        afterwards: 'now',
      });
    });
  }

  it.runIf(availableParallelism() > 1)(
    'queues at most 64 checks per pool thread on the pool: the rest of a flood is checked on the loop, answered after the turn',
    () => {
      const account = burstIn(false, 300);
      expect(account.callbacks).toEqual([false, ...Array(256).fill(true), ...Array(43).fill(false)]);
      expect(account.kinds).toEqual(['now', ...later(299)]);
      expect(account.arrivedInTurn).toBe(1);
      expect((account.results as boolean[]).filter((ok) => !ok)).toHaveLength(1);
    },
  );

  it('fake timers cannot hold answers or the loop back (the timer is node:timers, read once)', async () => {
    const { privateKey, jwk } = pair(es256);
    const key = await prepareKey(jwk, 'ES256', nodeCrypto);
    const sig = jwsSign(es256, privateKey, DATA);
    await nextTurn();
    vi.useFakeTimers();
    try {
      const burst = [0, 1, 2].map(() => key.verify(DATA, sig, 'auto'));
      expect(await Promise.all(burst)).toEqual([true, true, true]);
      await nextTurn();
      expect(key.verify(DATA, sig, 'auto')).toBe(true); // the loop was released: a lone check again
    } finally {
      vi.useRealTimers();
    }
  });

  it.runIf(BURST === 'pool')(
    'while checks of ours wait on the pool, even the first check of a new turn goes there; once they are answered, a lone check is back on the loop',
    async () => {
      const { privateKey, jwk } = pair(es256);
      const key = await prepareKey(jwk, 'ES256', nodeCrypto);
      const sig = jwsSign(es256, privateKey, DATA);
      const es512 = CASES.find((x) => x.alg === 'ES512')!;
      const slowPair = pair(es512);
      const slowKey = await prepareKey(slowPair.jwk, 'ES512', nodeCrypto);
      const slowSig = jwsSign(es512, slowPair.privateKey, DATA);
      await nextTurn();

      // Sixteen ES512 checks (each ~1 ms, always on the pool) keep four threads busy for
      // milliseconds, far longer than the turn below takes.
      const slow = Array.from({ length: 16 }, () => slowKey.verify(DATA, slowSig, 'auto'));
      await nextTurn();
      const during = key.verify(DATA, sig, 'auto');
      expect(during).toBeInstanceOf(Promise);
      expect((await Promise.all([...slow, during])).every((ok) => ok === true)).toBe(true);

      await nextTurn();
      expect(key.verify(DATA, sig, 'auto')).toBe(true);
      const bad = Buffer.from(sig);
      bad[3]! ^= 1;
      await nextTurn();
      expect(key.verify(DATA, bad, 'auto')).toBe(false);
    },
  );

  it('sends the expensive algorithms (ES384, ES512) to the pool even when alone', async () => {
    for (const alg of ['ES384', 'ES512']) {
      const c = CASES.find((x) => x.alg === alg)!;
      const { privateKey, jwk } = pair(c);
      const key = await prepareKey(jwk, alg, nodeCrypto);
      await nextTurn();
      const result = key.verify(DATA, jwsSign(c, privateKey, DATA), 'auto');
      expect(result).toBeInstanceOf(Promise);
      expect(await result).toBe(true);
    }
  });
});
