import { FlaggingDetector, RunningMean } from './change-detector';

export interface DdmParams {
  /** Values seen before warnings/drifts can be signalled. River default 30. */
  warmStart: number;
  /** Warning when p + s > p_min + warningThreshold·s_min (≈95 % confidence). River default 2. */
  warningThreshold: number;
  /** Drift when p + s > p_min + driftThreshold·s_min (≈99 % confidence). River default 3. */
  driftThreshold: number;
}

export const DDM_DEFAULTS: Readonly<DdmParams> = Object.freeze({ warmStart: 30, warningThreshold: 2, driftThreshold: 3 });

/**
 * DDM — Drift Detection Method, for a stream of errors (1 = the model was wrong, 0 = right).
 *
 * Models the error rate p_i with standard deviation s_i = sqrt(p_i(1 − p_i)/i), remembers
 * p_min and s_min where p + s was smallest, and signals a warning / drift when p_i + s_i
 * rises above p_min + w·s_min / p_min + d·s_min. Resets on the update after a drift.
 * Same semantics and arithmetic as River 0.26.1 `river/drift/binary/ddm.py`.
 *
 * Example (River's doctest, `random.Random(42)`: 1000 fair coin flips then 1000 with
 * P(1) = 0.7): first warning at 1084, drift at 1334, next warning at 1492 — see the spec.
 *
 * Reference: J. Gama, P. Medas, G. Castillo, P. Rodrigues. "Learning with drift detection."
 * SBIA 2004, pp. 286–295.
 */
export class Ddm extends FlaggingDetector {
  readonly params: Readonly<DdmParams>;
  private p = new RunningMean();
  private pMin = 0;
  private sMin = 0;
  private psMin = Infinity;

  constructor(params: Partial<DdmParams> = {}) {
    super();
    this.params = Object.freeze({ ...DDM_DEFAULTS, ...params });
  }

  reset(): void {
    this.warning = false;
    this.drift = false;
    this.p = new RunningMean();
    this.pMin = 0;
    this.sMin = 0;
    this.psMin = Infinity;
  }

  update(x: number): void {
    if (this.drift) this.reset();
    this.p.update(x);
    const p = this.p.mean;
    const n = this.p.n;
    const s = Math.sqrt((p * (1 - p)) / n);
    if (n > this.params.warmStart) {
      if (p + s <= this.psMin) {
        this.pMin = p;
        this.sMin = s;
        this.psMin = this.pMin + this.sMin;
      }
      this.warning = p + s > this.pMin + this.params.warningThreshold * this.sMin;
      if (p + s > this.pMin + this.params.driftThreshold * this.sMin) {
        this.drift = true;
        this.warning = false;
      }
    }
  }
}
