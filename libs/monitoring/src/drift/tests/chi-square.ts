/**
 * Pearson chi-square goodness of fit of the current counts against the reference
 * proportions scaled to the current count.
 * Matches Evidently 0.7 `chisquare`: scipy.stats.chisquare(f_obs=cur, f_exp=ref·n_cur/n_ref)
 * over the categories of both sides; df = k − 1; p = scipy.stats.chi2.sf.
 * A category absent from the reference but present now gives χ² = ∞ and p = 0
 * (as scipy does); the category is reported as unseen by the column result.
 * With a single category on both sides there is nothing to test: χ² = 0, p = 1
 * (scipy would return NaN).
 */
import { categoryCounts } from '../binning';
import { chiSquareSf } from '../special';
import type { DriftTestDefinition } from '../types';

export const chiSquareTest: DriftTestDefinition = {
  name: 'chisquare',
  displayName: 'chi-square',
  columnKinds: ['numeric', 'categorical'],
  defaultThreshold: 0.05,
  criterion: 'p-value<threshold',
  reference: 'Evidently chisquare = scipy.stats.chisquare(cur, ref * n_cur / n_ref)',
  compute(reference, current) {
    const c = categoryCounts(reference, current);
    const k = c.keys.length;
    if (k <= 1) return { statistic: 0, pValue: 1, approximate: false, details: { degreesOfFreedom: 0 } };
    const scale = current.count / reference.count;
    let stat = 0;
    for (let i = 0; i < k; i++) {
      const expected = c.reference[i] * scale;
      const d = c.current[i] - expected;
      stat += expected === 0 ? (d === 0 ? 0 : Infinity) : (d * d) / expected;
    }
    return {
      statistic: stat,
      pValue: chiSquareSf(stat, k - 1),
      approximate: !reference.exact || !current.exact,
      details: { degreesOfFreedom: k - 1 },
    };
  },
};
