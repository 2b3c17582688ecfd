/**
 * Jensen–Shannon distance (natural log).
 * Matches Evidently 0.7 `jensenshannon`: get_binned_data(..., feel_zeroes=False)
 * then scipy.spatial.distance.jensenshannon(ref%, cur%).
 */
import { binnedProportions } from '../binning';
import type { DriftTestDefinition } from '../types';

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/** scipy.spatial.distance.jensenshannon(p, q) with base e. */
export function jensenShannonDistance(p: number[], q: number[]): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    const m = (pi + qi) / 2;
    left += relEntr(pi, m);
    right += relEntr(qi, m);
  }
  return Math.sqrt(Math.max(0, (left + right) / 2));
}

export const jensenShannonTest: DriftTestDefinition = {
  name: 'jensenshannon',
  displayName: 'Jensen–Shannon distance',
  columnKinds: ['numeric', 'categorical'],
  defaultThreshold: 0.1,
  criterion: 'statistic>=threshold',
  reference: 'Evidently jensenshannon = scipy.spatial.distance.jensenshannon on get_binned_data',
  compute(reference, current) {
    const b = binnedProportions(reference, current, false);
    return {
      statistic: jensenShannonDistance(b.reference, b.current),
      pValue: null,
      approximate: b.approximate,
      details: { binning: b.binning, bins: b.reference.length },
    };
  },
};
