/**
 * Column summaries: what a drift test reads instead of raw rows.
 *
 * A reference (training snapshot or a production window) is summarised once;
 * a current window is summarised incrementally with `add(value)`. Every test
 * then costs O(size of the summary), never O(rows). Summaries are plain-JSON
 * serialisable (`toJSON` / `columnSummaryFromJSON`) and mergeable (`merge`).
 *
 * NumericSummary keeps each distinct value with its multiplicity while there are
 * at most `capacity` distinct values: it is then EXACT, and every test on it
 * gives the same answer as on the raw samples (ties included). Past that it
 * compresses into a weight-balanced quantile sketch of about `capacity` points
 * (each point = the mean of a contiguous run of sorted values, with the run's
 * weight); the empirical CDF of the sketch is then off by at most a few
 * 1/capacity in rank, which bounds the error of KS and of binned tests, and the
 * Wasserstein distance is off by the within-run spread (measured in
 * drift-approximation.spec.ts). Moments (count, mean, M2, min, max) are always
 * exact (Welford / Chan et al. for merges).
 *
 * Missing values (null, undefined, '', NaN, ±Infinity — Evidently drops
 * infinities too) are counted, not added. A non-number in a numeric column is a
 * type mismatch: counted in `invalid`, not added.
 */

export type ColumnKind = 'numeric' | 'categorical';

export const DEFAULT_SKETCH_CAPACITY = 2048;
export const DEFAULT_MAX_CATEGORIES = 1000;
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

export interface NumericSummaryJSON {
  kind: 'numeric';
  capacity: number;
  exact: boolean;
  count: number;
  missing: number;
  invalid: number;
  min: number | null;
  max: number | null;
  mean: number;
  m2: number;
  values: number[];
  weights: number[];
}

export interface CategoricalSummaryJSON {
  kind: 'categorical';
  count: number;
  missing: number;
  /** Absent in summaries written before the cap existed (then: default, no overflow). */
  maxCategories?: number;
  overflow?: number;
  categories: Array<[string, number]>;
}

export type ColumnSummaryJSON = NumericSummaryJSON | CategoricalSummaryJSON;

export function isMissing(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === '' ||
    (typeof value === 'number' && !Number.isFinite(value))
  );
}

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
  // done per batch of 4 × capacity values in `flush`.
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
   * values are first spread over a uniform grid of 2 × capacity cells spanning the
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

function mergeSortedPoints(
  av: Float64Array,
  aw: Float64Array,
  bv: Float64Array,
  bw: Float64Array,
): { values: Float64Array; weights: Float64Array } {
  const values = new Float64Array(av.length + bv.length);
  const weights = new Float64Array(av.length + bv.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < av.length || j < bv.length) {
    let v: number;
    let w: number;
    if (j >= bv.length || (i < av.length && av[i] < bv[j])) {
      v = av[i];
      w = aw[i++];
    } else if (i >= av.length || bv[j] < av[i]) {
      v = bv[j];
      w = bw[j++];
    } else {
      v = av[i];
      w = aw[i++] + bw[j++];
    }
    values[k] = v;
    weights[k++] = w;
  }
  return { values: values.slice(0, k), weights: weights.slice(0, k) };
}

/**
 * Weight-balanced compression: consecutive points are grouped while a group's
 * weight stays ≤ total/capacity; a group becomes one point at its weighted mean.
 * A single heavy value (a tie run) is never split, so point masses survive.
 */
function compress(
  values: Float64Array,
  weights: Float64Array,
  capacity: number,
): { values: Float64Array; weights: Float64Array } {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  const target = total / capacity;
  const outV = scratchFloat(4, values.length);
  const outW = scratchFloat(5, values.length);
  let k = 0;
  let gw = 0;
  let gwx = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights[i];
    if (gw > 0 && gw + w > target) {
      outV[k] = gwx / gw;
      outW[k++] = gw;
      gw = 0;
      gwx = 0;
    }
    gw += w;
    gwx += w * values[i];
  }
  if (gw > 0) {
    outV[k] = gwx / gw;
    outW[k++] = gw;
  }
  return { values: outV.slice(0, k), weights: outW.slice(0, k) };
}

function cellIndex(x: number, lo: number, scale: number, last: number): number {
  if (x < lo) return 0;
  const d = (x - lo) * scale;
  return d >= last ? last : d | 0;
}

