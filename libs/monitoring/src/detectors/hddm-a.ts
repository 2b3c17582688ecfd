import { FlaggingDetector, RunningMean } from './change-detector';

export interface HddmAParams {
  /** Confidence (significance) of the drift test. River default 0.001. */
  driftConfidence: number;
  /** Confidence (significance) of the warning test. River default 0.005. */
  warningConfidence: number;
  /** Also watch for a DEcrease of the mean. River default false (increase only). */
  twoSidedTest: boolean;
}

export const HDDM_A_DEFAULTS: Readonly<HddmAParams> = Object.freeze({
  driftConfidence: 0.001,
  warningConfidence: 0.005,
  twoSidedTest: false,
});

/**
 * HDDM_A — drift detection based on Hoeffding's bound with the moving-average (A) test.
 *
 * Keeps the global mean Z and the prefix X whose mean + Hoeffding bound was smallest (for
 * increases) / mean − bound largest (for decreases), and signals when Z − X exceeds the
 * Hoeffding bound at the warning / drift confidence. Input: 1 = error, 0 = correct (any
 * values in [0, 1] are accepted). Resets on the update after a drift. Same semantics and
 * arithmetic as River 0.26.1 `river/drift/binary/hddm_a.py` (itself after MOA).
 *
 * Example (River's doctest, `random.Random(42)`: 1000 fair coin flips then 1000 with
 * P(1) = 0.7): first warning at 451, drift at 1206.
 *
 * Reference: I. Frías-Blanco, J. del Campo-Ávila, G. Ramos-Jiménez et al. "Online and
 * non-parametric drift detection methods based on Hoeffding's bounds." IEEE TKDE 27(3),
 * 2014, pp. 810–823.
 */
export class HddmA extends FlaggingDetector {
  readonly params: Readonly<HddmAParams>;
  private z = new RunningMean();
  private xMin = new RunningMean();
  private xMax = new RunningMean();

  constructor(params: Partial<HddmAParams> = {}) {
    super();
    this.params = Object.freeze({ ...HDDM_A_DEFAULTS, ...params });
  }

  reset(): void {
    this.warning = false;
    this.drift = false;
    this.z = new RunningMean();
    this.xMin = new RunningMean();
    this.xMax = new RunningMean();
  }

  update(x: number): void {
    if (this.drift) this.reset();
    const { driftConfidence, warningConfidence, twoSidedTest } = this.params;
    this.z.update(x);
    if (this.xMin.n === 0) this.xMin = this.z.clone();
    if (this.xMax.n === 0) this.xMax = this.z.clone();

    const epsZ = this.hoeffding(this.z.n);
    let epsX = this.hoeffding(this.xMin.n);
    if (this.xMin.mean + epsX >= this.z.mean + epsZ) this.xMin = this.z.clone();
    epsX = this.hoeffding(this.xMax.n);
    if (this.xMax.mean - epsX <= this.z.mean - epsZ) this.xMax = this.z.clone();

    if (this.meanIncreased(driftConfidence)) {
      this.warning = false;
      this.drift = true;
    } else if (this.meanIncreased(warningConfidence)) {
      this.warning = true;
      this.drift = false;
    } else {
      this.warning = false;
      this.drift = false;
    }
    if (twoSidedTest) {
      if (this.meanDecreased(driftConfidence)) this.drift = true;
      else if (this.meanDecreased(warningConfidence)) this.warning = true;
    }
  }

  private hoeffding(n: number): number {
    return Math.sqrt((1 / (2 * n)) * Math.log(1 / this.params.driftConfidence));
  }

  private meanIncreased(confidence: number): boolean {
    if (this.xMin.n === this.z.n) return false;
    const m = ((this.z.n - this.xMin.n) / this.xMin.n) * (1 / this.z.n);
    const eps = Math.sqrt((m / 2) * Math.log(2 / confidence));
    return this.z.mean - this.xMin.mean >= eps;
  }

  private meanDecreased(confidence: number): boolean {
    if (this.xMax.n === this.z.n) return false;
    const m = ((this.z.n - this.xMax.n) / this.xMax.n) * (1 / this.z.n);
    const eps = Math.sqrt((m / 2) * Math.log(2 / confidence));
    return this.xMax.mean - this.z.mean >= eps;
  }
}
