import { FlaggingDetector, RunningVariance } from './change-detector';

export interface EddmParams {
  /** Values AND errors seen before warnings/drifts can be signalled. River default 30. */
  warmStart: number;
  /** Warning when (p' + 2s')/(p'_max + 2s'_max) < alpha. River default 0.95. */
  alpha: number;
  /** Drift when (p' + 2s')/(p'_max + 2s'_max) < beta. River default 0.9. */
  beta: number;
}

export const EDDM_DEFAULTS: Readonly<EddmParams> = Object.freeze({ warmStart: 30, alpha: 0.95, beta: 0.9 });

/**
 * EDDM — Early Drift Detection Method, for a stream of errors (1 = error, 0 = correct).
 *
 * Tracks the mean p' and standard deviation s' of the distance between consecutive errors;
 * when errors get closer together, (p' + 2s') falls relative to its maximum. Better than
 * DDM on gradual drift. Only updates on errors; a warning persists until the next error
 * that clears it. Resets on the update after a drift. Same semantics and arithmetic as
 * River 0.26.1 `river/drift/binary/eddm.py`.
 *
 * Example (River's doctest with alpha = 0.8, beta = 0.75, `random.Random(42)`: 1000 fair
 * coin flips then 1000 with P(1) = 0.7): first warning at 1059, drift at 1278.
 *
 * Reference: M. Baena-García, J. del Campo-Ávila, R. Fidalgo, A. Bifet, R. Gavaldà,
 * R. Morales-Bueno. "Early drift detection method." 4th International Workshop on
 * Knowledge Discovery from Data Streams, 2006.
 */
export class Eddm extends FlaggingDetector {
  readonly params: Readonly<EddmParams>;
  private distances = new RunningVariance();
  private n = 0;
  private lastError = 0;
  private nErrors = 0;
  private p2sMax = -1;

  constructor(params: Partial<EddmParams> = {}) {
    super();
    this.params = Object.freeze({ ...EDDM_DEFAULTS, ...params });
    if (this.params.alpha < this.params.beta) throw new RangeError('eddm: alpha must be greater than or equal to beta');
  }

  reset(): void {
    this.warning = false;
    this.drift = false;
    this.distances = new RunningVariance();
    this.n = 0;
    this.lastError = 0;
    this.nErrors = 0;
    this.p2sMax = -1;
  }

  update(x: number): void {
    if (this.drift) this.reset();
    this.n += 1;
    if (x !== 1) return;
    this.nErrors += 1;
    this.distances.update(this.n - this.lastError);
    if (this.n > this.params.warmStart) {
      const p2s = this.distances.mean.mean + 2 * Math.sqrt(this.distances.get());
      if (p2s > this.p2sMax) {
        this.p2sMax = p2s;
      } else if (this.nErrors > this.params.warmStart) {
        const level = p2s / this.p2sMax;
        if (level < this.params.beta) this.drift = true;
        else if (level < this.params.alpha) this.warning = true;
        else this.warning = false;
      }
    }
    this.lastError = this.n;
  }
}
