/**
 * Data quality of a current window against its reference, per column, from the
 * same summaries the drift tests use. Each check is a metric with a threshold,
 * like drift: `breached` is `value > threshold` (constant: value 1 and the
 * reference was not constant).
 *
 * | metric             | value                                                   | default threshold |
 * |--------------------|---------------------------------------------------------|-------------------|
 * | missing_rate       | missing / rows                                          | 0.05              |
 * | type_mismatch_rate | values of the wrong type / rows (numeric columns)       | 0                 |
 * | out_of_range_rate  | share of current values outside the reference range     | 0.01              |
 * | new_category_rate  | share of current values in categories unseen in reference | 0.01            |
 * | category_overflow_rate | rows beyond the category cap / non-missing rows (categorical) | 0     |
 * | constant           | 1 when the current window has ≤ 1 distinct value        | —                 |
 *
 * The reference range is [min, max] by default, or reference quantiles
 * (`rangeQuantiles: [0.001, 0.999]`); out_of_range_rate is exact on exact
 * summaries and approximate on sketches (`approximate: true`).
 *
 * out_of_range_rate breaches only when the count is also significant: some values fall
 * outside a reference's range with no change at all (a reference of m rows from a
 * continuous distribution leaves out 2/(m+1) of it on average). Under no change the share
 * p outside the range of order statistics X(i)..X(j) of m reference rows is
 * Beta(m − j + i + 1, j − i) (Beta(2, m − 1) for [min, max]), so the count K of the n
 * window values outside it is BetaBinomial(n, m − j + i + 1, j − i), which also counts
 * the reference's own luck (a narrow reference range is shared by every window). The
 * breach needs P(K ≥ k) < `outOfRangeSignificance` (default 1e-4). Ties only make
 * "strictly outside" rarer, so the test stays conservative on discrete values.
 * new_category_rate is approximate once either side overflowed its category cap: a
 * category not kept by an overflowed reference may be in its overflow (counted as new,
 * an upper bound), and the current overflow's categories are unknown (not counted).
 */
import { betaBinomialSf } from '../drift/special';
import type { ColumnKind, ColumnSummary, NumericSummary } from '../drift/summary';

export interface QualityThresholds {
  missingRate: number;
  typeMismatchRate: number;
  outOfRangeRate: number;
  newCategoryRate: number;
  categoryOverflowRate: number;
}

export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = {
  missingRate: 0.05,
  typeMismatchRate: 0,
  outOfRangeRate: 0.01,
  newCategoryRate: 0.01,
  // Any overflow breaches: the column has more categories than the summary keeps.
  categoryOverflowRate: 0,
};

export type QualityMetricName = 'missing_rate' | 'type_mismatch_rate' | 'out_of_range_rate' | 'new_category_rate' | 'category_overflow_rate' | 'constant';

export interface QualityMetric {
  name: QualityMetricName;
  value: number;
  /** The same metric on the reference, for context (null when meaningless). */
  referenceValue: number | null;
  threshold: number | null;
  breached: boolean;
  approximate: boolean;
  details?: Record<string, unknown>;
}

export interface ColumnQualityResult {
  column: string;
  kind: ColumnKind;
  rows: number;
  metrics: QualityMetric[];
  breached: boolean;
}

export interface QualityOptions {
  thresholds?: Partial<QualityThresholds>;
  /** Reference quantiles bounding the expected range; default [0, 1] = [min, max]. */
  rangeQuantiles?: [number, number];
  /** Out-of-range breaches need P(count ≥ observed | no change) below this (default 1e-4). */
  outOfRangeSignificance?: number;
}

export const DEFAULT_OUT_OF_RANGE_SIGNIFICANCE = 1e-4;

/**
 * P(at least `outside` of `n` new values fall outside the reference's range | no change), for
 * the inverted-CDF quantiles q of m reference rows (order statistics i = ⌈q0·m⌉, j = ⌈q1·m⌉).
 */
export function outOfRangePValue(outside: number, n: number, m: number, q: [number, number]): number {
  const i = Math.max(1, Math.ceil(q[0] * m));
  const j = Math.max(i, Math.ceil(q[1] * m));
  return betaBinomialSf(outside, n, m - j + i + 1, Math.max(1, j - i));
}

function rate(part: number, whole: number): number {
  return whole ? part / whole : 0;
}

