/**
 * What a promise rejects with, for tests of typed errors.
 */
import { expect } from 'vitest';

/**
 * The error `promise` rejects with, asserted to be an instance of `type`: the test fails if the
 * promise resolves or rejects with anything else.
 */
export async function rejection<E>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as E;
}
