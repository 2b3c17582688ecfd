/**
 * NumericSummary keeps each distinct value with its multiplicity while there are
 * at most `capacity` distinct values: it is then EXACT, and every test on it
 * gives the same answer as on the raw samples (ties included). Past that it
 * compresses into a weight-balanced quantile sketch of about `capacity` points
 * (each point = the mean of a contiguous run of sorted values, with the run's
 * weight); the empirical CDF of the sketch is then off by at most a few
 * 1/capacity in rank, which bounds the error of KS and of binned tests, and the
 * Wasserstein distance is off by the within-run spread (measured in
 * approximation.spec.ts). Moments (count, mean, M2, min, max) are always
 * exact (Welford / Chan et al. for merges).
 *
 * Missing values (null, undefined, '', NaN, ±Infinity — Evidently drops
 * infinities too) are counted, not added. A non-number in a numeric column is a
 * type mismatch: counted in `invalid`, not added.
 */
import { cellIndex, compress, hashOf, hashTable, lookup, mergeSortedPoints, scratchFloat, scratchInt, tableSize } from './numeric-kernels';
import { DEFAULT_SKETCH_CAPACITY, isMissing, NumericSummaryJSON } from './summary-json';

const MIN_CAPACITY = 32;
/** The raw buffer holds up to this many × capacity values before a flush (per-flush costs are O(capacity): amortise them). */
const BUFFER_FACTOR = 16;
/** The buffer starts this small and doubles, so a summary that sees few values stays small. */
const INITIAL_BUFFER = 256;
const EMPTY = new Float64Array(0);
/** Sketch-mode batches are gridded over this many × capacity cells … */
const GRID_FACTOR = 16;
/** Values sampled from a batch to place the grid when leaving exact mode. */
const SAMPLE_SIZE = 1024;
/** … spanning the sketch's [GRID_TAIL, 1 − GRID_TAIL] quantile range. */
const GRID_TAIL = 0.001;

export class NumericSummary {
  readonly kind = 'numeric' as const;
  readonly capacity: number;
  private exactFlag = true;
  // Moments of the values already folded in by `flush`; the buffer holds the rest.
  private n = 0;
  private missingCount = 0;
  private invalidCount = 0;
  private minValue = Infinity;
  private maxValue = -Infinity;
  private meanValue = 0;
  private m2Value = 0;
  private values: Float64Array = EMPTY;
  private weights: Float64Array = EMPTY;
  // Why a raw buffer: `add` is on the per-event hot path (20 features × every
  // prediction), so it only stores the value; sorting, merging and the moments are
  // done per batch of up to BUFFER_FACTOR × capacity values in `flush`.
  private buffer: Float64Array = EMPTY;
  private buffered = 0;
  private limit = 0;

  constructor(options: { capacity?: number } = {}) {
    this.capacity = Math.max(MIN_CAPACITY, Math.floor(options.capacity ?? DEFAULT_SKETCH_CAPACITY));
  }

  static of(values: Iterable<unknown>, options: { capacity?: number } = {}): NumericSummary {
    const s = new NumericSummary(options);
    for (const v of values) s.add(v);
    return s;
  }

  add(value: unknown): void {
    // `x - x === 0` is false for NaN and ±Infinity: one test for "finite number".
    if (typeof value === 'number' && value - value === 0) {
      if (this.buffered === this.limit) this.makeRoom();
      this.buffer[this.buffered++] = value;
      return;
    }
    if (isMissing(value)) this.missingCount++;
    else this.invalidCount++;
  }

