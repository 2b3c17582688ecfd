import fixture from '../../fixtures/drift-special.json';
import { betaBinomialSf, chiSquareSf, logGamma, normalSf } from './special';
import { kolmogorovSf } from './kolmogorov-distribution';
import { expectClose } from './fixtures';

// Expected values: scipy 1.17 (scipy.special.gammaln, scipy.stats.chi2.sf,
// scipy.stats.norm.sf, scipy.stats.kstwo.sf), from tools/fixtures/gen_drift_fixtures.py.
describe('special functions against scipy', () => {
  it.each(fixture.gammaln)('gammaln($x)', ({ x, value }) => {
    expectClose(logGamma(x), value, 1e-13, `gammaln(${x})`);
  });

  it.each(fixture.chi2Sf)('chi2.sf($x, $df)', ({ x, df, sf }) => {
    // p-values: 1e-12 absolute, and 1e-9 relative in the far tail.
    const got = chiSquareSf(x, df);
    expect(Math.abs(got - sf)).toBeLessThanOrEqual(Math.max(1e-12, 1e-9 * sf));
  });

  it.each(fixture.normSf)('norm.sf($z)', ({ z, sf }) => {
    const got = normalSf(z);
    expect(Math.abs(got - sf)).toBeLessThanOrEqual(Math.max(1e-15, 1e-10 * sf));
  });

  it.each(fixture.kstwoSf)('kstwo.sf($x, $n)', ({ n, x, sf }) => {
    // kstwo is the asymptotic branch of ks_2samp; 1e-9 absolute, far below the 1e-6 asked of p-values.
    expect(Math.abs(kolmogorovSf(n, x) - sf)).toBeLessThanOrEqual(Math.max(1e-9 * sf, 1e-12));
  });
});

describe('betaBinomialSf', () => {
  it('matches hand-computed beta-binomial tails on both branches', () => {
    // BetaBinomial(7, 2, 9): P(0) = B(2, 16)/B(2, 9) = (1/272)/(1/90) = 45/136,
    // P(1) = 7·B(3, 15)/B(2, 9) = 7·(2/4080)·90 = 42/136 (lower branch: 1 − P(K < k)).
    expect(betaBinomialSf(1, 7, 2, 9)).toBeCloseTo(91 / 136, 13);
    expect(betaBinomialSf(2, 7, 2, 9)).toBeCloseTo(49 / 136, 13);
    // BetaBinomial(n, 1, 1) is uniform on 0..n: P(K ≥ k) = (n − k + 1)/(n + 1) (upper branch: k > n/2).
    expect(betaBinomialSf(400, 500, 1, 1)).toBeCloseTo(101 / 501, 12);
    expect(betaBinomialSf(0, 5, 2, 3)).toBe(1);
    expect(betaBinomialSf(6, 5, 2, 3)).toBe(0);
  });
});
