export interface RegressionObservation {
  readonly predicted: number;
  readonly actual: number;
}

export interface RegressionReport {
  readonly count: number;
  readonly mae: number;
  readonly rmse: number;
  /** Mean of |y − ŷ| / max(|y|, ε), as a fraction (scikit-learn's definition, not ×100). */
  readonly mape: number;
  readonly r2: number;
  /** Mean of (ŷ − y): positive means the model over-predicts. */
  readonly meanError: number;
}

/** Machine epsilon, scikit-learn's floor for |y| in MAPE. */
const EPS = 2.220446049250313e-16;

/**
 * Regression metrics with add, remove and merge. Error terms are plain sums; the spread of
 * the actual values (for R²) is kept as mean + M2 (Welford / Chan et al.), which stays
 * accurate when the mean is large compared to the spread. All operations O(1).
 * Definitions match scikit-learn: mean_absolute_error, root_mean_squared_error,
 * mean_absolute_percentage_error, r2_score (force_finite: 1 or 0 when the actuals are constant).
 */
export class RegressionMetrics {
  private n = 0;
  private sumError = 0;
  private sumAbsError = 0;
  private sumSqError = 0;
  private sumAbsPctError = 0;
  private meanActual = 0;
  private m2Actual = 0;

  get count(): number {
    return this.n;
  }

  add(o: RegressionObservation): void {
    const e = o.predicted - o.actual;
    this.n += 1;
    this.sumError += e;
    this.sumAbsError += Math.abs(e);
    this.sumSqError += e * e;
    this.sumAbsPctError += Math.abs(e) / Math.max(Math.abs(o.actual), EPS);
    const d = o.actual - this.meanActual;
    this.meanActual += d / this.n;
    this.m2Actual += d * (o.actual - this.meanActual);
  }

  remove(o: RegressionObservation): void {
    const e = o.predicted - o.actual;
    this.n -= 1;
    this.sumError -= e;
    this.sumAbsError -= Math.abs(e);
    this.sumSqError -= e * e;
    this.sumAbsPctError -= Math.abs(e) / Math.max(Math.abs(o.actual), EPS);
    if (this.n === 0) {
      this.meanActual = 0;
      this.m2Actual = 0;
      this.sumError = this.sumAbsError = this.sumSqError = this.sumAbsPctError = 0;
      return;
    }
    const oldMean = this.meanActual;
    this.meanActual = (oldMean * (this.n + 1) - o.actual) / this.n;
    this.m2Actual -= (o.actual - oldMean) * (o.actual - this.meanActual);
    if (this.m2Actual < 0) this.m2Actual = 0;
  }

  merge(other: RegressionMetrics): void {
    if (other.n === 0) return;
    const n = this.n + other.n;
    const d = other.meanActual - this.meanActual;
    this.m2Actual += other.m2Actual + (d * d * this.n * other.n) / n;
    this.meanActual += (d * other.n) / n;
    this.n = n;
    this.sumError += other.sumError;
    this.sumAbsError += other.sumAbsError;
    this.sumSqError += other.sumSqError;
    this.sumAbsPctError += other.sumAbsPctError;
  }

  report(): RegressionReport {
    const n = this.n;
    if (n === 0) return { count: 0, mae: NaN, rmse: NaN, mape: NaN, r2: NaN, meanError: NaN };
    let r2: number;
    if (this.m2Actual === 0) r2 = this.sumSqError === 0 ? 1 : 0;
    else r2 = 1 - this.sumSqError / this.m2Actual;
    return {
      count: n,
      mae: this.sumAbsError / n,
      rmse: Math.sqrt(this.sumSqError / n),
      mape: this.sumAbsPctError / n,
      r2,
      meanError: this.sumError / n,
    };
  }
}
