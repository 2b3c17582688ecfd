/**
 * Approximation error of the sketch (default capacity 2048) against scipy on the
 * raw samples, for large n. Samples are regenerated here from mulberry32 exactly
 * as tools/fixtures/gen_drift_fixtures.py does (bit-identical: only + − × ÷ on
 * 32-bit integers), so only the expected values are stored.
 *
 * Measured at capacity 2048 (capacity 8192 in brackets), asserted with headroom:
 *   KS D: ≤ 3.4e-4 absolute [8e-5]; the p-value is the exact function of that D
 *     (e.g. 4.5e-11 vs scipy 9.1e-11; 0.890 vs 0.961 at D = 0.00225);
 *   Wasserstein (normed): ≤ 2% relative on light tails [0.1%], 4.9% on the
 *     Pareto-like tail (tail centroids average values far apart) [0.9%];
 *   PSI / Jensen–Shannon / Hellinger on Sturges bins: ≤ 2.1e-3 absolute
 *     (worst on the heavy tail, where almost all mass sits in the first bin).
 */
import fixture from '../../fixtures/drift-large.json';
import { ks2SampPValue } from './ks-distribution';
import { getDriftTest } from './registry';
import { NumericSummary } from './summary';
import { largeSample } from './fixtures';

describe.each(fixture.cases)('sketch vs scipy, $shape, n = $referenceN / $currentN', (c) => {
  let ref: NumericSummary;
  let cur: NumericSummary;
  beforeAll(() => {
    const r = largeSample(c.referenceSeed, c.referenceN, c.shape, 0);
    expect(Array.from(r.subarray(0, 3))).toEqual(c.firstValues); // same PRNG as Python
    ref = NumericSummary.of(r);
    cur = NumericSummary.of(largeSample(c.currentSeed, c.currentN, c.shape, c.shift));
    expect(ref.exact).toBe(false);
  });

  it('KS statistic within 1e-3, p-value consistent with that error', () => {
    const out = getDriftTest('ks').compute(ref, cur);
    const e = c.expected.ks;
    expect(out.approximate).toBe(true);
    expect(Math.abs(out.statistic - e.statistic)).toBeLessThan(1e-3);
    const lo = ks2SampPValue(c.referenceN, c.currentN, e.statistic + 1e-3).pValue;
    const hi = ks2SampPValue(c.referenceN, c.currentN, Math.max(0, e.statistic - 1e-3)).pValue;
    expect(out.pValue).toBeGreaterThanOrEqual(lo);
    expect(out.pValue).toBeLessThanOrEqual(hi);
  });

  it('Wasserstein (normed) within 6% relative (2% without the heavy tail)', () => {
    const out = getDriftTest('wasserstein').compute(ref, cur);
    const e = c.expected.wasserstein.statistic;
    const tol = c.shape === 'pareto-like' ? 0.06 : 0.02;
    expect(Math.abs(out.statistic - e)).toBeLessThanOrEqual(tol * e + 1e-6);
  });

  it.each(['psi', 'jensenshannon', 'hellinger'])('%s within 5e-3', (name) => {
    const out = getDriftTest(name).compute(ref, cur);
    const e = (c.expected as Record<string, { statistic: number }>)[name].statistic;
    expect(Math.abs(out.statistic - e)).toBeLessThan(5e-3);
  });
});