// Scratch arrays shared by every summary (flushes are synchronous), so a flush
// allocates only its results.
const scratchF: Float64Array[] = [];
const scratchI: Int32Array[] = [];
function scratchFloat(slot: number, n: number): Float64Array {
  if (!scratchF[slot] || scratchF[slot].length < n) scratchF[slot] = new Float64Array(Math.max(n, 1024));
  return scratchF[slot];
}
function scratchInt(slot: number, n: number): Int32Array {
  if (!scratchI[slot] || scratchI[slot].length < n) scratchI[slot] = new Int32Array(Math.max(n, 1024));
  return scratchI[slot];
}

const hashF64 = new Float64Array(1);
const hashU32 = new Uint32Array(hashF64.buffer);
function hashOf(x: number): number {
  hashF64[0] = x;
  const h = Math.imul(hashU32[0] ^ Math.imul(hashU32[1], 0x9e3779b1), 0x85ebca6b);
  return h ^ (h >>> 15);
}

interface HashTable {
  keys: Float64Array;
  counts: Float64Array;
  /** A slot is in use when its stamp equals the current flush's: no clearing between flushes. */
  stamps: Int32Array;
  nextStamp(): number;
}
const hashTables = new Map<number, HashTable>();
/** A power of two ≥ 4 × (capacity + 1): probes stay short at ≤ 25 % load. */
function tableSize(capacity: number): number {
  let size = 1;
  while (size < 4 * (capacity + 1)) size *= 2;
  return size;
}
function hashTable(size: number): HashTable {
  let t = hashTables.get(size);
  if (!t) {
    let stamp = 0;
    const table: HashTable = {
      keys: new Float64Array(size),
      counts: new Float64Array(size),
      stamps: new Int32Array(size),
      nextStamp: () => {
        if (++stamp === 0x7fffffff) {
          table.stamps.fill(0);
          stamp = 1;
        }
        return stamp;
      },
    };
    t = table;
    hashTables.set(size, t);
  }
  return t;
}
function lookup(t: HashTable, x: number, mask: number, stamp: number): number {
  let h = hashOf(x) & mask;
  while (t.stamps[h] === stamp && t.keys[h] !== x) h = (h + 1) & mask;
  return h;
}

/**
 * Counts per category, at most `maxCategories` of them (default 1000): the first
 * categories seen are kept with exact counts; rows of any further category are
 * counted in `overflow` (never dropped silently), and the summary is then no longer
 * `exact`. Tests then compare the categories kept on both sides plus one "other"
 * bin (see `categoryCounts`).
 */
export class CategoricalSummary {
  readonly kind = 'categorical' as const;
  readonly maxCategories: number;
  /** Counts by raw key (strings, and numbers without String() on the hot path). */
  private readonly raw = new Map<string | number, number>();
  private readonly kept = new Set<string>();
  private normalised: Map<string, number> | null = null;
  private n = 0;
  private missingCount = 0;
  private overflowCount = 0;

  constructor(options: { maxCategories?: number } = {}) {
    this.maxCategories = Math.max(1, Math.floor(options.maxCategories ?? DEFAULT_MAX_CATEGORIES));
  }

  static of(values: Iterable<unknown>, options: { maxCategories?: number } = {}): CategoricalSummary {
    const s = new CategoricalSummary(options);
    for (const v of values) s.add(v);
    return s;
  }

  /** Any non-missing value is a category; numbers and booleans by their string form. */
  add(value: unknown): void {
    let key: string | number;
    if (typeof value === 'number') {
      if (value - value !== 0) {
        this.missingCount++;
        return;
      }
      key = value + 0; // -0 and 0 are one category ('0')
    } else if (typeof value === 'string') {
      if (value === '') {
        this.missingCount++;
        return;
      }
      key = value;
    } else if (value === null || value === undefined) {
      this.missingCount++;
      return;
    } else key = String(value);
    this.n++;
    const c = this.raw.get(key);
    if (c !== undefined) {
      this.raw.set(key, c + 1);
      return;
    }
    this.addNewKey(key);
  }

  private addNewKey(key: string | number): void {
    const name = typeof key === 'string' ? key : String(key);
    if (!this.kept.has(name)) {
      if (this.kept.size >= this.maxCategories) {
        this.overflowCount++;
        return;
      }
      this.kept.add(name);
    }
    this.raw.set(key, 1);
    this.normalised = null;
  }

