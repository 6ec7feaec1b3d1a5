/**
 * `settings.verify.offload`: where signatures are checked, end to end over HTTP. `sync` calls
 * `crypto.verify` without a callback (on the event loop), `pool` with one (the libuv thread
 * pool), `auto` synchronously for a lone ES256 request (where a burst goes is
 * `prepare-key.test.ts`'s); every mode still refuses a forged signature.
 */
import nodeCrypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectAccepted, expectRefused, harness } from './harness.js';
import { ISSUER, RESOURCE } from '../support/constants.js';
import { claims } from '../support/tokens.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('settings.verify.offload', () => {
  it.each([
    ['sync', 'on the event loop', false],
    ['pool', 'on the thread pool', true],
    ['auto', 'on the event loop', false],
  ] as const)('%s: an ES256 signature is checked %s', async (offload, _where, withCallback) => {
    const h = await harness({ settings: { verify: { offload }, cache: { maxEntries: 0 } } });
    const verify = vi.spyOn(nodeCrypto, 'verify');
    try {
      expectAccepted(await h.call(h.token({}, { alg: 'ES256' })));
      expect(verify).toHaveBeenCalledTimes(1);
      expect(typeof verify.mock.calls[0]![4]).toBe(withCallback ? 'function' : 'undefined');
      const [header, , sig] = h.token({}, { alg: 'ES256' }).split('.');
      const payload = Buffer.from(JSON.stringify(claims(ISSUER, RESOURCE, { scope: 'admin' }))).toString(
        'base64url',
      );
      expectRefused(await h.call(`${header}.${payload}.${sig}`), {
        status: 401,
        error: 'invalid_token',
        reason: 'signature',
      });
    } finally {
      await h.close();
    }
  });
});
