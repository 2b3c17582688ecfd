import fixture from '../../fixtures/multiple-testing.json';
import { computeDatasetDrift } from './column-drift';
import { adjustPValues } from './multiple-testing';
import { NumericSummary } from './summary';

// Expected values: statsmodels 0.15.0 multipletests (fdr_bh, holm) at α = 0.05, BH
// cross-checked against scipy 1.17.1 stats.false_discovery_control to 1e-15, by
// tools/fixtures/gen_multiple_testing_fixtures.py. Tolerance 1e-15 absolute (the same
// products and minima in double precision; only the order of ties can differ).
describe.each(fixture.cases)('$name', (c) => {
  it.each([
    ['bh', c.bh, c.bhReject],
    ['holm', c.holm, c.holmReject],
  ] as const)('%s matches statsmodels', (method, expected, reject) => {
    const adjusted = adjustPValues(c.pValues, method);
    adjusted.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThanOrEqual(1e-15));
    // statsmodels rejects at p̃ ≤ α, Vigil at p̃ < α: they agree off the boundary.
    adjusted.forEach((p, i) => {
      if (p !== fixture.alpha) expect(p < fixture.alpha).toBe(reject[i]);
    });
  });
});

describe('adjustPValues', () => {
  it('none leaves the p-values as they are', () => {
    expect(adjustPValues([0.2, 0.01], 'none')).toEqual([0.2, 0.01]);
  });

  it('an empty family stays empty', () => {
    expect(adjustPValues([], 'bh')).toEqual([]);
  });

  it('refuses a p-value outside [0, 1]', () => {
    expect(() => adjustPValues([0.5, Number.NaN], 'holm')).toThrow(RangeError);
    expect(() => adjustPValues([1.5], 'bh')).toThrow(RangeError);
  });
});

describe('computeDatasetDrift with a correction', () => {
  const base = [1, 2, 3, 4, 5, 6, 7, 8];
  const shiftedBy = (k: number) => NumericSummary.of(base.map((x) => x + k));
  const ref = { a: NumericSummary.of(base), b: NumericSummary.of(base), c: NumericSummary.of(base), d: NumericSummary.of(base) };
  // KS exact p on 8 vs 8 (scipy 1.17.1 ks_2samp): shift 10 → 2/12870 = 1.554e-4, shift 6 → 0.018648; identical → 1.
  const cur = { a: shiftedBy(10), b: shiftedBy(6), c: NumericSummary.of(base), d: NumericSummary.of(base) };

  it('none: both shifted columns drift (share 2/4 ≥ 0.5)', () => {
    const d = computeDatasetDrift(ref, cur);
    expect(d.correction).toBe('none');
    expect(d.columns.map((c) => c.drifted)).toEqual([true, true, false, false]);
    expect(d.columns[1].adjustedPValue).toBe(d.columns[1].pValue);
    expect(d.datasetDrift).toBe(true);
  });

  it('holm: b is adjusted to 3 × 0.018648 = 0.05594 ≥ 0.05, so only a drifts (share 1/4)', () => {
    // statsmodels multipletests(holm): [6.216e-4, 0.055944, 1, 1].
    const d = computeDatasetDrift(ref, cur, { correction: 'holm' });
    expect(d.columns[0].adjustedPValue).toBeCloseTo((4 * 2) / 12870, 15);
    expect(d.columns[1].adjustedPValue).toBeCloseTo(3 * 0.018648018648018645, 12);
    expect(d.columns.map((c) => c.drifted)).toEqual([true, false, false, false]);
    expect(d.datasetDrift).toBe(false);
  });

  it('bh: b is adjusted to 4 × 0.018648 / 2 = 0.0373 < 0.05 and still drifts', () => {
    // statsmodels multipletests(fdr_bh): [6.216e-4, 0.037296, 1, 1].
    const d = computeDatasetDrift(ref, cur, { correction: 'bh' });
    expect(d.columns[1].adjustedPValue).toBeCloseTo(2 * 0.018648018648018645, 12);
    expect(d.columns.map((c) => c.drifted)).toEqual([true, true, false, false]);
    expect(d.datasetDrift).toBe(true);
  });

  it('leaves distance criteria out of the family', () => {
    const d = computeDatasetDrift(ref, cur, { correction: 'holm', columns: { b: { test: 'wasserstein' } } });
    // Family = a, c, d (m = 3): a adjusted 3 × 2/12870; b decided on its Wasserstein distance.
    expect(d.columns[0].adjustedPValue).toBeCloseTo((3 * 2) / 12870, 15);
    expect(d.columns[1].adjustedPValue).toBeNull();
    expect(d.columns[1].drifted).toBe(true);
  });
});
