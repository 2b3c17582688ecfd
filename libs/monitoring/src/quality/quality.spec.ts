import { CategoricalSummary, NumericSummary } from '../drift/summary';
import { computeColumnQuality, computeDataQuality } from './quality';

const metric = (r: ReturnType<typeof computeColumnQuality>, name: string) => r.metrics.find((m) => m.name === name);

describe('data quality', () => {
  it('numeric: missing, type mismatches and out-of-range against the reference min/max', () => {
    const ref = NumericSummary.of([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // 10 rows: 2 missing, 1 string, 7 numbers of which -1 and 12 are outside [0, 9].
    const cur = NumericSummary.of([null, NaN, 'n/a', -1, 0, 3, 5, 9, 9, 12]);
    const r = computeColumnQuality('age', ref, cur);
    expect(metric(r, 'missing_rate')).toMatchObject({ value: 2 / 10, breached: true });
    expect(metric(r, 'type_mismatch_rate')).toMatchObject({ value: 1 / 10, breached: true });
    // 2 of 7 outside a 10-row reference's range is not significant: with no change the count is
    // BetaBinomial(7, 2, 9) (quality.ts), P(K ≥ 2) = 1 − 45/136 − 42/136 = 49/136.
    expect(metric(r, 'out_of_range_rate')).toMatchObject({ value: 2 / 7, breached: false, approximate: false });
    expect(metric(r, 'out_of_range_rate')?.details?.pValue).toBeCloseTo(49 / 136, 13);
    expect(metric(r, 'constant')).toMatchObject({ value: 0, breached: false });
    expect(r.breached).toBe(true);
  });

  it('numeric: out-of-range breaches only when the count is unlikely under no change', () => {
    // Reference 0..999 (m = 1000): with no change a window of n = 500 has on average
    // 500·2/1001 ≈ 1 value outside [0, 999]. P(K ≥ k) for BetaBinomial(500, 2, 999), summed
    // in Python with math.lgamma: k = 10 → 1.229e-4, k = 11 → 4.397e-5.
    const ref = NumericSummary.of(Array.from({ length: 1000 }, (_, i) => i));
    const window = (outside: number) => [...Array.from({ length: 500 - outside }, (_, i) => i + 0.5), ...Array.from({ length: outside }, (_, i) => 1000 + i)];
    const eleven = computeColumnQuality('x', ref, NumericSummary.of(window(11)));
    expect(metric(eleven, 'out_of_range_rate')).toMatchObject({ value: 11 / 500, breached: true });
    expect(metric(eleven, 'out_of_range_rate')?.details?.pValue).toBeCloseTo(4.396936927298647e-5, 15);
    // 10 outside (2 %, twice the 1 % threshold) is still what a narrow reference range gives by chance.
    const ten = computeColumnQuality('x', ref, NumericSummary.of(window(10)));
    expect(metric(ten, 'out_of_range_rate')).toMatchObject({ value: 10 / 500, breached: false });
    expect(metric(ten, 'out_of_range_rate')?.details?.pValue).toBeCloseTo(1.2292528295707145e-4, 14);
  });

  it('numeric: range from reference quantiles', () => {
    const ref = NumericSummary.of(Array.from({ length: 100 }, (_, i) => i)); // 0..99
    const cur = NumericSummary.of([0, 50, 99]);
    // inverted-CDF quantiles of 0..99: q(0.05) = 4, q(0.95) = 94 → 0 and 99 are outside.
    const r = computeColumnQuality('x', ref, cur, { rangeQuantiles: [0.05, 0.95] });
    expect(metric(r, 'out_of_range_rate')?.value).toBeCloseTo(2 / 3, 15);
    expect(metric(r, 'out_of_range_rate')?.details).toMatchObject({ low: 4, high: 94 });
  });

  it('categorical: new categories and a column that became constant', () => {
    const ref = CategoricalSummary.of(['fr', 'de', 'fr', 'it']);
    const cur = CategoricalSummary.of(['es', 'es', 'es', 'es']);
    const r = computeColumnQuality('country', ref, cur);
    expect(metric(r, 'new_category_rate')).toMatchObject({ value: 1, breached: true, details: { newCategories: ['es'] } });
    expect(metric(r, 'constant')).toMatchObject({ value: 1, referenceValue: 0, breached: true });
  });

  it('a clean window breaches nothing; thresholds are overridable', () => {
    const ref = NumericSummary.of([1, 2, 3, 4]);
    const cur = NumericSummary.of([1, 2, 3, null]);
    expect(computeDataQuality({ x: ref }, { x: cur }, { thresholds: { missingRate: 0.3 } }).numberOfBreachedColumns).toBe(0);
    expect(computeDataQuality({ x: ref }, { x: cur }).numberOfBreachedColumns).toBe(1);
  });
});
