import { DDSketch } from '@datadog/sketches-js';

/**
 * A sketch as JSON: its non-empty buckets as [key, count] (keys of the logarithmic mapping,
 * which `relativeAccuracy` fixes), its zeros, and the summary statistics. DDSketch's own
 * protobuf is not used: it stores the mapping's gamma rounded, so quantiles came back off
 * by ~1e-14.
 */
export interface LatencySketchJSON {
  relativeAccuracy: number;
  buckets: [number, number][];
  zeroCount: number;
  min: number | null;
  max: number | null;
  sum: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Latency quantiles with a mergeable DDSketch (relative accuracy α = 1 %).
 *
 * Error bound: for a quantile q the returned value v̂ satisfies |v̂ − v_q| ≤ α·v_q, where
 * v_q is the exact value of rank ⌊q·(n − 1)⌋ in the data added — i.e. within 1 % of a true
 * sample value, for any distribution and any n (Masson, Rim, Lee, "DDSketch: a fast and
 * fully-mergeable quantile sketch with relative-error guarantees", VLDB 2019). Merging
 * sketches keeps the same bound, so per-pane sketches merge into window quantiles.
 * Memory: O(log(max/min)/α) buckets (~ 1 150 for 1 µs … 1 h at 1 %). No removal: use one
 * sketch per time-window pane and `merge`.
 */
export class LatencySketch {
  static readonly RELATIVE_ACCURACY = 0.01;
  private readonly sketch: DDSketch;

  constructor(private readonly relativeAccuracy = LatencySketch.RELATIVE_ACCURACY) {
    this.sketch = new DDSketch({ relativeAccuracy });
  }

  /** Exact round trip: the same buckets (hence quantiles), count, min, max and sum. */
  toJSON(): LatencySketchJSON {
    const { store } = this.sketch;
    const buckets: [number, number][] = [];
    store.bins.forEach((count, index) => {
      if (count > 0) buckets.push([index + store.offset, count]);
    });
    const empty = this.sketch.count === 0;
    return {
      relativeAccuracy: this.relativeAccuracy,
      buckets,
      zeroCount: this.sketch.zeroCount,
      min: empty ? null : this.sketch.min,
      max: empty ? null : this.sketch.max,
      sum: this.sketch.sum,
    };
  }

  static fromJSON(json: LatencySketchJSON): LatencySketch {
    const out = new LatencySketch(json.relativeAccuracy);
    const sketch = out.sketch;
    for (const [key, count] of json.buckets) sketch.store.add(key, count);
    sketch.zeroCount = json.zeroCount;
    sketch.count = json.zeroCount + sketch.store.count;
    sketch.min = json.min ?? Infinity;
    sketch.max = json.max ?? -Infinity;
    sketch.sum = json.sum;
    return out;
  }

  get count(): number {
    return this.sketch.count;
  }

  /** Adds one latency (any unit; Vigil uses milliseconds). Negative values are rejected. */
  add(latency: number): void {
    if (!(latency >= 0) || !Number.isFinite(latency)) throw new RangeError(`latency must be a finite non-negative number, got ${latency}`);
    this.sketch.accept(latency);
  }

  merge(other: LatencySketch): void {
    if (other.sketch.count > 0) this.sketch.merge(other.sketch);
  }

  quantile(q: number): number {
    return this.sketch.count === 0 ? NaN : this.sketch.getValueAtQuantile(q);
  }

  summary(): LatencySummary {
    const empty = this.sketch.count === 0;
    return {
      count: this.sketch.count,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      min: empty ? NaN : this.sketch.min,
      max: empty ? NaN : this.sketch.max,
    };
  }
}
