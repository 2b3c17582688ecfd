/**
 * Shared binning for the distribution-distance tests (PSI, Jensen–Shannon,
 * Hellinger), computed from summaries.
 *
 * Reference implementation: Evidently 0.7 `legacy/calculations/stattests/utils.py`
 * `get_binned_data`: a numeric column whose reference has more than 20 distinct
 * values is cut into equal-width bins over the combined (reference + current)
 * range, the bin count chosen by numpy's 'sturges' rule on the combined size;
 * anything else is binned by value (one bin per category seen in either side).
 * With `fillZeroes`, empty bins get 1e-4 (or min-non-zero/1e6 if that is ≤ 1e-4).
 *
 * Exact on categorical summaries and on exact numeric summaries; on a numeric
 * sketch each centroid falls wholly in one bin, so a bin count may be off by the
 * weight of the centroids straddling its edges (≈ 1/capacity of the sample).
 */
import { CategoricalSummary, ColumnSummary, NumericSummary } from './summary';

/** Evidently bins by value when the reference has at most this many distinct values. */
export const MAX_DISTINCT_FOR_VALUE_BINS = 20;

export interface CategoryCounts {
  keys: string[];
  reference: number[];
  current: number[];
}

function numericValueCounts(s: NumericSummary): Map<string, number> {
  const { values, weights } = s.points();
  const m = new Map<string, number>();
  for (let i = 0; i < values.length; i++) m.set(String(values[i]), weights[i]);
  return m;
}

function valueCounts(s: ColumnSummary): Map<string, number> {
  if (s.kind === 'categorical') return new Map(s.entries());
  return numericValueCounts(s);
}

/** The bin of rows not comparable category by category (cap overflow); not a category name. */
export const OTHER_CATEGORIES = '\u0000other';

/**
 * Counts per category (or per distinct numeric value) over the union of both sides.
 * When a categorical side overflowed its cap, a category it does not keep may hide
 * in its overflow: such a category is folded, on both sides, into one
 * OTHER_CATEGORIES bin (last) together with both overflows, so the bins compare
 * the same sets of categories.
 */
export function categoryCounts(reference: ColumnSummary, current: ColumnSummary): CategoryCounts {
  if (reference.kind === 'categorical' && current.kind === 'categorical') {
    return cappedCategoryCounts(reference, current);
  }
  const r = valueCounts(reference);
  const c = valueCounts(current);
  const keys = [...new Set([...r.keys(), ...c.keys()])];
  if (reference.kind === 'numeric') keys.sort((a, b) => Number(a) - Number(b));
  else keys.sort();
  return { keys, reference: keys.map((k) => r.get(k) ?? 0), current: keys.map((k) => c.get(k) ?? 0) };
}

function cappedCategoryCounts(reference: CategoricalSummary, current: CategoricalSummary): CategoryCounts {
  const keys: string[] = [];
  const ref: number[] = [];
  const cur: number[] = [];
  let otherRef = reference.overflow;
  let otherCur = current.overflow;
  const all = [...new Set([...reference.categories(), ...current.categories()])].sort();
  for (const k of all) {
    const inRef = reference.has(k);
    const inCur = current.has(k);
    if ((!inRef && reference.overflow > 0) || (!inCur && current.overflow > 0)) {
      otherRef += reference.countOf(k);
      otherCur += current.countOf(k);
    } else {
      keys.push(k);
      ref.push(reference.countOf(k));
      cur.push(current.countOf(k));
    }
  }
  if (otherRef > 0 || otherCur > 0) {
    keys.push(OTHER_CATEGORIES);
    ref.push(otherRef);
    cur.push(otherCur);
  }
  return { keys, reference: ref, current: cur };
}

/**
 * numpy.histogram_bin_edges(data, bins='sturges') from the data's size, min and max.
 * Width = ptp / (log2(n) + 1); bins = ceil(range / width); edges = linspace.
 */
export function sturgesEdges(n: number, min: number, max: number): Float64Array {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (max - min) / (Math.log2(n) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i < bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/** numpy.histogram(data, bins=edges)[0] on weighted sorted points: [e_i, e_{i+1}), last bin closed. */
export function histogramCounts(summary: NumericSummary, edges: Float64Array): number[] {
  const { values, weights } = summary.points();
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  let b = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < edges[0] || v > edges[bins]) continue;
    while (b < bins - 1 && v >= edges[b + 1]) b++;
    counts[b] += weights[i];
  }
  return counts;
}

export interface BinnedProportions {
  reference: number[];
  current: number[];
  /** 'histogram' (Sturges bins) or 'values' (one bin per category / distinct value). */
  binning: 'histogram' | 'values';
  approximate: boolean;
}

function fillZeroes(p: number[]): void {
  let minNonZero = Infinity;
  for (const x of p) if (x !== 0 && x < minNonZero) minNonZero = x;
  if (minNonZero === Infinity) return;
  const fill = minNonZero <= 0.0001 ? minNonZero / 10 ** 6 : 0.0001;
  for (let i = 0; i < p.length; i++) if (p[i] === 0) p[i] = fill;
}

export function usesHistogram(reference: ColumnSummary): boolean {
  if (reference.kind !== 'numeric') return false;
  const distinct = reference.distinctCount;
  return distinct === null || distinct > MAX_DISTINCT_FOR_VALUE_BINS;
}

/** Evidently's get_binned_data on two summaries. */
export function binnedProportions(reference: ColumnSummary, current: ColumnSummary, fill: boolean): BinnedProportions {
  let ref: number[];
  let cur: number[];
  let binning: BinnedProportions['binning'];
  if (reference.kind === 'numeric' && current.kind === 'numeric' && usesHistogram(reference)) {
    const edges = sturgesEdges(reference.count + current.count, Math.min(reference.min as number, current.min as number), Math.max(reference.max as number, current.max as number));
    ref = histogramCounts(reference, edges);
    cur = histogramCounts(current, edges);
    binning = 'histogram';
  } else {
    const counts = categoryCounts(reference, current);
    ref = counts.reference;
    cur = counts.current;
    binning = 'values';
  }
  const rp = ref.map((c) => c / reference.count);
  const cp = cur.map((c) => c / current.count);
  if (fill) {
    fillZeroes(rp);
    fillZeroes(cp);
  }
  return { reference: rp, current: cp, binning, approximate: !reference.exact || !current.exact };
}
