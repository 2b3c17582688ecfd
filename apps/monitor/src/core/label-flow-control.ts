/**
 * Flow control between the two topics of a co-partitioned pair (predictions N, labels N).
 *
 * kafkajs fetches the two topics independently, so on a backlog (outage, restart with lag,
 * new consumer group) a partition's labels can be read far ahead of their predictions and
 * pile up in the label join as early labels. This decides, per partition, when the labels
 * partition must pause (its waiting labels reached `pauseAt` while its predictions are
 * still behind) and when it may read again. Pure: the service feeds it counts, lags and
 * the clock, and does the pausing.
 *
 * Never deadlocks: predictions are never paused, and a paused labels partition resumes as
 * soon as ANY of these holds, so its labels cannot wait for predictions that will not come:
 * - its waiting labels drained to `resumeAt` or below (the predictions caught up with them);
 * - its predictions reached their high watermark (a batch with lag 0);
 * - its predictions brought nothing for `idleMs` (idle, at their end, or empty).
 * In the last two cases the predictions count as caught up, and the partition is not paused
 * again until a predictions batch shows a lag: a label whose prediction never comes then
 * expires by the join's rule (prediction watermark + TTL) instead of holding labels back.
 */
export interface LabelFlowOptions {
  /** Waiting (early) labels of one partition at which its labels topic partition pauses. */
  pauseAt: number;
  /** A paused partition resumes once its waiting labels are at or below this. */
  resumeAt: number;
  /** A paused partition resumes when its predictions brought nothing for this long (ms). */
  idleMs: number;
}

interface PartitionFlow {
  waiting: number;
  paused: boolean;
  /** Unknown until the first predictions batch: assumed behind (the idle rule bounds the guess). */
  predictionsBehind: boolean;
  /** When the pause began or predictions last arrived, whichever is later (ms). */
  lastProgressAt: number;
}

export class LabelFlowControl {
  private readonly partitions = new Map<number, PartitionFlow>();

  constructor(readonly options: LabelFlowOptions) {
    if (!(options.pauseAt >= 1)) throw new RangeError('LabelFlowControl: pauseAt must be >= 1');
    if (!(options.resumeAt >= 0 && options.resumeAt < options.pauseAt)) throw new RangeError('LabelFlowControl: resumeAt must be in [0, pauseAt)');
    if (!(options.idleMs > 0)) throw new RangeError('LabelFlowControl: idleMs must be positive');
  }

  private state(partition: number): PartitionFlow {
    let p = this.partitions.get(partition);
    if (p === undefined) {
      p = { waiting: 0, paused: false, predictionsBehind: true, lastProgressAt: 0 };
      this.partitions.set(partition, p);
    }
    return p;
  }

  /** Sets the partition's waiting labels (sum over its models). */
  setWaiting(partition: number, waiting: number): void {
    this.state(partition).waiting = waiting;
  }

  addWaiting(partition: number, delta: number): void {
    this.state(partition).waiting += delta;
  }

  waiting(partition: number): number {
    return this.partitions.get(partition)?.waiting ?? 0;
  }

  isPaused(partition: number): boolean {
    return this.partitions.get(partition)?.paused ?? false;
  }

  /**
   * Call after each label: true when the partition's labels must pause now (the caller
   * pauses the labels topic partition and stops reading the batch at this record).
   */
  shouldPause(partition: number, now: number): boolean {
    const p = this.state(partition);
    if (p.paused || !p.predictionsBehind || p.waiting < this.options.pauseAt) return false;
    p.paused = true;
    p.lastProgressAt = now;
    return true;
  }

  /** Call after each predictions batch with its lag (records behind the high watermark). */
  onPredictions(partition: number, lag: number, now: number): void {
    const p = this.state(partition);
    p.predictionsBehind = lag > 0;
    p.lastProgressAt = now;
  }

  /** Paused partitions whose labels may be read again as of `now`; they are marked resumed. */
  toResume(now: number): number[] {
    const resumed: number[] = [];
    for (const [partition, p] of this.partitions) {
      if (!p.paused) continue;
      if (now - p.lastProgressAt >= this.options.idleMs) p.predictionsBehind = false;
      if (p.waiting <= this.options.resumeAt || !p.predictionsBehind) {
        p.paused = false;
        resumed.push(partition);
      }
    }
    return resumed;
  }

  /** Partitions this instance no longer owns; returns those that were paused (to resume in the client). */
  forget(keep: ReadonlySet<number>): number[] {
    const dropped: number[] = [];
    for (const [partition, p] of this.partitions) {
      if (keep.has(partition)) continue;
      if (p.paused) dropped.push(partition);
      this.partitions.delete(partition);
    }
    return dropped;
  }
}
