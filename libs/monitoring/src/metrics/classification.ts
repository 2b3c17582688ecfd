import { RocAucCounter } from './roc-auc';

/** One prediction joined with its label. */
export interface ClassificationObservation {
  readonly predicted: string;
  readonly actual: string;
  /**
   * Optional class probabilities (label → p), summing to 1. Enables log loss, ROC AUC and
   * calibration. For a binary model `{ [positiveLabel]: p }` is enough: the other class
   * gets 1 − p.
   */
  readonly scores?: Readonly<Record<string, number>>;
}

export interface ClassificationOptions {
  /**
   * Label treated as positive for binary AUC/log loss shorthand. Default: like scikit-learn,
   * the greater of the two labels in sort order.
   */
  positiveLabel?: string;
  /** Equal-width confidence bins for the expected calibration error. Default 10. */
  calibrationBins?: number;
  /** Keep the ROC AUC state (memory O(distinct scores)). Default true. */
  auc?: boolean;
}

export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface AveragedMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface ClassificationReport {
  readonly count: number;
  /** Sorted labels; the order of `confusionMatrix` rows (actual) and columns (predicted). */
  readonly labels: readonly string[];
  readonly accuracy: number;
  readonly perClass: Readonly<Record<string, ClassMetrics>>;
  readonly macro: AveragedMetrics;
  readonly weighted: AveragedMetrics;
  readonly confusionMatrix: readonly (readonly number[])[];
  /** Binary: AUC of the positive label. Multiclass: one-vs-rest macro average. NaN when undefined. */
  readonly rocAuc: number;
  /** Mean negative log-likelihood over observations with scores; NaN when none. */
  readonly logLoss: number;
  /** Expected calibration error over observations with scores; NaN when none. */
  readonly expectedCalibrationError: number;
  readonly scoredCount: number;
}

/** p is clipped to [ε, 1 − ε] before the log, ε = float64 machine epsilon, as scikit-learn ≥ 1.5 does. */
const EPS = 2.220446049250313e-16;

/**
 * Classification metrics over a set of observations that can grow (`add`), shrink
 * (`remove`, for count-sliding windows) and be combined (`merge`, for time-window panes).
 *
 * State: a confusion matrix over the labels seen (O(k²)), calibration bins (O(bins)),
 * a log-loss sum, and per-label ROC counters (O(distinct scores) each). Everything but
 * the ROC counters is exact integer counts or sums; `report()` is O(k² + AUC cost).
 * Definitions match scikit-learn (`accuracy_score`, `precision_recall_fscore_support`
 * with zero_division=0, `confusion_matrix`, `roc_auc_score` with multi_class='ovr',
 * `log_loss`).
 */
export class ClassificationMetrics {
  private readonly index = new Map<string, number>();
  private readonly labelsByIndex: string[] = [];
  /** confusion[actual][predicted] */
  private confusion: number[][] = [];
  private n = 0;
  private scored = 0;
  private logLossSum = 0;
  private readonly bins: number;
  private readonly binCount: Float64Array;
  private readonly binConfidence: Float64Array;
  private readonly binCorrect: Float64Array;
  private readonly auc = new Map<string, RocAucCounter>();

  constructor(readonly options: ClassificationOptions = {}) {
    this.bins = options.calibrationBins ?? 10;
    if (!Number.isInteger(this.bins) || this.bins < 1) throw new RangeError('calibrationBins must be a positive integer');
    this.binCount = new Float64Array(this.bins);
    this.binConfidence = new Float64Array(this.bins);
    this.binCorrect = new Float64Array(this.bins);
  }

  get count(): number {
    return this.n;
  }

  add(o: ClassificationObservation): void {
    this.apply(o, 1);
  }

  remove(o: ClassificationObservation): void {
    this.apply(o, -1);
  }

  merge(other: ClassificationMetrics): void {
    for (let a = 0; a < other.confusion.length; a++) {
      const row = other.confusion[a];
      for (let p = 0; p < row.length; p++) {
        if (row[p] !== 0) {
          const ia = this.labelIndex(other.labelsByIndex[a]);
          const ip = this.labelIndex(other.labelsByIndex[p]);
          this.confusion[ia][ip] += row[p];
        }
      }
    }
    this.n += other.n;
    this.scored += other.scored;
    this.logLossSum += other.logLossSum;
    for (let b = 0; b < this.bins; b++) {
      this.binCount[b] += other.binCount[b];
      this.binConfidence[b] += other.binConfidence[b];
      this.binCorrect[b] += other.binCorrect[b];
    }
    for (const [label, counter] of other.auc) this.aucFor(label).merge(counter);
  }

  private labelIndex(label: string): number {
    let i = this.index.get(label);
    if (i === undefined) {
      i = this.labelsByIndex.length;
      this.index.set(label, i);
      this.labelsByIndex.push(label);
      for (const row of this.confusion) row.push(0);
      this.confusion.push(new Array<number>(i + 1).fill(0));
    }
    return i;
  }

