/**
 * Population stability index.
 * Matches Evidently 0.7 `psi`: get_binned_data(..., feel_zeroes=True) then
 * Σ (ref% − cur%) · ln(ref% / cur%). Exact on categorical and exact summaries.
 */
import { binnedProportions } from '../binning';
import type { DriftTestDefinition } from '../types';

export const psiTest: DriftTestDefinition = {
  name: 'psi',
  displayName: 'PSI',
  columnKinds: ['numeric', 'categorical'],
  defaultThreshold: 0.1,
  criterion: 'statistic>=threshold',
  reference: 'Evidently psi (get_binned_data with feel_zeroes)',
  compute(reference, current) {
    const b = binnedProportions(reference, current, true);
    let psi = 0;
    for (let i = 0; i < b.reference.length; i++) {
      psi += (b.reference[i] - b.current[i]) * Math.log(b.reference[i] / b.current[i]);
    }
    return { statistic: psi, pValue: null, approximate: b.approximate, details: { binning: b.binning, bins: b.reference.length } };
  },
};