function outOfRange(reference: NumericSummary, current: NumericSummary, q: [number, number]) {
  const lo = reference.quantile(q[0]);
  const hi = reference.quantile(q[1]);
  const { values, weights } = current.points();
  let below = 0;
  let above = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < lo) below += weights[i];
    else if (values[i] > hi) above += weights[i];
  }
  return { lo, hi, below, above };
}

export function computeColumnQuality(column: string, reference: ColumnSummary, current: ColumnSummary, options: QualityOptions = {}): ColumnQualityResult {
  if (reference.kind !== current.kind) {
    throw new TypeError(`column '${column}': reference is ${reference.kind} but current is ${current.kind}`);
  }
  const t = { ...DEFAULT_QUALITY_THRESHOLDS, ...options.thresholds };
  const metrics: QualityMetric[] = [];
  const missingRate = rate(current.missing, current.rows);
  metrics.push({
    name: 'missing_rate',
    value: missingRate,
    referenceValue: rate(reference.missing, reference.rows),
    threshold: t.missingRate,
    breached: missingRate > t.missingRate,
    approximate: false,
  });
  if (reference.kind === 'numeric' && current.kind === 'numeric') {
    const mismatch = rate(current.invalid, current.rows);
    metrics.push({
      name: 'type_mismatch_rate',
      value: mismatch,
      referenceValue: rate(reference.invalid, reference.rows),
      threshold: t.typeMismatchRate,
      breached: mismatch > t.typeMismatchRate,
      approximate: false,
    });
    if (reference.count && current.count) {
      const range = options.rangeQuantiles ?? [0, 1];
      const o = outOfRange(reference, current, range);
      const value = rate(o.below + o.above, current.count);
      const pValue = outOfRangePValue(Math.round(o.below + o.above), Math.round(current.count), reference.count, range);
      metrics.push({
        name: 'out_of_range_rate',
        value,
        referenceValue: null,
        threshold: t.outOfRangeRate,
        breached: value > t.outOfRangeRate && pValue < (options.outOfRangeSignificance ?? DEFAULT_OUT_OF_RANGE_SIGNIFICANCE),
        approximate: !current.exact || (!reference.exact && !!options.rangeQuantiles),
        details: { low: o.lo, high: o.hi, below: o.below, above: o.above, pValue },
      });
    }
  } else if (reference.kind === 'categorical' && current.kind === 'categorical') {
    const unseen = current.categories().filter((k) => reference.countOf(k) === 0);
    const unseenRows = unseen.reduce((s, k) => s + current.countOf(k), 0);
    const value = rate(unseenRows, current.count);
    metrics.push({
      name: 'new_category_rate',
      value,
      referenceValue: null,
      threshold: t.newCategoryRate,
      breached: value > t.newCategoryRate,
      approximate: !reference.exact || !current.exact,
      details: { newCategories: unseen },
    });
    const overflowRate = rate(current.overflow, current.count);
    metrics.push({
      name: 'category_overflow_rate',
      value: overflowRate,
      referenceValue: rate(reference.overflow, reference.count),
      threshold: t.categoryOverflowRate,
      breached: overflowRate > t.categoryOverflowRate,
      approximate: false,
      details: { maxCategories: current.maxCategories, overflowRows: current.overflow },
    });
  }
  const distinct = (s: ColumnSummary) => (s.kind === 'numeric' ? (s.count === 0 ? 0 : s.min === s.max ? 1 : 2) : s.distinctCount);
  const curConstant = current.count > 0 && distinct(current) <= 1;
  const refConstant = reference.count > 0 && distinct(reference) <= 1;
  metrics.push({
    name: 'constant',
    value: curConstant ? 1 : 0,
    referenceValue: refConstant ? 1 : 0,
    threshold: null,
    breached: curConstant && !refConstant,
    approximate: false,
  });
  return { column, kind: reference.kind, rows: current.rows, metrics, breached: metrics.some((m) => m.breached) };
}

export interface DataQualityResult {
  columns: ColumnQualityResult[];
  numberOfBreachedColumns: number;
}

/** Quality of every reference column; a column absent from the current window is skipped. */
export function computeDataQuality(reference: Record<string, ColumnSummary>, current: Record<string, ColumnSummary>, options: QualityOptions = {}): DataQualityResult {
  const columns = Object.keys(reference)
    .filter((name) => current[name] !== undefined)
    .map((name) => computeColumnQuality(name, reference[name], current[name], options));
  return { columns, numberOfBreachedColumns: columns.filter((c) => c.breached).length };
}
