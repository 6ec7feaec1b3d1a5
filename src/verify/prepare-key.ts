/**
 * Signature keys prepared once per JWK and algorithm. jose imports the JWK (its checks of `kty`,
 * `crv` and `alg` stay), then, where the runtime has `node:crypto`, the key becomes a `KeyObject`
 * with the algorithm's verify parameters fixed (RSASSA-PKCS1-v1_5; RSA-PSS with the digest-sized
 * salt of RFC 7518 §3.5; ECDSA with IEEE P1363 `r || s` signatures; EdDSA with no digest), checked
 * by `crypto.verify`, synchronously or on the libuv thread pool. Elsewhere (an edge runtime
 * without `node:crypto`) the WebCrypto `CryptoKey` is kept. The backend is chosen here, once per
 * key, never per request; the key's type, curve and size are checked again on the imported key.
 * @module
 */
import type * as NodeCryptoModule from 'node:crypto';
import type * as NodeOsModule from 'node:os';
import { importJWK, type JWK } from 'jose';
import { builtin, NODE_CRYPTO, type NodeCrypto } from '../lib/builtin.js';

/**
 * Where a signature is checked: `sync` on the event loop, `pool` on the libuv thread pool (the
 * callback form of `crypto.verify`), `auto` by load: for the algorithms whose check is cheap (RS*,
 * PS*, ES256, EdDSA) the first check of an event-loop turn runs on the loop and is answered at
 * once, and the rest of a burst go where {@link BURST} says (the pool, or on one core the loop
 * with answers after the turn); ES384 and ES512 always go to the pool. Without `node:crypto`,
 * WebCrypto decides.
 *
 * @example
 * ```ts
 * const offload: Offload = 'auto';
 * ```
 */
export type Offload = 'auto' | 'sync' | 'pool';

/** What this module reads of the runtime's globals (each may be missing). */
type Runtime = {
  process?: {
    versions?: Record<string, string | undefined>;
    env?: Record<string, string | undefined>;
  };
  navigator?: { userAgent?: string };
};
const RUNTIME = globalThis as Runtime;

interface AlgSpec {
  readonly kty: 'RSA' | 'EC' | 'OKP';
  /** The digest `crypto.verify` takes (`null` for EdDSA). */
  readonly hash: string | null;
  /** Accepted `asymmetricKeyType` (OKP) or `namedCurve` (EC) of the imported key. */
  readonly curves?: readonly string[];
  /** The same, as WebCrypto names them (`algorithm.namedCurve` or `algorithm.name`). */
  readonly webCurves?: readonly string[];
  /** RSA-PSS salt length in bytes. */
  readonly pss?: number;
  /** Whether `auto` checks it synchronously (the primitive well under 150 µs on a 2.6 GHz core). */
  readonly cheap: boolean;
  /** The WebCrypto verify parameters. */
  readonly web: (key: CryptoKey) => AlgorithmIdentifier | RsaPssParams | EcdsaParams;
}

const name = (n: string) => () => ({ name: n });
const ecdsa = (hash: string) => () => ({ name: 'ECDSA', hash });
const pss = (saltLength: number) => () => ({ name: 'RSA-PSS', saltLength });
const fromKey = (key: CryptoKey) => ({ name: key.algorithm.name });
const ec = (curve: string, webCurve: string) => ({ curves: [curve], webCurves: [webCurve] });
const okp = (names: readonly string[]) => ({ curves: names.map((n) => n.toLowerCase()), webCurves: names });

