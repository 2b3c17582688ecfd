import { FlaggingDetector } from './change-detector';

export interface HddmWParams {
  /** Confidence (significance) of the drift test. River default 0.001. */
  driftConfidence: number;
  /** Confidence (significance) of the warning test. River default 0.005. */
  warningConfidence: number;
  /** EWMA weight of the newest value (λ); larger adapts faster. River default 0.05. */
  lambdaVal: number;
  /** Also watch for a DEcrease of the mean. River default false (increase only). */
  twoSidedTest: boolean;
}

export const HDDM_W_DEFAULTS: Readonly<HddmWParams> = Object.freeze({
  driftConfidence: 0.001,
  warningConfidence: 0.005,
  lambdaVal: 0.05,
  twoSidedTest: false,
});

/** An exponentially weighted mean and its independent-bounded-condition term (River `SampleInfo`). */
class Sample {
  ewma = 0;
  isInit = false;
  ibc = 1;

  constructor(
    private readonly lambda: number,
    private readonly oneMinusLambda: number,
  ) {}

  update(x: number): void {
    // River's EWMean: the first value is taken as is.
    this.ewma = this.isInit ? this.lambda * x + this.oneMinusLambda * this.ewma : x;
    this.isInit = true;
    this.ibc = this.lambda * this.lambda + this.oneMinusLambda * this.oneMinusLambda * this.ibc;
  }

  clone(): Sample {
    const c = new Sample(this.lambda, this.oneMinusLambda);
    c.ewma = this.ewma;
    c.isInit = this.isInit;
    c.ibc = this.ibc;
    return c;
  }
}

/**
 * HDDM_W — drift detection based on McDiarmid's bound with the weighted-moving-average (W)
 * test, for a stream of errors (1 = error, 0 = correct).
 *
 * Splits the stream at the cut point where EWMA + bound was smallest (increase) / EWMA −
 * bound largest (decrease) and compares the EWMA after the cut with the EWMA at the cut.
 * Reacts faster than HDDM_A to recent change. Resets on the update after a drift. Same
 * semantics and arithmetic as River 0.26.1 `river/drift/binary/hddm_w.py` (after MOA).
 *
 * Example (River's doctest, `random.Random(42)`: 1000 fair coin flips then 1000 with
 * P(1) = 0.7): first warning at 451, drift at 1077.
 *
 * Reference: I. Frías-Blanco, J. del Campo-Ávila, G. Ramos-Jiménez et al. "Online and
 * non-parametric drift detection methods based on Hoeffding's bounds." IEEE TKDE 27(3),
 * 2014, pp. 810–823.
 */
export class HddmW extends FlaggingDetector {
  readonly params: Readonly<HddmWParams>;
  private readonly oneMinusLambda: number;
  private total!: Sample;
  private s1Incr!: Sample;
  private s2Incr!: Sample;
  private s1Decr!: Sample;
  private s2Decr!: Sample;
  private incrCutpoint = Infinity;
  private decrCutpoint = -Infinity;

  constructor(params: Partial<HddmWParams> = {}) {
    super();
    this.params = Object.freeze({ ...HDDM_W_DEFAULTS, ...params });
    if (!(this.params.lambdaVal >= 0 && this.params.lambdaVal <= 1)) throw new RangeError('hddm-w: lambdaVal must be in [0, 1]');
    this.oneMinusLambda = 1 - this.params.lambdaVal;
    this.reset();
  }

  reset(): void {
    this.warning = false;
    this.drift = false;
    this.total = this.sample();
    this.s1Incr = this.sample();
    this.s2Incr = this.sample();
    this.s1Decr = this.sample();
    this.s2Decr = this.sample();
    this.incrCutpoint = Infinity;
    this.decrCutpoint = -Infinity;
  }

  update(x: number): void {
    if (this.drift) this.reset();
    const { driftConfidence, warningConfidence, twoSidedTest } = this.params;
    this.total.update(x);

    let eps = this.mcdiarmid(this.total.ibc, driftConfidence);
    if (this.total.ewma + eps < this.incrCutpoint) {
      this.incrCutpoint = this.total.ewma + eps;
      this.s1Incr = this.total.clone();
      this.s2Incr = this.sample();
    } else {
      this.s2Incr.update(x);
    }
    if (this.changed(this.s1Incr, this.s2Incr, driftConfidence)) {
      this.warning = false;
      this.drift = true;
    } else if (this.changed(this.s1Incr, this.s2Incr, warningConfidence)) {
      this.warning = true;
      this.drift = false;
    } else {
      this.warning = false;
      this.drift = false;
    }

    eps = this.mcdiarmid(this.total.ibc, driftConfidence);
    if (this.total.ewma - eps > this.decrCutpoint) {
      this.decrCutpoint = this.total.ewma - eps;
      this.s1Decr = this.total.clone();
      this.s2Decr = this.sample();
    } else {
      this.s2Decr.update(x);
    }
    if (twoSidedTest) {
      if (this.changed(this.s2Decr, this.s1Decr, driftConfidence)) this.drift = true;
      else if (this.changed(this.s2Decr, this.s1Decr, warningConfidence)) this.warning = true;
    }
  }

  private sample(): Sample {
    return new Sample(this.params.lambdaVal, this.oneMinusLambda);
  }

  private mcdiarmid(ibc: number, confidence: number): number {
    return Math.sqrt((ibc * Math.log(1 / confidence)) / 2);
  }

  /** True when `after` exceeds `before` by more than the McDiarmid bound. */
  private changed(before: Sample, after: Sample, confidence: number): boolean {
    if (!(before.isInit && after.isInit)) return false;
    return after.ewma - before.ewma > this.mcdiarmid(before.ibc + after.ibc, confidence);
  }
}