  /** Non-missing, well-typed values. */
  get count(): number {
    return this.n + this.buffered;
  }
  get missing(): number {
    return this.missingCount;
  }
  get invalid(): number {
    return this.invalidCount;
  }
  /** count + missing + invalid: every row seen. */
  get rows(): number {
    return this.count + this.missingCount + this.invalidCount;
  }
  get min(): number | null {
    this.flush();
    return this.n ? this.minValue : null;
  }
  get max(): number | null {
    this.flush();
    return this.n ? this.maxValue : null;
  }
  get mean(): number {
    this.flush();
    return this.n ? this.meanValue : NaN;
  }
  /** Population variance (numpy's default ddof = 0). */
  get variance(): number {
    this.flush();
    return this.n ? this.m2Value / this.n : NaN;
  }
  get std(): number {
    return Math.sqrt(this.variance);
  }
  /** True while the summary holds every distinct value with its exact multiplicity. */
  get exact(): boolean {
    this.flush();
    return this.exactFlag;
  }
  /** Number of distinct values when exact; null once sketched (then > capacity). */
  get distinctCount(): number | null {
    this.flush();
    return this.exactFlag ? this.values.length : null;
  }

  /**
   * Folds the buffered values in and gives the buffer back (up to 16 × capacity doubles):
   * for a summary that is done taking rows, such as a reference. A later `add` grows a
   * new one, so nothing but memory depends on it.
   */
  releaseBuffer(): void {
    this.flush();
    this.buffer = EMPTY;
    this.limit = 0;
  }

  /** Sorted support points and their weights (exact values, or sketch centroids). */
  points(): { values: Float64Array; weights: Float64Array } {
    this.flush();
    return { values: this.values, weights: this.weights };
  }

  /** Quantile by the inverse empirical CDF (numpy 'inverted_cdf'); approximate on a sketch. */
  quantile(p: number): number {
    this.flush();
    if (!this.n) return NaN;
    if (p <= 0) return this.minValue;
    if (p >= 1) return this.maxValue;
    const target = p * this.n;
    let cum = 0;
    for (let i = 0; i < this.values.length; i++) {
      cum += this.weights[i];
      if (cum >= target) return this.values[i];
    }
    return this.maxValue;
  }

  /** A new summary of both inputs (same column spec). */
  merge(other: NumericSummary): NumericSummary {
    const out = new NumericSummary({ capacity: Math.max(this.capacity, other.capacity) });
    const a = this.points();
    const b = other.points();
    out.n = this.n + other.n;
    out.missingCount = this.missingCount + other.missingCount;
    out.invalidCount = this.invalidCount + other.invalidCount;
    out.minValue = Math.min(this.minValue, other.minValue);
    out.maxValue = Math.max(this.maxValue, other.maxValue);
    if (out.n) {
      const delta = other.meanValue - this.meanValue;
      out.meanValue = this.meanValue + (delta * other.n) / out.n;
      out.m2Value = this.m2Value + other.m2Value + (delta * delta * this.n * other.n) / out.n;
    }
    const merged = mergeSortedPoints(a.values, a.weights, b.values, b.weights);
    out.exactFlag = this.exactFlag && other.exactFlag;
    out.values = merged.values;
    out.weights = merged.weights;
    out.compressIfNeeded();
    return out;
  }

  toJSON(): NumericSummaryJSON {
    this.flush();
    return {
      kind: 'numeric',
      capacity: this.capacity,
      exact: this.exactFlag,
      count: this.n,
      missing: this.missingCount,
      invalid: this.invalidCount,
      min: this.min,
      max: this.max,
      mean: this.meanValue,
      m2: this.m2Value,
      values: Array.from(this.values),
      weights: Array.from(this.weights),
    };
  }

  static fromJSON(json: NumericSummaryJSON): NumericSummary {
    if (json.kind !== 'numeric' || json.values.length !== json.weights.length) {
      throw new TypeError('not a numeric summary');
    }
    const s = new NumericSummary({ capacity: json.capacity });
    s.exactFlag = json.exact;
    s.n = json.count;
    s.missingCount = json.missing;
    s.invalidCount = json.invalid;
    s.minValue = json.min ?? Infinity;
    s.maxValue = json.max ?? -Infinity;
    s.meanValue = json.mean;
    s.m2Value = json.m2;
    s.values = Float64Array.from(json.values);
    s.weights = Float64Array.from(json.weights);
    return s;
  }

