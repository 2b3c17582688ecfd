/**
 * One interface for every online change detector, so the monitor and the CLI can swap
 * them by name (see `registry.ts`).
 *
 * Semantics follow River (`river.base.DriftDetector`): `update(x)` consumes one value;
 * afterwards `driftDetected` / `warningDetected` describe that value. A detector that
 * signalled a drift resets itself at the start of the NEXT `update`, exactly like River,
 * so the flags stay readable after the call that raised them.
 */
export interface ChangeDetector {
  update(x: number): void;
  /** Detectors without a warning zone (ADWIN, Page–Hinkley) always report `false`. */
  readonly warningDetected: boolean;
  readonly driftDetected: boolean;
  /** Forget everything, as if freshly constructed with the same parameters. */
  reset(): void;
}

/**
 * The warning and drift flags every detector exposes; subclasses set them in `update`.
 * Detectors without a warning zone (ADWIN, Page–Hinkley) never set `warning`.
 */
export abstract class FlaggingDetector implements ChangeDetector {
  protected warning = false;
  protected drift = false;

  get warningDetected(): boolean {
    return this.warning;
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  abstract update(x: number): void;
  abstract reset(): void;
}

/**
 * River's `stats.Mean`, with the same arithmetic order so results are bit-identical:
 * `mean += (1 / n) * (x - mean)`.
 */
export class RunningMean {
  n = 0;
  mean = 0;

  update(x: number): void {
    this.n += 1;
    this.mean += (1 / this.n) * (x - this.mean);
  }

  clone(): RunningMean {
    const c = new RunningMean();
    c.n = this.n;
    c.mean = this.mean;
    return c;
  }
}

/** River's `stats.Var` (Welford, ddof = 1). */
export class RunningVariance {
  readonly mean = new RunningMean();
  private s = 0;

  update(x: number): void {
    const before = this.mean.mean;
    this.mean.update(x);
    this.s += (x - before) * (x - this.mean.mean);
  }

  get(): number {
    return this.mean.n > 1 ? this.s / (this.mean.n - 1) : 0;
  }
}
