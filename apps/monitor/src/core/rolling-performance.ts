import { ClassificationMetrics, RegressionMetrics } from '@vigil/monitoring';
import type { Task } from '@vigil/contracts';

/** One labelled prediction in a rolling window: [predicted, actual, prediction event time (ms)]. */
export type LabelledObservation = [predicted: string | number, actual: string | number, time: number];

/**
 * The last `size` labelled predictions of a group and their metrics, updated in O(1) per
 * label (add the new one, remove the oldest), so the current accuracy is always exact for
 * the window and readable at once. The raw observations are kept because removal needs
 * them; they are also what a checkpoint stores.
 */
export class RollingPerformance {
  private items: LabelledObservation[] = [];
  private head = 0;
  /** Right predictions in the window, so the accuracy checked on every label costs O(1). */
  private correct = 0;
  private classification?: ClassificationMetrics;
  private regression?: RegressionMetrics;

  constructor(
    readonly task: Task,
    private size: number,
  ) {
    this.reset();
  }

  private reset(): void {
    if (this.task === 'CLASSIFICATION') this.classification = new ClassificationMetrics({ auc: false });
    else this.regression = new RegressionMetrics();
  }

  get count(): number {
    return this.items.length - this.head;
  }

  /** Event time of the oldest / newest prediction in the window (NaN when empty). */
  get oldestTime(): number {
    return this.count === 0 ? NaN : this.items[this.head][2];
  }

  get newestTime(): number {
    return this.count === 0 ? NaN : this.items[this.items.length - 1][2];
  }

  resize(size: number): void {
    this.size = size;
    this.trim();
  }

  add(o: LabelledObservation): void {
    this.items.push(o);
    this.apply(o, 'add');
    this.trim();
  }

  private trim(): void {
    while (this.count > this.size) {
      this.apply(this.items[this.head], 'remove');
      this.head += 1;
    }
    // Compact now and then so the array does not grow without bound.
    if (this.head > this.size) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  private apply(o: LabelledObservation, op: 'add' | 'remove'): void {
    if (o[0] === o[1]) this.correct += op === 'add' ? 1 : -1;
    if (this.classification) this.classification[op]({ predicted: String(o[0]), actual: String(o[1]) });
    else this.regression![op]({ predicted: Number(o[0]), actual: Number(o[1]) });
  }

  /** The headline metric: accuracy (classification) or MAE (regression); NaN when empty. */
  primary(): number {
    if (this.classification) return this.count === 0 ? NaN : this.correct / this.count;
    return this.regression!.report().mae;
  }

  /** Metric name → value over the window; undefined values (empty window) are left out. */
  metrics(): Record<string, number> {
    const out: Record<string, number> = { window_labelled: this.count };
    if (this.classification) {
      const r = this.classification.report();
      Object.assign(out, {
        accuracy: r.accuracy,
        f1_macro: r.macro.f1,
        precision_macro: r.macro.precision,
        recall_macro: r.macro.recall,
        f1_weighted: r.weighted.f1,
      });
    } else {
      const r = this.regression!.report();
      Object.assign(out, { mae: r.mae, rmse: r.rmse, r2: r.r2, mape: r.mape, mean_error: r.meanError });
    }
    return finiteOnly(out);
  }

  toJSON(): LabelledObservation[] {
    return this.items.slice(this.head);
  }

  static fromJSON(task: Task, size: number, items: LabelledObservation[]): RollingPerformance {
    const w = new RollingPerformance(task, size);
    for (const o of items) w.add(o);
    return w;
  }
}

export function finiteOnly(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
}
