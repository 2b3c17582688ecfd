import { DDSketch } from '@datadog/sketches-js';

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

  constructor(relativeAccuracy = LatencySketch.RELATIVE_ACCURACY) {
    this.sketch = new DDSketch({ relativeAccuracy });
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
