import { FlaggingDetector, RunningMean } from './change-detector';

export type PageHinkleyMode = 'up' | 'down' | 'both';

export interface PageHinkleyParams {
  /** Values seen before a change can be signalled. River default 30. */
  minInstances: number;
  /** Magnitude of change tolerated (δ). River default 0.005. */
  delta: number;
  /** Detection threshold (λ). River default 50. */
  threshold: number;
  /** Forgetting factor applied to the cumulative sums. River default 1 − 0.0001. */
  alpha: number;
  /** Watch increases (`up`), decreases (`down`) or `both`. River default `both`. */
  mode: PageHinkleyMode;
}

export const PAGE_HINKLEY_DEFAULTS: Readonly<PageHinkleyParams> = Object.freeze({
  minInstances: 30,
  delta: 0.005,
  threshold: 50,
  alpha: 1 - 0.0001,
  mode: 'both' as PageHinkleyMode,
});

/**
 * Page–Hinkley test (a CUSUM on the deviation from the running mean).
 *
 * Tracks m_T = α·m_{T−1} + (x_T − x̄_T − δ) and signals a drift when m_T − min m exceeds
 * λ (increase) or, symmetrically, max m' − m'_T exceeds λ (decrease). No warning zone.
 * Resets on the update after a drift. Same semantics and arithmetic as River 0.26.1
 * `river/drift/page_hinkley.py`.
 *
 * Example (River's doctest, stream from Python `random.Random(12345)`:
 * 1000 draws from {0,1} then 1000 from {4..7}): drift at index 1006 — see the spec.
 *
 * References: E. S. Page, "Continuous inspection schemes", Biometrika 41 (1954) 100–115;
 * R. Sebastião, J. M. Fernandes, "Supporting the Page-Hinkley test with empirical mode
 * decomposition for change detection", ISMIS 2017, pp. 492–498.
 */
export class PageHinkley extends FlaggingDetector {
  readonly params: Readonly<PageHinkleyParams>;
  private mean = new RunningMean();
  private sumIncrease = 0;
  private sumDecrease = 0;
  private minIncrease = Infinity;
  private maxDecrease = -1;

  constructor(params: Partial<PageHinkleyParams> = {}) {
    super();
    this.params = Object.freeze({ ...PAGE_HINKLEY_DEFAULTS, ...params });
    if (!['up', 'down', 'both'].includes(this.params.mode)) {
      throw new RangeError(`page-hinkley: mode must be one of up, down, both (got ${String(this.params.mode)})`);
    }
  }

  reset(): void {
    this.drift = false;
    this.mean = new RunningMean();
    this.sumIncrease = 0;
    this.sumDecrease = 0;
    this.minIncrease = Infinity;
    // River starts the running maximum at −1, not −∞; kept for index parity.
    this.maxDecrease = -1;
  }

  update(x: number): void {
    if (this.drift) this.reset();
    const { alpha, delta, threshold, minInstances, mode } = this.params;
    this.mean.update(x);
    const dev = x - this.mean.mean;
    this.sumIncrease = alpha * this.sumIncrease + dev - delta;
    this.sumDecrease = alpha * this.sumDecrease + dev + delta;
    if (this.sumIncrease < this.minIncrease) this.minIncrease = this.sumIncrease;
    if (this.sumDecrease > this.maxDecrease) this.maxDecrease = this.sumDecrease;
    if (this.mean.n >= minInstances) {
      const up = this.sumIncrease - this.minIncrease > threshold;
      const down = this.maxDecrease - this.sumDecrease > threshold;
      this.drift = mode === 'up' ? up : mode === 'down' ? down : up || down;
    }
  }
}
