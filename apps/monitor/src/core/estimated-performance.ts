import { BinaryCbpe, Calibration, CBPE_METRICS, MulticlassCbpe } from '@vigil/monitoring';
import type { CbpeEstimate } from '@vigil/monitoring';
import type { EstimatedAccuracy, EstimatedPerformanceState } from './rules/estimated-accuracy-drop';

/** One classification prediction as CBPE reads it: its class scores, the class served, its event time. */
export interface ScoredPrediction {
  scores: Readonly<Record<string, number>>;
  predictedClass: string;
  time: number;
}

/**
 * A version's CBPE estimate, kept beside its realised metrics: the calibrator is fitted on
 * the version's first `referenceSize` labelled predictions (their realised accuracy is the
 * rule's reference), then every `window` predictions, labelled or not, give one estimate
 * (tumbling windows, as NannyML's chunks). Classes are the score keys of the first
 * reference prediction, sorted; binary when there are two (the second is the positive
 * class), multiclass from three. A prediction without a finite score for every class is
 * not estimated (`unscored`).
 */
export class EstimatedPerformance {
  private readonly reference: { scores: number[][]; predictions: number[]; labels: number[] } = { scores: [], predictions: [], labels: [] };
  private classes: string[] | null = null;
  private estimator: BinaryCbpe | MulticlassCbpe | null = null;
  private referenceAccuracy: EstimatedPerformanceState['referenceAccuracy'] = null;
  private pending: ScoredPrediction[] = [];
  private latest: (EstimatedAccuracy & { metrics: CbpeEstimate }) | null = null;
  unscored = 0;

  constructor(private readonly config: { referenceSize: number; window: number; calibration: Calibration }) {}

  /** A labelled prediction: feeds the calibration reference until it is complete. */
  observeLabelled(prediction: ScoredPrediction, trueClass: string): void {
    if (this.estimator !== null) return;
    this.classes ??= Object.keys(prediction.scores).sort();
    // Fewer than two scored classes: nothing to calibrate.
    if (this.classes.length < 2) {
      this.classes = null;
      this.unscored++;
      return;
    }
    const row = this.row(prediction);
    const label = this.classes.indexOf(trueClass);
    if (row === null || label < 0) {
      this.unscored++;
      return;
    }
    this.reference.scores.push(row);
    this.reference.predictions.push(this.classes.indexOf(prediction.predictedClass));
    this.reference.labels.push(label);
    if (this.reference.labels.length >= this.config.referenceSize) this.fit();
  }

  /** Any prediction: once calibrated, every `window` of them gives an estimate. Returns it when one completes. */
  observePrediction(prediction: ScoredPrediction): EstimatedPerformanceState['estimate'] {
    if (this.estimator === null) return null;
    if (this.row(prediction) === null) {
      this.unscored++;
      return null;
    }
    this.pending.push(prediction);
    if (this.pending.length < this.config.window) return null;
    const window = this.pending;
    this.pending = [];
    const rows = window.map((p) => this.row(p) as number[]);
    const predictions = window.map((p) => (this.classes as string[]).indexOf(p.predictedClass));
    const metrics =
      this.estimator instanceof BinaryCbpe ? this.estimator.estimate({ scores: rows.map((r) => r[1]), predictions }) : this.estimator.estimate({ scores: rows, predictions });
    this.latest = { accuracy: metrics.accuracy, metrics, windowStart: window[0].time, windowEnd: window[window.length - 1].time, sampleSize: window.length };
    return this.latest;
  }

  /** What `EstimatedAccuracyDropRule` reads. */
  state(): EstimatedPerformanceState {
    return { referenceAccuracy: this.referenceAccuracy, estimate: this.latest };
  }

  /** The latest window's estimates of every CBPE metric (for snapshots), null before the first. */
  latestMetrics(): CbpeEstimate | null {
    return this.latest?.metrics ?? null;
  }

  private row(p: ScoredPrediction): number[] | null {
    const classes = this.classes;
    if (classes === null || !classes.includes(p.predictedClass)) return null;
    const row = classes.map((c) => p.scores[c]);
    return row.every((s) => typeof s === 'number' && Number.isFinite(s)) ? row : null;
  }

  private fit(): void {
    const classes = this.classes as string[];
    const { scores, predictions, labels } = this.reference;
    let correct = 0;
    for (let i = 0; i < labels.length; i++) if (labels[i] === predictions[i]) correct++;
    this.referenceAccuracy = { value: correct / labels.length, sampleSize: labels.length };
    this.estimator =
      classes.length === 2
        ? BinaryCbpe.fit({ scores: scores.map((r) => r[1]), predictions, labels }, this.config.calibration)
        : MulticlassCbpe.fit({ scores, predictions, labels }, classes.length, this.config.calibration);
    this.reference.scores = [];
    this.reference.predictions = [];
    this.reference.labels = [];
  }
}

/**
 * A window's estimates as snapshot metrics: `estimated_<metric>` with its band,
 * `estimated_<metric>_lower` / `_upper` (snapshots store metric names and values as arrays,
 * so no migration is needed). Non-finite values (a metric undefined on the window) are left out.
 */
export function estimatedSnapshotMetrics(estimate: CbpeEstimate): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const metric of CBPE_METRICS) {
    const { value, lower, upper } = estimate[metric];
    if (!Number.isFinite(value)) continue;
    metrics[`estimated_${metric}`] = value;
    metrics[`estimated_${metric}_lower`] = lower;
    metrics[`estimated_${metric}_upper`] = upper;
  }
  return metrics;
}
