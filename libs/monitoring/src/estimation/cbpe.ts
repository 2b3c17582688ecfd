/**
 * Confidence-based performance estimation (CBPE, after NannyML 0.13.1
 * `nannyml/performance_estimation/confidence_based/`): with scores calibrated on a labelled
 * reference window, a prediction's calibrated score is the probability that it is right, so
 * the expected confusion matrix of a window — and every metric built on it — follows from
 * the scores alone, before any label arrives.
 *
 * Assumptions (docs/estimation.md): the calibration learnt on the reference still holds,
 * i.e. P(y | x) does not change (covariate shift only, no concept drift), and the reference
 * is large enough for the isotonic fit. Vigil always calibrates unless told `calibration:
 * 'none'`; NannyML first checks by cross-validated expected calibration error whether
 * calibration helps and skips it if not.
 *
 * Binary: scores are P(class 1), predictions 0/1. Multiclass: one score row per prediction
 * (classes in a fixed order), predictions and labels are class indices, metrics are
 * one-vs-rest macro averages as NannyML's.
 */
import { IsotonicCalibrator, IsotonicCalibratorJSON } from './isotonic';
import {
  binarySamplingError,
  ErrorComponent,
  f1Component,
  multiclassSamplingError,
  populationVariance,
  precisionComponent,
  recallComponent,
  rocAucComponent,
} from './sampling-error';

export const CBPE_METRICS = ['accuracy', 'precision', 'recall', 'f1', 'roc_auc'] as const;
export type CbpeMetric = (typeof CBPE_METRICS)[number];

/** NannyML's confidence band: estimate ± 3 sampling errors, clipped to [0, 1]. */
export const SAMPLING_ERROR_RANGE = 3;

export interface MetricEstimate {
  readonly value: number;
  readonly samplingError: number;
  readonly lower: number;
  readonly upper: number;
}
export type CbpeEstimate = Record<CbpeMetric, MetricEstimate>;
export type Calibration = 'isotonic' | 'none';

function band(value: number, samplingError: number): MetricEstimate {
  return {
    value,
    samplingError,
    lower: Math.max(0, value - SAMPLING_ERROR_RANGE * samplingError),
    upper: Math.min(1, value + SAMPLING_ERROR_RANGE * samplingError),
  };
}

interface Expected {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Expected confusion counts of one class (one-vs-rest) from calibrated probabilities. */
function expectedCounts(predictedPositive: ArrayLike<number>, probability: ArrayLike<number>): Expected {
  const e = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i];
    if (predictedPositive[i] === 1) {
      e.tp += p;
      e.fp += 1 - p;
    } else {
      e.fn += p;
      e.tn += 1 - p;
    }
  }
  return e;
}

const ratio = (num: number, den: number): number => (den !== 0 ? num / den : 0);
const precisionOf = (e: Expected): number => ratio(e.tp, e.tp + e.fp);
const recallOf = (e: Expected): number => ratio(e.tp, e.tp + e.fn);
const f1Of = (e: Expected): number => ratio(e.tp, e.tp + 0.5 * (e.fp + e.fn));

/**
 * Estimated ROC AUC (NannyML's `estimate_roc_auc`): predictions ordered by the model's own
 * score, each contributing its calibrated probability of being positive to the expected
 * true-positive count and the rest to the false-positive count; cumulative counts rounded
 * to 5 decimals as NannyML does; the trapezoid area under the expected ROC curve.
 */
export function estimateRocAuc(calibrated: ArrayLike<number>, uncalibrated: ArrayLike<number>): number {
  const n = calibrated.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => uncalibrated[b] - uncalibrated[a]);
  const round5 = (x: number): number => Math.round(x * 1e5) / 1e5;
  const tps = new Float64Array(n + 1);
  const fps = new Float64Array(n + 1);
  let tp = 0;
  for (let k = 0; k < n; k++) {
    tp += calibrated[order[k]];
    tps[k + 1] = round5(tp);
    fps[k + 1] = round5(k + 1 - tp);
  }
  const tpTotal = tps[n];
  const fpTotal = fps[n];
  let area = 0;
  for (let k = 1; k <= n; k++) area += ((fps[k] - fps[k - 1]) / fpTotal) * ((tps[k] + tps[k - 1]) / tpTotal / 2);
  return area;
}

export interface BinaryReference {
  readonly scores: ArrayLike<number>;
  readonly predictions: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
}
export interface BinaryWindow {
  readonly scores: ArrayLike<number>;
  readonly predictions: ArrayLike<number>;
}

