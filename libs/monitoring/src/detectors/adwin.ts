import { FlaggingDetector } from './change-detector';

export interface AdwinParams {
  /** Significance value δ of the cut test. River default 0.002. */
  delta: number;
  /** Check for a change only every `clock` values. River default 32. */
  clock: number;
  /** Buckets of each size kept before two are merged (ADWIN2 compression, M). River default 5. */
  maxBuckets: number;
  /** Sub-windows shorter than this are not tested. River default 5. */
  minWindowLength: number;
  /** No test until the window holds more than this many values. River default 10. */
  gracePeriod: number;
}

export const ADWIN_DEFAULTS: Readonly<AdwinParams> = Object.freeze({
  delta: 0.002,
  clock: 32,
  maxBuckets: 5,
  minWindowLength: 5,
  gracePeriod: 10,
});

/** One row of the exponential histogram: up to `maxBuckets + 1` summaries of 2^row values. */
class BucketRow {
  count = 0;
  readonly totals: Float64Array;
  readonly variances: Float64Array;

  constructor(maxBuckets: number) {
    this.totals = new Float64Array(maxBuckets + 1);
    this.variances = new Float64Array(maxBuckets + 1);
  }

  insert(total: number, variance: number): void {
    this.totals[this.count] = total;
    this.variances[this.count] = variance;
    this.count += 1;
  }

  /** Drop the `k` oldest summaries. */
  shift(k: number): void {
    this.totals.copyWithin(0, k, this.count);
    this.variances.copyWithin(0, k, this.count);
    for (let i = this.count - k; i < this.count; i++) {
      this.totals[i] = 0;
      this.variances[i] = 0;
    }
    this.count -= k;
  }
}

/**
 * ADWIN — ADaptive WINdowing.
 *
 * Keeps a variable-length window of recent values, compressed into an exponential
 * histogram of buckets (row i holds summaries of 2^i values). Every `clock` values it
 * tries each cut of the window into an older part W0 and a newer part W1 and drops the
 * oldest bucket while |mean(W0) − mean(W1)| exceeds the Hoeffding-style bound ε_cut.
 * A drift is reported if anything was dropped. As in River 0.26.1, the detector starts
 * from an empty window on the update after a drift.
 *
 * A line-by-line port of River 0.26.1 (`rust_src/adwin.rs`, itself a port of
 * `river/drift/adwin_c.pyx`): same clock, same bucket merging, same arithmetic order, so
 * the detection indices are identical (checked against `fixtures/detector-adwin.json`).
 *
 * Example (River's doctest, stream from Python `random.Random(12345)`:
 * 1000 draws from {0,1} then 1000 from {4..7}): drift at index 1023 — see `adwin.spec.ts`.
 *
 * Reference: A. Bifet, R. Gavaldà. "Learning from time-changing data with adaptive
 * windowing." SIAM International Conference on Data Mining, 2007, pp. 443–448.
 */
export class Adwin extends FlaggingDetector {
  readonly params: Readonly<AdwinParams>;

  private rows: BucketRow[] = [];
  private total = 0;
  private variance = 0;
  private widthValue = 0;
  private tick = 0;
  private detections = 0;

  constructor(params: Partial<AdwinParams> = {}) {
    super();
    this.params = Object.freeze({ ...ADWIN_DEFAULTS, ...params });
    if (!(this.params.delta > 0 && this.params.delta < 1)) throw new RangeError('adwin: delta must be in (0, 1)');
    if (!(this.params.clock >= 1)) throw new RangeError('adwin: clock must be >= 1');
    if (!(this.params.maxBuckets >= 1)) throw new RangeError('adwin: maxBuckets must be >= 1');
    this.reset();
  }

  /** Number of values currently in the adaptive window. */
  get width(): number {
    return this.widthValue;
  }

  /** Mean of the values in the adaptive window (0 when empty). */
  get estimation(): number {
    return this.widthValue === 0 ? 0 : this.total / this.widthValue;
  }

