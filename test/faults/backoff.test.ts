/**
 * The one retry backoff (issuer metadata and key sets alike): it starts at its floor, doubles,
 * stops at its cap, and its jitter never goes below the floor. The random source is passed in,
 * so the bounds are checked exactly.
 */
import { describe, expect, it } from 'vitest';

import { BACKOFF_DEFAULTS, retryDelayMs } from '../../src/lib/backoff.js';

const low = () => 0;
const high = () => 1;

describe('retryDelayMs', () => {
  it('waits exactly the floor after the first failure, whatever the jitter', () => {
    expect(retryDelayMs(1, BACKOFF_DEFAULTS, low)).toBe(1000);
    expect(retryDelayMs(1, BACKOFF_DEFAULTS, high)).toBe(1000);
  });

  it('doubles the step per failure and jitters within its upper half', () => {
    expect(retryDelayMs(2, BACKOFF_DEFAULTS, low)).toBe(1000);
    expect(retryDelayMs(2, BACKOFF_DEFAULTS, high)).toBe(2000);
    expect(retryDelayMs(4, BACKOFF_DEFAULTS, low)).toBe(4000);
    expect(retryDelayMs(4, BACKOFF_DEFAULTS, high)).toBe(8000);
  });

  it('stops growing at the cap, even after very many failures', () => {
    expect(retryDelayMs(10, BACKOFF_DEFAULTS, high)).toBe(60_000);
    expect(retryDelayMs(10_000, BACKOFF_DEFAULTS, high)).toBe(60_000);
    expect(retryDelayMs(10_000, BACKOFF_DEFAULTS, low)).toBe(30_000);
  });

  it('never goes below the floor, also with a cap under it or no failure counted', () => {
    expect(retryDelayMs(0, { minMs: 500, maxMs: 60_000 }, low)).toBe(500);
    expect(retryDelayMs(3, { minMs: 500, maxMs: 100 }, low)).toBe(500);
  });
});
