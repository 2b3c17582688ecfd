/**
 * Two-proportion Z-test (pooled variance), two-sided.
 * Matches Evidently 0.7 `z`: the proportion compared is "value ≠ first category
 * in sorted order"; both sides constant on the same value gives p = 1.
 * p = 2·norm.sf(|z|) (Evidently writes 2·(1 − norm.cdf(|z|)), equal to ~1e-16).
 * Meant for binary columns; with more categories it tests the first one against the rest.
 */
import { categoryCounts } from '../binning';
import { normalSf } from '../special';
import type { DriftTestDefinition } from '../types';

export const zTest: DriftTestDefinition = {
  name: 'z',
  displayName: 'Z-test for proportions',
  columnKinds: ['numeric', 'categorical'],
  defaultThreshold: 0.05,
  criterion: 'p-value<threshold',
  reference: 'Evidently z_stat_test (proportions_diff_z_stat_ind / proportions_diff_z_test)',
  compute(reference, current) {
    const c = categoryCounts(reference, current);
    // One category across both sides: both constant on the same value.
    if (c.keys.length <= 1) {
      return { statistic: 0, pValue: 1, approximate: false };
    }
    const n1 = reference.count;
    const n2 = current.count;
    const p1 = (n1 - c.reference[0]) / n1;
    const p2 = (n2 - c.current[0]) / n2;
    const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
    return {
      statistic: z,
      pValue: Math.min(1, 2 * normalSf(Math.abs(z))),
      approximate: !reference.exact || !current.exact,
      details: { category: c.keys[0] },
    };
  },
};
