/**
 * NannyML's sampling-error components (nannyml/sampling_error/*.py, 0.13.1): fitted once
 * on the labelled reference, then scaled by a window's size. Each is the population
 * standard deviation (or variance, for multiclass) of an observation-level indicator and
 * the fraction of observations that indicator is defined on.
 */

export interface ErrorComponent {
  /** Standard deviation (binary) or variance (multiclass classes) of the observation-level values. */
  readonly spread: number;
  /** Fraction of the reference the values were taken from. */
  readonly fraction: number;
}

export function populationVariance(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  positives: number;
  predictedPositives: number;
  n: number;
}

function counts(labels: ArrayLike<number>, predictions: ArrayLike<number>): Counts {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let positives = 0;
  let predictedPositives = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    const p = predictions[i];
    positives += y;
    predictedPositives += p;
    if (p === 1 && y === 1) tp++;
    else if (p === 1) fp++;
    else if (y === 1) fn++;
  }
  return { tp, fp, fn, positives, predictedPositives, n: labels.length };
}

/** Variance of `ones` ones and `zeros` zeros. */
const indicatorVariance = (ones: number, zeros: number): number => {
  const n = ones + zeros;
  if (n === 0) return NaN;
  const p = ones / n;
  return p * (1 - p);
};

/** Precision: TP as 1 and FP as 0, over the predicted positives. */
export function precisionComponent(labels: ArrayLike<number>, predictions: ArrayLike<number>, variance: boolean): ErrorComponent {
  const c = counts(labels, predictions);
  const v = indicatorVariance(c.tp, c.fp);
  return { spread: variance ? v : Math.sqrt(v), fraction: c.predictedPositives / c.n };
}

/** Recall: TP as 1 and FN as 0, over the actual positives. */
export function recallComponent(labels: ArrayLike<number>, predictions: ArrayLike<number>, variance: boolean): ErrorComponent {
  const c = counts(labels, predictions);
  const v = indicatorVariance(c.tp, c.fn);
  return { spread: variance ? v : Math.sqrt(v), fraction: c.positives / c.n };
}

/**
 * F1: TP as 1 and FP, FN as 0. The binary form scales the values by NannyML's correcting
 * factor |TP ∪ FP ∪ FN| / (TP + (FP + FN) / 2); the multiclass form does not (as NannyML).
 */
export function f1Component(labels: ArrayLike<number>, predictions: ArrayLike<number>, variance: boolean): ErrorComponent {
  const c = counts(labels, predictions);
  const relevant = c.tp + c.fp + c.fn;
  if (relevant === 0) return { spread: NaN, fraction: 0 };
  const factor = variance ? 1 : relevant / ((c.fn + c.fp) * 0.5 + c.tp);
  const v = indicatorVariance(c.tp, c.fp + c.fn) * factor * factor;
  return { spread: variance ? v : Math.sqrt(v), fraction: relevant / c.n };
}

/**
 * ROC AUC through its Mann–Whitney form: for each positive (of the minority class, as
 * NannyML flips the labels when positives are the majority), the number of negatives
 * ranked below it, as a share of the negatives. NannyML drops a positive ranked first
 * (`np.unique(ranks)[1:]` discards rank 0); kept here so the values agree.
 */
export function rocAucComponent(labels: ArrayLike<number>, scores: ArrayLike<number>, variance: boolean): ErrorComponent {
  const n = labels.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i];
  const flip = positives / n > 0.5;
  const y = (i: number): number => (flip ? 1 - labels[i] : labels[i]);
  const s = (i: number): number => (flip ? 1 - scores[i] : scores[i]);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s(a) - s(b));
  const nPos = flip ? n - positives : positives;
  const nNeg = n - nPos;
  const ser: number[] = [];
  order.forEach((idx, rank) => {
    if (y(idx) === 1 && rank > 0) ser.push((rank - ser.length) / nNeg);
  });
  const v = populationVariance(ser);
  return { spread: variance ? v : Math.sqrt(v), fraction: nPos / n };
}

/** Binary: std / sqrt(n · fraction) (NannyML's `_universal_sampling_error`). */
export const binarySamplingError = (c: ErrorComponent, windowSize: number): number => c.spread / Math.sqrt(windowSize * c.fraction);

/** Multiclass: sqrt(Σ_k var_k / (n · fraction_k)) / K (NannyML's `_standard_deviation_of_variances`). */
export function multiclassSamplingError(components: readonly ErrorComponent[], windowSize: number): number {
  const sum = components.reduce((acc, c) => acc + c.spread / (windowSize * c.fraction), 0);
  return Math.sqrt(sum) / components.length;
}