  /** Drifts detected since the last reset (River resets after each drift, so 0 or 1). */
  get nDetections(): number {
    return this.detections;
  }

  reset(): void {
    this.drift = false;
    this.rows = [new BucketRow(this.params.maxBuckets)];
    this.total = 0;
    this.variance = 0;
    this.widthValue = 0;
    this.tick = 0;
    this.detections = 0;
  }

  update(x: number): void {
    if (this.drift) this.reset();
    this.insert(x);
    this.drift = this.detectChange();
  }

  private insert(value: number): void {
    this.rows[0].insert(value, 0);
    this.widthValue += 1;
    let incremental = 0;
    if (this.widthValue > 1) {
      const d = value - this.total / (this.widthValue - 1);
      incremental = ((this.widthValue - 1) * d * d) / this.widthValue;
    }
    this.variance += incremental;
    this.total += value;
    this.compress();
  }

  private compress(): void {
    const max = this.params.maxBuckets;
    for (let idx = 0; ; idx++) {
      const row = this.rows[idx];
      if (row.count !== max + 1) break;
      const n1 = 2 ** idx;
      const t0 = row.totals[0];
      const t1 = row.totals[1];
      const mu1 = t0 / n1;
      const mu2 = t1 / n1;
      const v12 = row.variances[0] + row.variances[1] + n1 * 0.5 * (mu1 - mu2) * (mu1 - mu2);
      if (idx + 1 >= this.rows.length) this.rows.push(new BucketRow(max));
      const next = this.rows[idx + 1];
      next.insert(t0 + t1, v12);
      row.shift(2);
      if (next.count <= max) break;
    }
  }

  private deleteOldest(): void {
    const last = this.rows.length - 1;
    const row = this.rows[last];
    const n = 2 ** last;
    const u = row.totals[0];
    const v = row.variances[0];
    const mu = u / n;
    this.widthValue -= n;
    this.total -= u;
    const muWindow = this.total / this.widthValue;
    this.variance -= v + (n * this.widthValue * (mu - muWindow) * (mu - muWindow)) / (n + this.widthValue);
    row.shift(1);
    if (row.count === 0) this.rows.pop();
  }

  private detectChange(): boolean {
    const { clock, gracePeriod, minWindowLength } = this.params;
    let changed = false;
    this.tick += 1;
    if (this.tick % clock === 0 && this.widthValue > gracePeriod) {
      let reduce = true;
      while (reduce) {
        reduce = false;
        let n0 = 0;
        let n1 = this.widthValue;
        let u0 = 0;
        let u1 = this.total;
        outer: for (let idx = this.rows.length - 1; idx >= 0; idx--) {
          const size = 2 ** idx;
          const row = this.rows[idx];
          const count = row.count;
          for (let k = 0; k < count; k++) {
            n0 += size;
            n1 -= size;
            const t = row.totals[k];
            u0 += t;
            u1 -= t;
            // The last summary of row 0 leaves W1 empty: every cut has been tried.
            if (idx === 0 && k === count - 1) break outer;
            const deltaMean = u0 / n0 - u1 / n1;
            if (n1 >= minWindowLength && n0 >= minWindowLength && this.cutHolds(n0, n1, deltaMean)) {
              reduce = true;
              changed = true;
              if (this.widthValue > 0) {
                this.deleteOldest();
                break outer;
              }
            }
          }
        }
      }
    }
    if (changed) this.detections += 1;
    return changed;
  }

  private cutHolds(n0: number, n1: number, deltaMean: number): boolean {
    const { delta, minWindowLength } = this.params;
    const deltaPrime = Math.log((2 * Math.log(this.widthValue)) / delta);
    const mRecip = 1 / (n0 - minWindowLength + 1) + 1 / (n1 - minWindowLength + 1);
    const epsilon = Math.sqrt(2 * mRecip * (this.variance / this.widthValue) * deltaPrime) + (2 / 3) * deltaPrime * mRecip;
    return Math.abs(deltaMean) > epsilon;
  }
}