/** Every JWS algorithm with a prepared path; anything else is `unsupported_algorithm`. */
const ALGORITHMS: Readonly<Record<string, AlgSpec>> = {
  RS256: { kty: 'RSA', hash: 'sha256', cheap: true, web: name('RSASSA-PKCS1-v1_5') },
  RS384: { kty: 'RSA', hash: 'sha384', cheap: true, web: name('RSASSA-PKCS1-v1_5') },
  RS512: { kty: 'RSA', hash: 'sha512', cheap: true, web: name('RSASSA-PKCS1-v1_5') },
  PS256: { kty: 'RSA', hash: 'sha256', pss: 32, cheap: true, web: pss(32) },
  PS384: { kty: 'RSA', hash: 'sha384', pss: 48, cheap: true, web: pss(48) },
  PS512: { kty: 'RSA', hash: 'sha512', pss: 64, cheap: true, web: pss(64) },
  ES256: { kty: 'EC', hash: 'sha256', ...ec('prime256v1', 'P-256'), cheap: true, web: ecdsa('SHA-256') },
  ES384: { kty: 'EC', hash: 'sha384', ...ec('secp384r1', 'P-384'), cheap: false, web: ecdsa('SHA-384') },
  ES512: { kty: 'EC', hash: 'sha512', ...ec('secp521r1', 'P-521'), cheap: false, web: ecdsa('SHA-512') },
  Ed25519: { kty: 'OKP', hash: null, ...okp(['Ed25519']), cheap: true, web: fromKey },
  // jose 6 imports `EdDSA` keys as Ed25519 only.
  EdDSA: { kty: 'OKP', hash: null, ...okp(['Ed25519']), cheap: true, web: fromKey },
};

/**
 * Whether an algorithm has a prepared verification path.
 *
 * @example
 * ```ts
 * isPreparedAlgorithm('ES256'); // true
 * isPreparedAlgorithm('HS256'); // false
 * ```
 */
export function isPreparedAlgorithm(alg: string): boolean {
  return Object.hasOwn(ALGORITHMS, alg);
}

/**
 * A public key ready to check one algorithm's signatures. `verify` answers `true`/`false`
 * synchronously when the check ran on the event loop and is answered at once, otherwise a promise
 * of it (a check on the pool, or one whose answer waits for the end of the turn); it never throws
 * for a bad signature (a malformed one is simply not valid).
 *
 * @example
 * ```ts
 * const key = await prepareKey(jwk, 'ES256');
 * let ok = key.verify(signingInput, signature, 'auto');
 * if (typeof ok !== 'boolean') ok = await ok;
 * ```
 */
export interface PreparedKey {
  readonly alg: string;
  readonly backend: 'node' | 'webcrypto';
  verify(data: Uint8Array, signature: Uint8Array, offload: Offload): boolean | Promise<boolean>;
}

/**
 * Runs a callback once the current event-loop turn is over: in Node, after the I/O callbacks of
 * this iteration of the loop (the "check" phase). `node:timers` is read once, so a test's fake
 * timers (which replace the global `setImmediate`) cannot hold an answer back.
 */
const afterTurn: (callback: () => void) => unknown = (() => {
  const immediate =
    builtin<{ setImmediate?: (callback: () => void) => unknown }>('node:timers')?.setImmediate ??
    globalThis.setImmediate;
  const timeout = globalThis.setTimeout;
  return typeof immediate === 'function'
    ? (callback) => immediate(callback)
    : (callback) => timeout(callback, 0);
})();

/** Whether a check of this turn ran on the loop (see {@link claimLoop}). */
let loopClaimed = false;
/** The answers of this turn's checks made on the loop, given together once the turn is over. */
let dueAnswers: Array<(ok: boolean) => void> = [];
let dueResults: boolean[] = [];
let turnEndScheduled = false;
/** What is due once a turn is over, in one callback: the loop is free again, and the answers go out. */
const endTurn = () => {
  turnEndScheduled = false;
  loopClaimed = false;
  const answers = dueAnswers;
  const results = dueResults;
  dueAnswers = [];
  dueResults = [];
  for (let i = 0; i < answers.length; i++) answers[i]!(results[i]!);
};
function atTurnEnd(): void {
  if (turnEndScheduled) return;
  turnEndScheduled = true;
  afterTurn(endTurn);
}
/** Gives `ok` to `answer` after the turn, with the other answers due then. */
function answerAfterTurn(answer: (ok: boolean) => void, ok: boolean): void {
  dueAnswers.push(answer);
  dueResults.push(ok);
  atTurnEnd();
}
/** Checks of ours whose answer is still to come (on the pool, or waiting for the end of a turn). */
let pending = 0;

