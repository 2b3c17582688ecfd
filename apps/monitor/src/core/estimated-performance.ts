import { BinaryCbpe, Calibration, CBPE_METRICS, MulticlassCbpe } from '@vigil/monitoring';
import type { BinaryCbpeJSON, CbpeEstimate, CbpeMetric, MetricEstimate, MulticlassCbpeJSON } from '@vigil/monitoring';
import type { EstimatedAccuracy, EstimatedPerformanceState } from './rules/estimated-accuracy-drop';

/** One classification prediction as CBPE reads it: its class scores, the class served, its event time. */
export interface ScoredPrediction {
  scores: Readonly<Record<string, number>>;
  predictedClass: string;
  time: number;
}

/** The model configuration's estimation fields, as the estimator reads them. */
export interface EstimationSettings {
  referenceSize: number;
  window: number;
  calibration: Calibration;
}

/** The estimator's state as a checkpoint carries it (see `EstimatedPerformance`). */
export interface EstimatedPerformanceCheckpoint {
  classes: string[] | null;
  /** The calibration reference until it is complete: one [class scores…, predicted index, true index] row per labelled prediction. */
  reference: number[][];
  estimator: BinaryCbpeJSON | MulticlassCbpeJSON | null;
  referenceAccuracy: EstimatedPerformanceState['referenceAccuracy'];
  /** The open window: one [class scores…, predicted index] row per prediction, and its event-time span. */
  window: number[][];
  windowStart: number | null;
  windowEnd: number | null;
  /** The latest estimate; JSON turns an undefined metric (NaN) into null. */
  latest: (Omit<EstimatedAccuracy, 'accuracy'> & { metrics: Record<CbpeMetric, Record<keyof MetricEstimate, number | null>> }) | null;
  unscored: number;
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
  private classes: string[] | null = null;
  private reference: number[][] = [];
  private estimator: BinaryCbpe | MulticlassCbpe | null = null;
  private referenceAccuracy: EstimatedPerformanceState['referenceAccuracy'] = null;
  private window: number[][] = [];
  private windowStart = 0;
  private windowEnd = 0;
  private latest: (EstimatedAccuracy & { metrics: CbpeEstimate }) | null = null;
  unscored = 0;

  constructor(private readonly config: EstimationSettings) {}

  /** Labels still feed the calibration reference: a pending prediction must keep its scores until its label comes. */
  get calibrating(): boolean {
    return this.estimator === null;
  }

  /** Whether it has seen a scored labelled prediction: a version without any has nothing to checkpoint. */
  get started(): boolean {
    return this.classes !== null || this.unscored > 0;
  }

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
    row.push(label);
    this.reference.push(row);
    if (this.reference.length >= this.config.referenceSize) this.fit();
  }

  /** Any prediction: once calibrated, every `window` of them gives an estimate. Returns it when one completes. */
  observePrediction(prediction: ScoredPrediction): EstimatedPerformanceState['estimate'] {
    if (this.estimator === null) return null;
    const row = this.row(prediction);
    if (row === null) {
      this.unscored++;
      return null;
    }
    if (this.window.length === 0) this.windowStart = prediction.time;
    this.windowEnd = prediction.time;
    this.window.push(row);
    if (this.window.length < this.config.window) return null;
    const rows = this.window;
    this.window = [];
    const k = (this.classes as string[]).length;
    const predictions = rows.map((r) => r[k]);
    const metrics =
      this.estimator instanceof BinaryCbpe
        ? this.estimator.estimate({ scores: rows.map((r) => r[1]), predictions })
        : this.estimator.estimate({ scores: rows.map((r) => r.slice(0, k)), predictions });
    this.latest = { accuracy: metrics.accuracy, metrics, windowStart: this.windowStart, windowEnd: this.windowEnd, sampleSize: rows.length };
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

  /** The prediction's class scores in class order, then its predicted class's index; null when it cannot be estimated. */
  private row(p: ScoredPrediction): number[] | null {
    const classes = this.classes;
    const predicted = classes?.indexOf(p.predictedClass) ?? -1;
    if (classes === null || predicted < 0) return null;
    const row = classes.map((c) => p.scores[c]);
    if (!row.every((s) => typeof s === 'number' && Number.isFinite(s))) return null;
    row.push(predicted);
    return row;
  }

  private fit(): void {
    const k = (this.classes as string[]).length;
    const rows = this.reference;
    const predictions = rows.map((r) => r[k]);
    const labels = rows.map((r) => r[k + 1]);
    let correct = 0;
    for (let i = 0; i < labels.length; i++) if (labels[i] === predictions[i]) correct++;
    this.referenceAccuracy = { value: correct / labels.length, sampleSize: labels.length };
    this.estimator =
      k === 2
        ? BinaryCbpe.fit({ scores: rows.map((r) => r[1]), predictions, labels }, this.config.calibration)
        : MulticlassCbpe.fit({ scores: rows.map((r) => r.slice(0, k)), predictions, labels }, k, this.config.calibration);
    this.reference = [];
  }

  toJSON(): EstimatedPerformanceCheckpoint {
    const latest = this.latest;
    return {
      classes: this.classes,
      reference: this.reference,
      estimator: this.estimator?.toJSON() ?? null,
      referenceAccuracy: this.referenceAccuracy,
      window: this.window,
      windowStart: this.window.length > 0 ? this.windowStart : null,
      windowEnd: this.window.length > 0 ? this.windowEnd : null,
      latest: latest && { windowStart: latest.windowStart, windowEnd: latest.windowEnd, sampleSize: latest.sampleSize, metrics: latest.metrics },
      unscored: this.unscored,
    };
  }

  static fromJSON(json: EstimatedPerformanceCheckpoint, config: EstimationSettings): EstimatedPerformance {
    const e = new EstimatedPerformance(config);
    e.classes = json.classes;
    e.reference = json.reference;
    e.estimator = json.estimator === null ? null : json.estimator.kind === 'binary' ? BinaryCbpe.fromJSON(json.estimator) : MulticlassCbpe.fromJSON(json.estimator);
    e.referenceAccuracy = json.referenceAccuracy;
    e.window = json.window;
    e.windowStart = json.windowStart ?? 0;
    e.windowEnd = json.windowEnd ?? 0;
    const latest = json.latest;
    if (latest) {
      const metrics = Object.fromEntries(CBPE_METRICS.map((m) => [m, metricFromJSON(latest.metrics[m])])) as CbpeEstimate;
      e.latest = { windowStart: latest.windowStart, windowEnd: latest.windowEnd, sampleSize: latest.sampleSize, metrics, accuracy: metrics.accuracy };
    }
    e.unscored = json.unscored;
    return e;
  }
}

const metricFromJSON = (m: Record<keyof MetricEstimate, number | null>): MetricEstimate => ({
  value: m.value ?? NaN,
  samplingError: m.samplingError ?? NaN,
  lower: m.lower ?? NaN,
  upper: m.upper ?? NaN,
});

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
