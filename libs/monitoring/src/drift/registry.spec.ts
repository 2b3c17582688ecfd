import { computeColumnDrift, computeDatasetDrift } from './column-drift';
import { DriftTestColumnKindError, UnknownDriftTestError, getDriftTest, listDriftTests } from './registry';
import { CategoricalSummary, NumericSummary } from './summary';

describe('drift test registry', () => {
  it('declares each test once with Evidently default thresholds', () => {
    // Evidently 0.7 defaults: KS/chi2/Z p < 0.05; Wasserstein, JS, PSI, Hellinger 0.1.
    const table = Object.fromEntries(listDriftTests().map((t) => [t.name, [t.defaultThreshold, t.criterion]]));
    expect(table).toEqual({
      ks: [0.05, 'p-value<threshold'],
      chisquare: [0.05, 'p-value<threshold'],
      z: [0.05, 'p-value<threshold'],
      wasserstein: [0.1, 'statistic>=threshold'],
      jensenshannon: [0.1, 'statistic>=threshold'],
      psi: [0.1, 'statistic>=threshold'],
      hellinger: [0.1, 'statistic>=threshold'],
    });
  });

  it('rejects unknown tests and tests of the wrong column kind', () => {
    expect(() => getDriftTest('nope')).toThrow(UnknownDriftTestError);
    expect(() => getDriftTest('ks', 'categorical')).toThrow(DriftTestColumnKindError);
  });
});

describe('column and dataset drift', () => {
  const same = NumericSummary.of([1, 2, 3, 4, 5, 6, 7, 8]);
  const shifted = NumericSummary.of([11, 12, 13, 14, 15, 16, 17, 18]);

  it('applies per-column test and threshold overrides', () => {
    const r = computeColumnDrift('x', same, same, { test: 'psi', threshold: 0.2 });
    expect([r.test, r.threshold, r.statistic, r.drifted]).toEqual(['psi', 0.2, 0, false]);
  });

  it('reports empty or absent current data instead of failing', () => {
    const r = computeColumnDrift('x', same, new NumericSummary());
    expect([r.status, r.statistic, r.drifted]).toEqual(['empty-current', null, false]);
    expect(computeColumnDrift('x', same, undefined).status).toBe('missing-in-current');
  });

  it('decides dataset drift on the share of drifted columns (default 0.5, inclusive)', () => {
    const ref = { a: same, b: same, c: CategoricalSummary.of(['u', 'v']) };
    // ks on 8 vs 8 disjoint samples: D = 1, exact p = 2/C(16,8) = 1.554e-4 (hand: 2/12870).
    const cur = { a: shifted, b: same, c: CategoricalSummary.of(['u', 'v']) };
    const d = computeDatasetDrift(ref, cur);
    expect(d.columns[0].pValue).toBeCloseTo(2 / 12870, 12);
    expect(d.numberOfDriftedColumns).toBe(1);
    expect(d.shareOfDriftedColumns).toBeCloseTo(1 / 3, 15);
    expect(d.datasetDrift).toBe(false);
    expect(computeDatasetDrift(ref, cur, { driftShareThreshold: 1 / 3 }).datasetDrift).toBe(true);
  });
});
