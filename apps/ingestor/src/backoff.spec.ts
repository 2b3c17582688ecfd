import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('doubles from the initial delay and is capped', () => {
    // 500 · 2^n: 500, 1000, 2000, 4000, 8000, then the 10 000 cap.
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 500, 10_000))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    // Huge attempt counts do not overflow to Infinity/NaN.
    expect(backoffDelay(5_000, 500, 10_000)).toBe(10_000);
  });
});