  private aucFor(label: string): RocAucCounter {
    let c = this.auc.get(label);
    if (c === undefined) {
      c = new RocAucCounter();
      this.auc.set(label, c);
    }
    return c;
  }

  private apply(o: ClassificationObservation, w: 1 | -1): void {
    const a = this.labelIndex(o.actual);
    const p = this.labelIndex(o.predicted);
    this.confusion[a][p] += w;
    this.n += w;
    const scores = o.scores;
    if (scores === undefined) return;
    this.scored += w;
    const pActual = this.probability(scores, o.actual);
    this.logLossSum += w * -Math.log(Math.min(Math.max(pActual, EPS), 1 - EPS));
    const confidence = this.probability(scores, o.predicted);
    const bin = Math.min(Math.floor(confidence * this.bins), this.bins - 1);
    this.binCount[bin] += w;
    this.binConfidence[bin] += w * confidence;
    this.binCorrect[bin] += o.predicted === o.actual ? w : 0;
    if (this.options.auc === false) return;
    for (const label in scores) {
      const c = this.aucFor(label);
      if (w === 1) c.add(scores[label], o.actual === label);
      else c.remove(scores[label], o.actual === label);
    }
  }

  /** p(label) from the scores; a single-entry score map is read as binary: the other label gets 1 − p. */
  private probability(scores: Readonly<Record<string, number>>, label: string): number {
    const p = scores[label];
    if (p !== undefined) return p;
    let only: number | undefined;
    let k = 0;
    for (const l in scores) {
      only = scores[l];
      k += 1;
    }
    return k === 1 ? 1 - (only as number) : 0;
  }

  report(): ClassificationReport {
    const labels = [...this.labelsByIndex].sort();
    const order = labels.map((l) => this.index.get(l)!);
    const k = labels.length;
    const matrix = order.map((a) => order.map((p) => this.confusion[a]?.[p] ?? 0));
    // Null prototype: a class named `__proto__` or `constructor` is a key like any other.
    const perClass = Object.create(null) as Record<string, ClassMetrics>;
    let correct = 0;
    let macroP = 0;
    let macroR = 0;
    let macroF = 0;
    let wP = 0;
    let wR = 0;
    let wF = 0;
    let supportTotal = 0;
    for (let i = 0; i < k; i++) {
      const tp = matrix[i][i];
      let predicted = 0;
      let support = 0;
      for (let j = 0; j < k; j++) {
        predicted += matrix[j][i];
        support += matrix[i][j];
      }
      const fp = predicted - tp;
      const fn = support - tp;
      correct += tp;
      const precision = predicted === 0 ? 0 : tp / predicted;
      const recall = support === 0 ? 0 : tp / support;
      const f1 = 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
      perClass[labels[i]] = { precision, recall, f1, support };
      macroP += precision;
      macroR += recall;
      macroF += f1;
      wP += precision * support;
      wR += recall * support;
      wF += f1 * support;
      supportTotal += support;
    }
    return {
      count: this.n,
      labels,
      accuracy: this.n === 0 ? NaN : correct / this.n,
      perClass,
      macro: k === 0 ? { precision: NaN, recall: NaN, f1: NaN } : { precision: macroP / k, recall: macroR / k, f1: macroF / k },
      weighted: supportTotal === 0 ? { precision: NaN, recall: NaN, f1: NaN } : { precision: wP / supportTotal, recall: wR / supportTotal, f1: wF / supportTotal },
      confusionMatrix: matrix,
      rocAuc: this.rocAuc(labels),
      logLoss: this.scored === 0 ? NaN : this.logLossSum / this.scored,
      expectedCalibrationError: this.expectedCalibrationError(),
      scoredCount: this.scored,
    };
  }

  /** Σ_b (n_b / N)·|accuracy_b − confidence_b| over equal-width bins [b/B, (b+1)/B) (1.0 goes to the last bin). */
  expectedCalibrationError(): number {
    if (this.scored === 0) return NaN;
    let ece = 0;
    for (let b = 0; b < this.bins; b++) {
      const nb = this.binCount[b];
      if (nb > 0) ece += (nb / this.scored) * Math.abs(this.binCorrect[b] / nb - this.binConfidence[b] / nb);
    }
    return ece;
  }

  private rocAuc(labels: readonly string[]): number {
    if (this.options.auc === false || labels.length < 2) return NaN;
    if (labels.length === 2) {
      const positive = this.options.positiveLabel ?? labels[1];
      const negative = labels[0] === positive ? labels[1] : labels[0];
      const direct = this.auc.get(positive);
      if (direct && direct.positiveCount + direct.negativeCount === this.scored) return direct.value();
      // Only the negative label's scores were given: AUC(positive) = AUC(negative) with roles swapped.
      const other = this.auc.get(negative);
      return other && other.positiveCount + other.negativeCount === this.scored ? other.value() : NaN;
    }
    let sum = 0;
    for (const label of labels) {
      const c = this.auc.get(label);
      if (!c || c.positiveCount + c.negativeCount !== this.scored) return NaN;
      const v = c.value();
      if (Number.isNaN(v)) return NaN;
      sum += v;
    }
    return sum / labels.length;
  }
}
