import { twoProportionZTest } from './z-test';

describe('twoProportionZTest', () => {
  it('matches a hand computation', () => {
    // Baseline 180/200 = 0.90, candidate 170/200 = 0.85.
    // pooled p = 350/400 = 0.875; SE = sqrt(0.875 × 0.125 × (1/200 + 1/200)) = sqrt(0.00109375) = 0.0330719;
    // z = 0.05 / 0.0330719 = 1.511858; p = erfc(1.511858/√2)/2 = 0.065285 (python: 0.5*math.erfc(z/math.sqrt(2))).
    const test = twoProportionZTest({ successes: 180, trials: 200 }, { successes: 170, trials: 200 });
    expect(test.baselineRate).toBe(0.9);
    expect(test.candidateRate).toBe(0.85);
    expect(test.drop).toBeCloseTo(0.05, 12);
    expect(test.z).toBeCloseTo(1.511858, 5);
    expect(test.pValue).toBeCloseTo(0.065285, 5);
  });

  it('gives a tiny p-value for a clear drop on unequal samples', () => {
    // 360/400 = 0.90 vs 240/300 = 0.80; pooled 600/700 = 0.857143;
    // SE = sqrt(0.857143 × 0.142857 × (1/400 + 1/300)) = 0.0267261; z = 0.1 / 0.0267261 = 3.741657;
    // p = 9.1405e-5 (python, as above).
    const test = twoProportionZTest({ successes: 360, trials: 400 }, { successes: 240, trials: 300 });
    expect(test.z).toBeCloseTo(3.741657, 5);
    expect(test.pValue).toBeCloseTo(9.1405e-5, 8);
  });

  it('is symmetric around zero: a better candidate has p > 0.5', () => {
    const test = twoProportionZTest({ successes: 170, trials: 200 }, { successes: 180, trials: 200 });
    expect(test.z).toBeCloseTo(-1.511858, 5);
    expect(test.pValue).toBeCloseTo(1 - 0.065285, 5);
  });

  it('treats two perfect samples as no evidence and refuses empty ones', () => {
    expect(twoProportionZTest({ successes: 50, trials: 50 }, { successes: 80, trials: 80 })).toMatchObject({ z: 0, pValue: 0.5 });
    expect(() => twoProportionZTest({ successes: 0, trials: 0 }, { successes: 1, trials: 1 })).toThrow(RangeError);
  });
});
