import { normalSf } from '../drift/special';
import { pooledProportionZ, twoProportionZTest } from './two-proportion-z-test';

/** |actual / expected − 1|: the tail spans 16 orders of magnitude, so compare relatively. */
const relativeError = (actual: number, expected: number) => Math.abs(actual / expected - 1);

describe('the normal tail (one for the whole project)', () => {
  // Reference values: scipy 1.17.1, `scipy.stats.norm.sf(z)`, printed with repr().
  it.each([
    [0, 0.5],
    [1, 0.15865525393145707],
    [1.959963984540054, 0.025],
    [3, 0.0013498980316300933],
    [5, 2.866515718791933e-7],
    [8, 6.22096057427174e-16],
    [-1, 0.8413447460685429],
  ])('normalSf(%p) = scipy.stats.norm.sf = %p to 1e-12 relative', (z, expected) => {
    expect(relativeError(normalSf(z), expected)).toBeLessThan(1e-12);
  });
});

describe('twoProportionZTest (one-sided, pooled)', () => {
  it('matches a hand computation and scipy', () => {
    // Baseline 180/200 = 0.90, candidate 170/200 = 0.85.
    // pooled p = 350/400 = 0.875; SE = sqrt(0.875 × 0.125 × (1/200 + 1/200)) = sqrt(0.00109375) = 0.0330719;
    // z = 0.05 / 0.0330719 = 1.5118578920369088; p = scipy.stats.norm.sf(z) = 0.0652850090578681 (scipy 1.17.1).
    const test = twoProportionZTest({ successes: 180, trials: 200 }, { successes: 170, trials: 200 });
    expect(test.baselineRate).toBe(0.9);
    expect(test.candidateRate).toBe(0.85);
    expect(test.drop).toBeCloseTo(0.05, 12);
    expect(test.z).toBeCloseTo(1.5118578920369088, 12);
    expect(relativeError(test.pValue, 0.0652850090578681)).toBeLessThan(1e-12);
  });

  it('gives a tiny p-value for a clear drop on unequal samples', () => {
    // 360/400 = 0.90 vs 240/300 = 0.80; pooled 600/700 = 0.857143;
    // SE = sqrt(0.857143 × 0.142857 × (1/400 + 1/300)) = 0.0267261; z = 0.1 / 0.0267261 = 3.741657386773942;
    // p = scipy.stats.norm.sf(z) = 9.140531649091725e-05 (scipy 1.17.1).
    const test = twoProportionZTest({ successes: 360, trials: 400 }, { successes: 240, trials: 300 });
    expect(test.z).toBeCloseTo(3.741657386773942, 12);
    expect(relativeError(test.pValue, 9.140531649091725e-5)).toBeLessThan(1e-12);
  });

  it('is symmetric around zero: a better candidate has p > 0.5', () => {
    // 1 − 0.0652850090578681: the same samples swapped (scipy.stats.norm.sf(−z) = 0.934714990942132).
    const test = twoProportionZTest({ successes: 170, trials: 200 }, { successes: 180, trials: 200 });
    expect(test.z).toBeCloseTo(-1.5118578920369088, 12);
    expect(test.pValue).toBeCloseTo(0.934714990942132, 12);
  });

  it('treats two perfect samples as no evidence and refuses empty ones', () => {
    expect(twoProportionZTest({ successes: 50, trials: 50 }, { successes: 80, trials: 80 })).toMatchObject({ z: 0, pValue: 0.5 });
    expect(pooledProportionZ({ successes: 0, trials: 10 }, { successes: 0, trials: 20 })).toBe(0);
    expect(() => twoProportionZTest({ successes: 0, trials: 0 }, { successes: 1, trials: 1 })).toThrow(RangeError);
  });
});
