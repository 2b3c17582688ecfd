/**
 * Isotonic calibration of scores into probabilities, as scikit-learn's
 * `IsotonicRegression(increasing=True, out_of_bounds='clip')` (NannyML's default CBPE
 * calibrator): scores tied in the reference are merged into their mean label, the
 * pool-adjacent-violators algorithm makes the means non-decreasing, and a score is mapped
 * by linear interpolation between the fitted points, clipped to the reference range.
 */
/** A fitted calibrator as a checkpoint carries it: the fitted points that `calibrate` can tell apart. */
export interface IsotonicCalibratorJSON {
  xs: number[];
  ys: number[];
}

export class IsotonicCalibrator {
  private constructor(
    private readonly xs: Float64Array,
    private readonly ys: Float64Array,
  ) {}

  /** Fits on reference scores and their 0/1 outcomes (same length, at least one point). */
  static fit(scores: ArrayLike<number>, outcomes: ArrayLike<number>): IsotonicCalibrator {
    if (scores.length !== outcomes.length) throw new RangeError(`isotonic fit: ${scores.length} scores but ${outcomes.length} outcomes`);
    if (scores.length === 0) throw new RangeError('isotonic fit: no reference points');
    const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
    // Blocks of the PAV algorithm: each holds its first score, its weight and its mean outcome.
    const blockX: number[] = [];
    const blockW: number[] = [];
    const blockY: number[] = [];
    for (const i of order) {
      const x = scores[i];
      const last = blockX.length - 1;
      if (last >= 0 && blockX[last] === x) {
        blockY[last] = (blockY[last] * blockW[last] + outcomes[i]) / (blockW[last] + 1);
        blockW[last] += 1;
      } else {
        blockX.push(x);
        blockW.push(1);
        blockY.push(outcomes[i]);
      }
    }
    const xs = Float64Array.from(blockX);
    const fitted = pav(blockY, blockW);
    return new IsotonicCalibrator(xs, Float64Array.from(fitted));
  }

  /**
   * Keeps the first and last point of every run of equal fitted values and drops the rest:
   * between two kept points of one run, interpolation gives that run's value whatever
   * lies between, so `calibrate` returns the same bits for every score (a PAV fit of 2 000
   * reference points has a few dozen runs).
   */
  toJSON(): IsotonicCalibratorJSON {
    const { xs, ys } = this;
    const keep = (k: number): boolean => k === 0 || k === xs.length - 1 || ys[k] !== ys[k - 1] || ys[k] !== ys[k + 1];
    const out: IsotonicCalibratorJSON = { xs: [], ys: [] };
    for (let k = 0; k < xs.length; k++) {
      if (!keep(k)) continue;
      out.xs.push(xs[k]);
      out.ys.push(ys[k]);
    }
    return out;
  }

  static fromJSON(json: IsotonicCalibratorJSON): IsotonicCalibrator {
    if (json.xs.length === 0 || json.xs.length !== json.ys.length) throw new RangeError(`isotonic calibrator: ${json.xs.length} points but ${json.ys.length} values`);
    return new IsotonicCalibrator(Float64Array.from(json.xs), Float64Array.from(json.ys));
  }

  calibrate(score: number): number {
    const { xs, ys } = this;
    const n = xs.length;
    if (score <= xs[0]) return ys[0];
    if (score >= xs[n - 1]) return ys[n - 1];
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] <= score) lo = mid;
      else hi = mid;
    }
    return ys[lo] + ((ys[hi] - ys[lo]) * (score - xs[lo])) / (xs[hi] - xs[lo]);
  }
}

/** Pool adjacent violators: the weighted least-squares non-decreasing fit of `y`. */
function pav(y: readonly number[], w: readonly number[]): number[] {
  const means: number[] = [];
  const weights: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < y.length; i++) {
    means.push(y[i]);
    weights.push(w[i]);
    sizes.push(1);
    while (means.length > 1 && means[means.length - 2] > means[means.length - 1]) {
      const m2 = means.pop() as number;
      const w2 = weights.pop() as number;
      const s2 = sizes.pop() as number;
      const k = means.length - 1;
      means[k] = (means[k] * weights[k] + m2 * w2) / (weights[k] + w2);
      weights[k] += w2;
      sizes[k] += s2;
    }
  }
  const out: number[] = [];
  means.forEach((m, k) => {
    for (let j = 0; j < sizes[k]; j++) out.push(m);
  });
  return out;
}
