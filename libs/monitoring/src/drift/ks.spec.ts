import fixture from '../../fixtures/drift-ks.json';
import { getDriftTest } from './registry';
import { NumericSummary } from './summary';

// Expected values: scipy.stats.ks_2samp(ref, cur, method='auto') (scipy 1.17),
// written by tools/fixtures/gen_drift_fixtures.py.
describe('KS against scipy.stats.ks_2samp', () => {
  const ks = getDriftTest('ks');
  it.each(fixture.cases)('$name ($method)', (c) => {
    const out = ks.compute(NumericSummary.of(c.reference, { capacity: 20000 }), NumericSummary.of(c.current, { capacity: 20000 }));
    expect(out.approximate).toBe(false);
    expect(Math.abs(out.statistic - c.statistic)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs((out.pValue as number) - c.pValue)).toBeLessThanOrEqual(1e-6);
    // Small p-values are where drift is decided: also relative 1e-6 there.
    expect(Math.abs((out.pValue as number) - c.pValue)).toBeLessThanOrEqual(Math.max(1e-12, 1e-6 * c.pValue));
    expect(out.details?.method).toBe(c.method);
  });
});
