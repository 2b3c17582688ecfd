import fixture from '../../fixtures/drift-tests.json';
import { computeColumnDrift } from './column-drift';
import { defaultDriftTest } from './default-test';
import { getDriftTest } from './registry';
import { CategoricalSummary, ColumnSummary, columnSummaryFromJSON } from './summary';
import { computeColumnQuality } from '../quality/quality';
import { expectClose, summarise } from './fixtures';

// Expected values: Evidently 0.7 stattest formulas on numpy/scipy 1.17, cross-checked
// against Evidently 0.7.23 itself to 1e-12 (evidentlyChecked), by
// tools/fixtures/gen_drift_fixtures.py. Tolerances: 1e-9 on statistics
// (relative above 1), 1e-6 on p-values (and 1e-6 relative for small ones).
type Expected = Record<string, { statistic?: number | string; pValue?: number }>;

describe.each(fixture.cases)('$name', (c) => {
  const kind = c.kind as 'numeric' | 'categorical';
  let reference: ColumnSummary;
  let current: ColumnSummary;
  beforeAll(() => {
    reference = summarise(kind, c.reference);
    current = summarise(kind, c.current);
  });

  it('was cross-checked against Evidently itself', () => {
    expect(c.evidentlyChecked).toBe(true);
  });

  it.each(Object.keys(c.expected))('%s matches', (name) => {
    const e = (c.expected as Expected)[name];
    const out = getDriftTest(name).compute(reference, current);
    expect(out.approximate).toBe(false);
    if (e.statistic !== undefined) expectClose(out.statistic, e.statistic, 1e-9, `${name} statistic`);
    if (e.pValue !== undefined) {
      const p = out.pValue as number;
      expect(Math.abs(p - e.pValue)).toBeLessThanOrEqual(Math.max(1e-6 * e.pValue, 1e-12));
    }
  });

  it(`default test is ${c.defaultTest} (Evidently's rule)`, () => {
    expect(defaultDriftTest(reference, current).name).toBe(c.defaultTest);
  });

  it('counts missing values and survives a JSON round trip of both summaries', () => {
    const missing = (xs: unknown[]) => xs.filter((x) => x === null).length;
    expect(reference.missing).toBe(missing(c.reference));
    expect(current.missing).toBe(missing(c.current));
    const r2 = columnSummaryFromJSON(JSON.parse(JSON.stringify(reference)));
    const c2 = columnSummaryFromJSON(JSON.parse(JSON.stringify(current)));
    const a = computeColumnDrift('x', reference, current);
    const b = computeColumnDrift('x', r2, c2);
    expect(b).toEqual(a);
  });
});

describe('unseen categories', () => {
  it('are listed, and chi-square is infinite with p = 0 (as scipy.stats.chisquare)', () => {
    const ref = summarise('categorical', ['a', 'a', 'b', 'b', 'c']);
    const cur = summarise('categorical', ['a', 'b', 'z', 'z', null]);
    const r = computeColumnDrift('colour', ref, cur, { test: 'chisquare' });
    expect(r.unseenCategories).toEqual(['z']);
    expect(r.statistic).toBe(Infinity);
    expect(r.pValue).toBe(0);
    expect(r.drifted).toBe(true);
    expect(r.current).toEqual({ count: 4, missing: 1, invalid: 0, overflow: 0 });
  });
});

describe('category cap in drift and quality results', () => {
  it('reports overflow, compares an "other" bin, lists no unseen category the reference may hide', () => {
    const ref = CategoricalSummary.of(['a', 'b', 'c', 'a', 'b', 'c'], { maxCategories: 2 }); // c → overflow
    const cur = CategoricalSummary.of(['a', 'c', 'c', 'b']);
    const r = computeColumnDrift('col', ref, cur, { test: 'chisquare' });
    expect(r.reference.overflow).toBe(2);
    expect(r.current.overflow).toBe(0);
    expect(r.approximate).toBe(true);
    expect(r.unseenCategories).toEqual([]); // c may be in the reference's overflow
    // bins a, b, other(c): ref [2, 2, 2], cur [1, 1, 2] → expected [4/3, 4/3, 4/3]
    expect(r.statistic).toBeCloseTo(((1 - 4 / 3) ** 2 * 2 + (2 - 4 / 3) ** 2) / (4 / 3), 12);
    const q = computeColumnQuality('col', cur, ref);
    const overflow = q.metrics.find((m) => m.name === 'category_overflow_rate');
    expect(overflow?.value).toBeCloseTo(2 / 6, 12);
    expect(overflow?.breached).toBe(true);
  });
});