/**
 * `auto`'s reading of the load: true (check on the loop, answer now) for the first cheap check of
 * an event-loop turn when no check of ours is pending; false (a burst: see {@link BURST}) for the
 * other checks of that turn and for any check while earlier ones are pending. A lone request,
 * the common case, pays no thread hop and no wait. The state is the process's, because the event
 * loop and the pool are. A token without `kid` checked against several keys claims the loop for
 * its first key only.
 */
function claimLoop(): boolean {
  if (loopClaimed || pending > 0) return false;
  loopClaimed = true;
  atTurnEnd();
  return true;
}

/**
 * Where `auto` sends the checks of a burst, decided once per process. `pool` when the process
 * may run on two cores or more (`os.availableParallelism()`, which honours CPU affinity) and the
 * runtime's pool is a real thread pool (Node, Bun): the pool verifies on the other cores while
 * the loop goes on parsing and answering. Otherwise `deferred`: the check runs on the loop and
 * its answer is given after the turn. On one core, pool threads only take turns with the loop and
 * their hand-off is pure cost; answering after the turn keeps what the pool gave, the answers of
 * a burst leaving together, which costs fewer system calls and wake-ups than answering each
 * request alone. The price: an early answer of a burst waits until the burst is checked. Deno's
 * and workerd's callback `crypto.verify` checks on the loop anyway, so they get `deferred` too.
 * On Node before 22 (libuv before 1.49), a container's CPU quota is not seen: a one-CPU container
 * on a larger host gets `pool`. Measured in test/bench/RESULTS.md.
 *
 * @example
 * ```ts
 * BURST; // 'pool' on Node with two or more cores available to the process
 * ```
 */
export const BURST: 'pool' | 'deferred' = (() => {
  const versions = RUNTIME.process?.versions ?? {};
  const threadPool =
    versions.node !== undefined &&
    versions.deno === undefined &&
    RUNTIME.navigator?.userAgent !== 'Cloudflare-Workers';
  const os = threadPool ? builtin<typeof NodeOsModule>('node:os') : null;
  return (os?.availableParallelism?.() ?? 1) > 1 ? 'pool' : 'deferred';
})();

/**
 * At most this many of our checks wait on the pool at once (64 per pool thread: 256 by default,
 * a few milliseconds of work); beyond, a burst's checks are made on the loop and answered after
 * the turn. A flood then slows the loop's intake instead of queueing without bound, and what else
 * needs the pool (DNS lookups of a key-set refresh, file reads) waits behind a bounded queue.
 * The bound is wide on purpose: a queue of a few per thread leaves the threads idle while the
 * loop checks the rest (measured: below `sync` with 32 checks in flight on two cores).
 */
const POOL_QUEUE = 64 * poolThreads();

/** `UV_THREADPOOL_SIZE`, or libuv's default 4 (also where reading the environment is not allowed, as in Deno without `--allow-env`). */
function poolThreads(): number {
  try {
    return Number(RUNTIME.process?.env?.UV_THREADPOOL_SIZE) || 4;
  } catch {
    return 4;
  }
}

/**
 * A check answered later: `start` gets `answer`, which settles the promise once (a second call,
 * as from a runtime that calls back twice, is ignored); the check counts as pending from the
 * start until then. A `start` that throws answers `false`.
 */
function answerLater(start: (answer: (ok: boolean) => void) => void): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let answered = false;
    const answer = (ok: boolean) => {
      if (answered) return;
      answered = true;
      pending--;
      resolve(ok);
    };
    pending++;
    try {
      start(answer);
    } catch {
      answer(false);
    }
  });
}

