import fixture from '../../fixtures/drift-special.json';
import { chiSquareSf, logGamma, normalSf } from './special';
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