function checkLengths(what: string, ...lengths: number[]): void {
  if (lengths.some((l) => l !== lengths[0])) throw new RangeError(`${what}: scores, predictions and labels differ in length (${lengths.join(', ')})`);
  if (lengths[0] === 0) throw new RangeError(`${what}: empty`);
}

/** A sampling-error component in JSON: an undefined spread (NaN, e.g. F1 with no relevant reference row) is null there. */
export interface ErrorComponentJSON {
  spread: number | null;
  fraction: number;
}
const componentToJSON = (c: ErrorComponent): ErrorComponentJSON => ({ spread: Number.isNaN(c.spread) ? null : c.spread, fraction: c.fraction });
const componentFromJSON = (c: ErrorComponentJSON): ErrorComponent => ({ spread: c.spread ?? NaN, fraction: c.fraction });
type ComponentMetric = 'precision' | 'recall' | 'f1' | 'roc_auc';
const COMPONENT_METRICS: readonly ComponentMetric[] = ['precision', 'recall', 'f1', 'roc_auc'];
function mapComponents<A, B>(components: Record<ComponentMetric, A>, f: (a: A) => B): Record<ComponentMetric, B> {
  return Object.fromEntries(COMPONENT_METRICS.map((m) => [m, f(components[m])])) as Record<ComponentMetric, B>;
}

/** A fitted estimator as a checkpoint carries it, so a restored monitor estimates exactly as before. */
export interface BinaryCbpeJSON {
  kind: 'binary';
  calibrator: IsotonicCalibratorJSON | null;
  accuracyStd: number;
  components: Record<ComponentMetric, ErrorComponentJSON>;
}
export interface MulticlassCbpeJSON {
  kind: 'multiclass';
  classCount: number;
  calibrators: (IsotonicCalibratorJSON | null)[];
  accuracyStd: number;
  components: Record<ComponentMetric, ErrorComponentJSON[]>;
}

export class BinaryCbpe {
  private constructor(
    private readonly calibrator: IsotonicCalibrator | null,
    private readonly accuracyStd: number,
    private readonly components: Record<ComponentMetric, ErrorComponent>,
  ) {}

  static fit(reference: BinaryReference, calibration: Calibration = 'isotonic'): BinaryCbpe {
    const { scores, predictions, labels } = reference;
    checkLengths('CBPE reference', scores.length, predictions.length, labels.length);
    const correct = Array.from({ length: labels.length }, (_, i) => (labels[i] === predictions[i] ? 1 : 0));
    return new BinaryCbpe(calibration === 'isotonic' ? IsotonicCalibrator.fit(scores, labels) : null, Math.sqrt(populationVariance(correct)), {
      precision: precisionComponent(labels, predictions, false),
      recall: recallComponent(labels, predictions, false),
      f1: f1Component(labels, predictions, false),
      roc_auc: rocAucComponent(labels, scores, false),
    });
  }

  toJSON(): BinaryCbpeJSON {
    return { kind: 'binary', calibrator: this.calibrator?.toJSON() ?? null, accuracyStd: this.accuracyStd, components: mapComponents(this.components, componentToJSON) };
  }

  static fromJSON(json: BinaryCbpeJSON): BinaryCbpe {
    return new BinaryCbpe(json.calibrator ? IsotonicCalibrator.fromJSON(json.calibrator) : null, json.accuracyStd, mapComponents(json.components, componentFromJSON));
  }

  calibrate(score: number): number {
    return this.calibrator ? this.calibrator.calibrate(score) : score;
  }

  estimate(window: BinaryWindow): CbpeEstimate {
    const { scores, predictions } = window;
    checkLengths('CBPE window', scores.length, predictions.length);
    const n = scores.length;
    const calibrated = Float64Array.from({ length: n }, (_, i) => this.calibrate(scores[i]));
    const e = expectedCounts(predictions, calibrated);
    return {
      accuracy: band((e.tp + e.tn) / n, this.accuracyStd / Math.sqrt(n)),
      precision: band(precisionOf(e), binarySamplingError(this.components.precision, n)),
      recall: band(recallOf(e), binarySamplingError(this.components.recall, n)),
      f1: band(f1Of(e), binarySamplingError(this.components.f1, n)),
      roc_auc: band(estimateRocAuc(calibrated, scores), binarySamplingError(this.components.roc_auc, n)),
    };
  }
}

export interface MulticlassReference {
  /** One row of class scores per prediction, classes in a fixed order. */
  readonly scores: readonly ArrayLike<number>[];
  /** Predicted class indices. */
  readonly predictions: ArrayLike<number>;
  /** True class indices. */
  readonly labels: ArrayLike<number>;
}
export interface MulticlassWindow {
  readonly scores: readonly ArrayLike<number>[];
  readonly predictions: ArrayLike<number>;
}