/** The imported key is of the type, curve and size the algorithm signs with (else throws). */
function assertKeyFits(key: NodeCryptoModule.KeyObject, alg: string, spec: AlgSpec): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  const fits =
    key.type === 'public' &&
    (spec.kty === 'RSA'
      ? type === 'rsa' && (details.modulusLength ?? 0) >= 2048
      : spec.kty === 'EC'
        ? type === 'ec' && spec.curves!.includes(details.namedCurve ?? '')
        : type !== undefined && spec.curves!.includes(type));
  if (!fits) throw new TypeError(`the key does not fit ${alg}`);
}

function nodeKey(crypto: NodeCrypto, imported: CryptoKey, alg: string, spec: AlgSpec): PreparedKey {
  const key = crypto.KeyObject.from(imported);
  assertKeyFits(key, alg, spec);
  const { constants } = crypto;
  const input =
    spec.kty === 'EC'
      ? { key, dsaEncoding: 'ieee-p1363' as const }
      : spec.pss !== undefined
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: spec.pss }
        : spec.kty === 'RSA'
          ? { key, padding: constants.RSA_PKCS1_PADDING }
          : key;
  const { hash } = spec;
  const checkSync = (data: Uint8Array, signature: Uint8Array): boolean => {
    try {
      return crypto.verify(hash, data, input, signature);
    } catch {
      return false;
    }
  };
  return {
    alg,
    backend: 'node',
    verify(data, signature, offload) {
      if (offload === 'sync') return checkSync(data, signature);
      if (offload === 'auto' && spec.cheap) {
        if (claimLoop()) return checkSync(data, signature);
        if (BURST === 'deferred' || pending >= POOL_QUEUE) {
          const ok = checkSync(data, signature);
          return answerLater((answer) => answerAfterTurn(answer, ok));
        }
      }
      return answerLater((answer) =>
        crypto.verify(hash, data, input, signature, (err, ok) => answer(!err && ok)),
      );
    },
  };
}

function webKey(imported: CryptoKey, alg: string, spec: AlgSpec): PreparedKey {
  const algorithm = imported.algorithm as Partial<RsaHashedKeyAlgorithm & EcKeyAlgorithm>;
  const fits =
    imported.type === 'public' &&
    (spec.kty === 'RSA'
      ? (algorithm.modulusLength ?? 0) >= 2048
      : spec.webCurves!.includes((spec.kty === 'EC' ? algorithm.namedCurve : algorithm.name) ?? ''));
  if (!fits) throw new TypeError(`the key does not fit ${alg}`);
  const params = spec.web(imported);
  return {
    alg,
    backend: 'webcrypto',
    verify(data, signature) {
      return crypto.subtle
        .verify(params, imported, signature as BufferSource, data as BufferSource)
        .catch(() => false);
    },
  };
}

/**
 * Imports a public JWK for one algorithm (jose checks it fits `alg`) and prepares it, on
 * `node:crypto` when there is one, else on WebCrypto (`nodeCrypto: null` forces WebCrypto).
 *
 * @example
 * ```ts
 * const key = await prepareKey({ kty: 'EC', crv: 'P-256', x, y }, 'ES256');
 * key.backend; // 'node' on Node.js
 * ```
 * @throws {TypeError} when the algorithm has no prepared path or the key does not fit it
 * @throws jose's errors when the JWK cannot be imported for `alg`
 */
export async function prepareKey(
  jwk: JWK,
  alg: string,
  nodeCrypto: NodeCrypto | null = NODE_CRYPTO,
): Promise<PreparedKey> {
  const spec = Object.hasOwn(ALGORITHMS, alg) ? ALGORITHMS[alg]! : undefined;
  if (!spec || jwk.kty !== spec.kty) throw new TypeError(`no prepared path for ${alg} with this key`);
  const imported = await importJWK({ ...jwk, alg }, alg);
  if (!(imported instanceof CryptoKey)) throw new TypeError('not an asymmetric key');
  return nodeCrypto ? nodeKey(nodeCrypto, imported, alg, spec) : webKey(imported, alg, spec);
}
