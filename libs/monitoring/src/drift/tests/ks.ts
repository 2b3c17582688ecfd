/**
 * Two-sample Kolmogorov–Smirnov test, two-sided.
 * Matches scipy.stats.ks_2samp(reference, current, method='auto') — statistic and
 * p-value — when both summaries are exact (ties handled as scipy does: CDFs are
 * right-continuous step functions over the pooled distinct values). On a sketch,
 * D is read off the sketch CDFs (off by ≈ a few 1/capacity) and the p-value is
 * the same function of that D, so both are approximate.
 */
import { ks2SampPValue } from '../ks-distribution';
import type { DriftTestDefinition } from '../types';
import type { NumericSummary } from '../summary';

export function ksStatistic(reference: NumericSummary, current: NumericSummary): number {
  const a = reference.points();
  const b = current.points();
  const n1 = reference.count;
  const n2 = current.count;
  let i = 0;
  let j = 0;
  let c1 = 0;
  let c2 = 0;
  let d = 0;
  while (i < a.values.length || j < b.values.length) {
    const x = Math.min(i < a.values.length ? a.values[i] : Infinity, j < b.values.length ? b.values[j] : Infinity);
    while (i < a.values.length && a.values[i] === x) c1 += a.weights[i++];
    while (j < b.values.length && b.values[j] === x) c2 += b.weights[j++];
    const diff = Math.abs(c1 / n1 - c2 / n2);
    if (diff > d) d = diff;
  }
  return d;
}

export const ksTest: DriftTestDefinition = {
  name: 'ks',
  displayName: 'Kolmogorov–Smirnov',
  columnKinds: ['numeric'],
  defaultThreshold: 0.05,
  criterion: 'p-value<threshold',
  reference: "scipy.stats.ks_2samp(method='auto')",
  compute(reference, current) {
    if (reference.kind !== 'numeric' || current.kind !== 'numeric') throw new TypeError('ks needs numeric columns');
    const d = ksStatistic(reference, current);
    const p = ks2SampPValue(reference.count, current.count, d);
    return {
      statistic: p.statistic,
      pValue: p.pValue,
      approximate: !reference.exact || !current.exact,
      details: { method: p.method },
    };
  },
};