const oneVsRest = (classes: ArrayLike<number>, k: number): Uint8Array => Uint8Array.from({ length: classes.length }, (_, i) => (classes[i] === k ? 1 : 0));
const column = (rows: readonly ArrayLike<number>[], k: number): Float64Array => Float64Array.from(rows, (row) => row[k]);
const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

export class MulticlassCbpe {
  private constructor(
    private readonly classCount: number,
    private readonly calibrators: readonly (IsotonicCalibrator | null)[],
    private readonly accuracyStd: number,
    private readonly components: Record<ComponentMetric, readonly ErrorComponent[]>,
  ) {}

  static fit(reference: MulticlassReference, classCount: number, calibration: Calibration = 'isotonic'): MulticlassCbpe {
    const { scores, predictions, labels } = reference;
    checkLengths('CBPE reference', scores.length, predictions.length, labels.length);
    if (classCount < 3) throw new RangeError(`multiclass CBPE needs at least 3 classes, got ${classCount} (use BinaryCbpe)`);
    const classes = Array.from({ length: classCount }, (_, k) => k);
    const truths = classes.map((k) => oneVsRest(labels, k));
    const preds = classes.map((k) => oneVsRest(predictions, k));
    const correct = Array.from({ length: labels.length }, (_, i) => (labels[i] === predictions[i] ? 1 : 0));
    return new MulticlassCbpe(
      classCount,
      classes.map((k) => (calibration === 'isotonic' ? IsotonicCalibrator.fit(column(scores, k), truths[k]) : null)),
      Math.sqrt(populationVariance(correct)),
      {
        precision: classes.map((k) => precisionComponent(truths[k], preds[k], true)),
        recall: classes.map((k) => recallComponent(truths[k], preds[k], true)),
        f1: classes.map((k) => f1Component(truths[k], preds[k], true)),
        roc_auc: classes.map((k) => rocAucComponent(truths[k], column(scores, k), true)),
      },
    );
  }

  toJSON(): MulticlassCbpeJSON {
    return {
      kind: 'multiclass',
      classCount: this.classCount,
      calibrators: this.calibrators.map((c) => c?.toJSON() ?? null),
      accuracyStd: this.accuracyStd,
      components: mapComponents(this.components, (cs) => cs.map(componentToJSON)),
    };
  }

  static fromJSON(json: MulticlassCbpeJSON): MulticlassCbpe {
    return new MulticlassCbpe(
      json.classCount,
      json.calibrators.map((c) => (c ? IsotonicCalibrator.fromJSON(c) : null)),
      json.accuracyStd,
      mapComponents(json.components, (cs) => cs.map(componentFromJSON)),
    );
  }

  /** Per-class calibration, then each row renormalised to sum to 1 (uniform if it sums to 0), as NannyML. */
  calibrate(row: ArrayLike<number>): Float64Array {
    const out = Float64Array.from({ length: this.classCount }, (_, k) => this.calibrators[k]?.calibrate(row[k]) ?? row[k]);
    const sum = out.reduce((s, p) => s + p, 0);
    return sum !== 0 ? out.map((p) => p / sum) : out.fill(1 / this.classCount);
  }

  estimate(window: MulticlassWindow): CbpeEstimate {
    const { scores, predictions } = window;
    checkLengths('CBPE window', scores.length, predictions.length);
    const n = scores.length;
    const calibrated = scores.map((row) => this.calibrate(row));
    const classes = Array.from({ length: this.classCount }, (_, k) => k);
    const expected = classes.map((k) => expectedCounts(oneVsRest(predictions, k), column(calibrated, k)));
    let accuracy = 0;
    for (let i = 0; i < n; i++) accuracy += calibrated[i][predictions[i]];
    const rocAuc = mean(classes.map((k) => estimateRocAuc(column(calibrated, k), column(scores, k))));
    // NannyML scales the multiclass ROC AUC sampling error by 1.2: "experiments showed that std of class variances underestimated sampling error by 20%".
    return {
      accuracy: band(accuracy / n, this.accuracyStd / Math.sqrt(n)),
      precision: band(mean(expected.map(precisionOf)), multiclassSamplingError(this.components.precision, n)),
      recall: band(mean(expected.map(recallOf)), multiclassSamplingError(this.components.recall, n)),
      f1: band(mean(expected.map(f1Of)), multiclassSamplingError(this.components.f1, n)),
      roc_auc: band(rocAuc, multiclassSamplingError(this.components.roc_auc, n) * 1.2),
    };
  }
}
