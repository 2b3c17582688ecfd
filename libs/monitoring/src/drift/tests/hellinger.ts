/**
 * Hellinger distance, H = sqrt(1 − Σ sqrt(p·q)) (Bhattacharyya coefficient clipped to [0, 1]).
 * Matches Evidently 0.7 `hellinger_distance`: categorical by category proportions;
 * numeric by density histograms on numpy 'sturges' edges computed from the
 * DISTINCT values of both sides (Evidently bins `set(ref) | set(cur)`), the sum
 * evaluated in the same order as Evidently (density · common bin width).
 * On a sketch the distinct count is unknown and the pooled count is used instead.
 */
import { categoryCounts, histogramCounts, sturgesEdges } from '../binning';
import type { DriftTestDefinition } from '../types';
import type { NumericSummary } from '../summary';

function distinctUnion(a: NumericSummary, b: NumericSummary): number {
  if (!a.exact || !b.exact) return a.count + b.count;
  const av = a.points().values;
  const bv = b.points().values;
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < av.length || j < bv.length) {
    if (j >= bv.length || (i < av.length && av[i] < bv[j])) i++;
    else if (i >= av.length || bv[j] < av[i]) j++;
    else {
      i++;
      j++;
    }
    n++;
  }
  return n;
}

export const hellingerTest: DriftTestDefinition = {
  name: 'hellinger',
  displayName: 'Hellinger distance',
  columnKinds: ['numeric', 'categorical'],
  defaultThreshold: 0.1,
  criterion: 'statistic>=threshold',
  reference: 'Evidently hellinger_distance',
  compute(reference, current) {
    let bc = 0;
    if (reference.kind === 'categorical' && current.kind === 'categorical') {
      const c = categoryCounts(reference, current);
      for (let i = 0; i < c.keys.length; i++) {
        bc += Math.sqrt((c.reference[i] / reference.count) * (c.current[i] / current.count));
      }
    } else if (reference.kind === 'numeric' && current.kind === 'numeric') {
      const edges = sturgesEdges(
        distinctUnion(reference, current),
        Math.min(reference.min as number, current.min as number),
        Math.max(reference.max as number, current.max as number),
      );
      const bins = edges.length - 1;
      const rc = histogramCounts(reference, edges);
      const cc = histogramCounts(current, edges);
      const rTotal = rc.reduce((s, x) => s + x, 0);
      const cTotal = cc.reduce((s, x) => s + x, 0);
      const binWidth = (edges[bins] - edges[0]) / bins;
      for (let i = 0; i < bins; i++) {
        const db = edges[i + 1] - edges[i];
        const h1 = rc[i] / db / rTotal;
        const h2 = cc[i] / db / cTotal;
        bc += Math.sqrt(h1 * h2) * binWidth;
      }
    } else {
      throw new TypeError('hellinger needs two summaries of the same kind');
    }
    bc = Math.min(1, Math.max(0, bc));
    return { statistic: Math.sqrt(1 - bc), pValue: null, approximate: !reference.exact || !current.exact };
  },
};
