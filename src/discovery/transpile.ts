import { DiscoveryError } from '../errors.js';
import { applyMergePatch } from '../lib/merge-patch.js';
import type { RawMetadata, TranspileFunction } from '../manifest/schema.js';

/** A transpile hook: a JSON Merge Patch object or a (sync or async) function. */
export type Transpile = RawMetadata | TranspileFunction;

/**
 * Applies a transpile hook to a raw (snake_case) metadata document, before validation.
 * A hook that throws, or returns something other than an object, is a `transpile_failed` error
 * naming the issuer (the hook's own error is kept as `cause`, not in the message).
 */
export async function applyTranspile(
  document: RawMetadata,
  transpile: Transpile | undefined,
  issuerId: string,
): Promise<RawMetadata> {
  if (transpile === undefined) return document;
  let result: unknown;
  if (typeof transpile === 'function') {
    try {
      // Give the hook a copy: it may mutate what it receives.
      result = await transpile(structuredClone(document));
    } catch (err) {
      throw new DiscoveryError('transpile_failed', `the transpile hook of issuer "${issuerId}" threw`, {
        issuerId,
        cause: err,
      });
    }
  } else {
    result = applyMergePatch(document, transpile);
  }
  if (!result || typeof result !== 'object' || Array.isArray(result)) {
    throw new DiscoveryError(
      'transpile_failed',
      `the transpile hook of issuer "${issuerId}" did not return an object`,
      { issuerId },
    );
  }
  return result as RawMetadata;
}