  private makeRoom(): void {
    const max = BUFFER_FACTOR * this.capacity;
    if (this.buffer.length < max) {
      // Growing never flushes, so batch boundaries (and results) do not depend on it.
      const grown = new Float64Array(Math.min(max, Math.max(INITIAL_BUFFER, 2 * this.buffer.length)));
      grown.set(this.buffer.subarray(0, this.buffered));
      this.buffer = grown;
    } else {
      this.flush();
    }
    this.limit = this.buffer.length;
  }

  private flush(): void {
    const k = this.buffered;
    if (!k) return;
    this.buffered = 0;
    const batch = this.buffer.subarray(0, k);
    this.foldMoments(batch);
    if (!this.exactFlag || !this.mergeExact(batch)) this.mergeBucketed(batch);
    this.compressIfNeeded();
  }

  /** Two-pass mean / M2 of the batch, combined with the running moments (Chan et al.). */
  private foldMoments(batch: Float64Array): void {
    const k = batch.length;
    let sum = 0;
    let lo = this.minValue;
    let hi = this.maxValue;
    for (let i = 0; i < k; i++) {
      const x = batch[i];
      sum += x;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    const mean = sum / k;
    let m2 = 0;
    for (let i = 0; i < k; i++) {
      const d = batch[i] - mean;
      m2 += d * d;
    }
    this.minValue = lo;
    this.maxValue = hi;
    const n = this.n + k;
    const delta = mean - this.meanValue;
    this.meanValue += (delta * k) / n;
    this.m2Value += m2 + (delta * delta * this.n * k) / n;
    this.n = n;
  }

  /**
   * Exact path: count the batch's values in an open-addressing hash table seeded with
   * the current points; only values never seen before are sorted, then merged in.
   * Returns false, leaving the summary untouched, as soon as the union has more than
   * `capacity` distinct values (the summary then becomes a sketch).
   */
  private mergeExact(batch: Float64Array): boolean {
    const cv = this.values;
    const cw = this.weights;
    const m = cv.length;
    const cap = this.capacity;
    const size = tableSize(cap);
    const mask = size - 1;
    const t = hashTable(size);
    const stamp = t.nextStamp();
    const { keys, counts, stamps } = t;
    for (let j = 0; j < m; j++) {
      let h = hashOf(cv[j]) & mask;
      while (stamps[h] === stamp) h = (h + 1) & mask;
      stamps[h] = stamp;
      keys[h] = cv[j];
      counts[h] = cw[j];
    }
    const fresh = scratchInt(0, cap + 1);
    let nFresh = 0;
    for (let i = 0; i < batch.length; i++) {
      const x = batch[i] + 0; // -0 → +0: the summary keeps one zero, as === does
      let h = hashOf(x) & mask;
      while (stamps[h] === stamp && keys[h] !== x) h = (h + 1) & mask;
      if (stamps[h] === stamp) counts[h]++;
      else {
        if (m + nFresh === cap) return false;
        stamps[h] = stamp;
        keys[h] = x;
        counts[h] = 1;
        fresh[nFresh++] = h;
      }
    }
    const fv = new Float64Array(nFresh);
    for (let i = 0; i < nFresh; i++) fv[i] = keys[fresh[i]];
    fv.sort();
    const fw = new Float64Array(nFresh);
    for (let i = 0; i < nFresh; i++) fw[i] = counts[lookup(t, fv[i], mask, stamp)];
    const ow = new Float64Array(m);
    for (let j = 0; j < m; j++) ow[j] = counts[lookup(t, cv[j], mask, stamp)];
    const merged = mergeSortedPoints(cv, ow, fv, fw);
    this.values = merged.values;
    this.weights = merged.weights;
    return true;
  }

  /**
   * Sketch path (the summary is already approximate). Sorting the batch costs ≈ 60 ns
   * a value in V8, more than the rest of the pipeline's per-feature budget, so the
   * values are first spread over a uniform grid of GRID_FACTOR × capacity cells spanning the
   * sketch's 0.1 %–99.9 % range (edge cells take everything beyond). A cell is an
   * interval, so its values are a contiguous run of the sorted batch: a cell holding at
   * most one centroid's weight (total / capacity) becomes one point at its mean, which
   * is what the sorted merge + compression would build from that run, with the same
   * rank-error bound. The values of a heavier cell (a shift, a new mode, a point mass,
   * the tails) are kept individually and sorted, so compression places them finely.
   */
  private mergeBucketed(batch: Float64Array): void {
    const cv = this.values;
    const cw = this.weights;
    const m = cv.length;
    const k = batch.length;
    let total = k;
    for (let j = 0; j < m; j++) total += cw[j];
    const old = total - k;
    let lo: number;
    let hi: number;
    if (old >= k) {
      lo = cv[0];
      hi = cv[m - 1];
      for (let j = 0, cum = 0; j < m; j++) {
        cum += cw[j];
        if (cum <= old * GRID_TAIL) lo = cv[j];
        if (cum < old * (1 - GRID_TAIL)) hi = cv[j + 1];
      }
    } else {
      // Leaving exact mode: the grid range comes from an evenly spaced sample of the batch.
      const step = Math.max(1, Math.floor(k / SAMPLE_SIZE));
      const sample = new Float64Array(Math.ceil(k / step));
      for (let i = 0, j = 0; i < k; i += step) sample[j++] = batch[i];
      sample.sort();
      lo = sample[Math.floor(sample.length * GRID_TAIL)];
      hi = sample[Math.ceil(sample.length * (1 - GRID_TAIL)) - 1];
    }
    const cells = GRID_FACTOR * this.capacity;
    const scale = hi > lo ? cells / (hi - lo) : 0;
    const last = cells - 1;
    const count = scratchFloat(0, cells).fill(0, 0, cells);
    const sum = scratchFloat(1, cells).fill(0, 0, cells);
    for (let i = 0; i < k; i++) {
      const x = batch[i];
      const g = cellIndex(x, lo, scale, last);
      count[g]++;
      sum[g] += x;
    }
    const heavy = total / this.capacity;
    let nLoose = 0;
    for (let g = 0; g < cells; g++) if (count[g] > heavy) nLoose += count[g];
    const loose = new Float64Array(nLoose);
    if (nLoose) {
      for (let i = 0, h = 0; i < k; i++) {
        if (count[cellIndex(batch[i], lo, scale, last)] > heavy) loose[h++] = batch[i];
      }
      loose.sort();
    }
    // New points in cell order, hence sorted: a cell's mean, or its loose values.
    const nv = scratchFloat(2, cells + nLoose);
    const nw = scratchFloat(3, cells + nLoose);
    let p = 0;
    for (let g = 0, h = 0; g < cells; g++) {
      const c = count[g];
      if (c === 0) continue;
      if (c > heavy) {
        for (const end = h + c; h < end; h++) {
          if (p > 0 && nv[p - 1] === loose[h]) nw[p - 1]++;
          else {
            nv[p] = loose[h];
            nw[p++] = 1;
          }
        }
      } else {
        nv[p] = sum[g] / c;
        nw[p++] = c;
      }
    }
    const merged = mergeSortedPoints(cv, cw, nv.subarray(0, p), nw.subarray(0, p));
    this.values = merged.values;
    this.weights = merged.weights;
  }

  private compressIfNeeded(): void {
    if (this.values.length <= this.capacity) return;
    this.exactFlag = false;
    const compressed = compress(this.values, this.weights, this.capacity);
    this.values = compressed.values;
    this.weights = compressed.weights;
  }
}