  private counts(): Map<string, number> {
    if (this.normalised && this.normalisedAt === this.n) return this.normalised;
    const out = new Map<string, number>();
    for (const [k, c] of this.raw) {
      const name = typeof k === 'string' ? k : String(k);
      out.set(name, (out.get(name) ?? 0) + c);
    }
    this.normalised = out;
    this.normalisedAt = this.n;
    return out;
  }
  private normalisedAt = -1;

  /** Non-missing values, overflow included. */
  get count(): number {
    return this.n;
  }
  get missing(): number {
    return this.missingCount;
  }
  /** Categorical columns have no type mismatches: every value is a category. */
  get invalid(): number {
    return 0;
  }
  /** Rows whose category was not kept (the summary already had `maxCategories`). */
  get overflow(): number {
    return this.overflowCount;
  }
  get rows(): number {
    return this.n + this.missingCount;
  }
  /** Categories kept (a lower bound of the true number once `overflow` > 0). */
  get distinctCount(): number {
    return this.kept.size;
  }
  /** False once categories overflowed the cap. */
  get exact(): boolean {
    return this.overflowCount === 0;
  }
  countOf(category: string): number {
    return this.counts().get(category) ?? 0;
  }
  /** True when `category` is counted here (false for an unseen or overflowed one). */
  has(category: string): boolean {
    return this.kept.has(category);
  }
  /** Categories in a stable (sorted) order. */
  categories(): string[] {
    return [...this.kept].sort();
  }
  entries(): Array<[string, number]> {
    const counts = this.counts();
    return this.categories().map((k) => [k, counts.get(k) as number]);
  }

  /**
   * Both inputs; past the cap the most frequent categories are kept (ties by name)
   * and the others' rows move to `overflow`.
   */
  merge(other: CategoricalSummary): CategoricalSummary {
    const out = new CategoricalSummary({ maxCategories: Math.max(this.maxCategories, other.maxCategories) });
    const all = new Map<string, number>();
    for (const s of [this, other]) {
      for (const [k, c] of s.counts()) all.set(k, (all.get(k) ?? 0) + c);
      out.n += s.n;
      out.missingCount += s.missingCount;
      out.overflowCount += s.overflowCount;
    }
    let entries = [...all.entries()];
    if (entries.length > out.maxCategories) {
      entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      for (const [, c] of entries.slice(out.maxCategories)) out.overflowCount += c;
      entries = entries.slice(0, out.maxCategories);
    }
    for (const [k, c] of entries) {
      out.kept.add(k);
      out.raw.set(k, c);
    }
    return out;
  }

  toJSON(): CategoricalSummaryJSON {
    return {
      kind: 'categorical',
      count: this.n,
      missing: this.missingCount,
      maxCategories: this.maxCategories,
      overflow: this.overflowCount,
      categories: this.entries(),
    };
  }

  static fromJSON(json: CategoricalSummaryJSON): CategoricalSummary {
    if (json.kind !== 'categorical') throw new TypeError('not a categorical summary');
    const s = new CategoricalSummary({
      maxCategories: Math.max(json.maxCategories ?? DEFAULT_MAX_CATEGORIES, json.categories.length),
    });
    for (const [k, c] of json.categories) {
      s.kept.add(k);
      s.raw.set(k, c);
    }
    s.n = json.count;
    s.missingCount = json.missing;
    s.overflowCount = json.overflow ?? 0;
    return s;
  }
}

export type ColumnSummary = NumericSummary | CategoricalSummary;

export function columnSummaryFromJSON(json: ColumnSummaryJSON): ColumnSummary {
  return json.kind === 'numeric' ? NumericSummary.fromJSON(json) : CategoricalSummary.fromJSON(json);
}

/** A fresh, empty summary of the given kind (e.g. for a live current window). */
export function createColumnSummary(
  kind: ColumnKind,
  options: { capacity?: number; maxCategories?: number } = {},
): ColumnSummary {
  return kind === 'numeric' ? new NumericSummary(options) : new CategoricalSummary(options);
}

/** Merge two summaries of the same column spec. */
export function mergeColumnSummaries(a: ColumnSummary, b: ColumnSummary): ColumnSummary {
  if (a.kind === 'numeric' && b.kind === 'numeric') return a.merge(b);
  if (a.kind === 'categorical' && b.kind === 'categorical') return a.merge(b);
  throw new TypeError(`cannot merge a ${a.kind} summary with a ${b.kind} summary`);
}
