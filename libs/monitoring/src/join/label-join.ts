import { FifoMap } from './fifo-map';
import { JoinedIds } from './joined-ids';

/** The fields the join needs; the rest of the prediction/label travels along untouched. */
export interface JoinablePrediction {
  /** Prediction event id; the label carries the same id. */
  readonly eventId: string;
  readonly model: string;
  /** Event time of the prediction, epoch ms. */
  readonly time: number;
}

export interface JoinableLabel {
  readonly eventId: string;
  readonly model: string;
  /** Event time of the label, epoch ms. */
  readonly time: number;
}

export interface JoinedPair<P, L> {
  readonly prediction: P;
  readonly label: L;
  /** label.time − prediction.time (may be negative when clocks disagree). */
  readonly labelDelayMs: number;
}

export interface LabelJoinOptions {
  /** How long a prediction waits for its label (ms of event time). E.g. 7 days. */
  lookbackMs: number;
  /** Pending predictions kept per model; beyond this the oldest is evicted (counted). */
  maxPendingPerModel: number;
  /** How long a label that arrived before its prediction is held (ms). Default 60 000. */
  earlyLabelTtlMs?: number;
  /** Early labels held per model; beyond this the oldest is evicted (counted). Default 10 000. */
  maxEarlyLabelsPerModel?: number;
}

/** Counters per model. Nothing leaves the join without being counted in one of them. */
export interface LabelJoinStats {
  /** Distinct predictions accepted. */
  predictions: number;
  /** Distinct labels accepted. */
  labels: number;
  joined: number;
  duplicatePredictions: number;
  duplicateLabels: number;
  /** Predictions whose lookback ended without a label. */
  expiredPredictions: number;
  /** Predictions pushed out by `maxPendingPerModel` before their lookback ended. */
  evictedPredictions: number;
  /** Early labels whose prediction did not come within `earlyLabelTtlMs`. */
  expiredEarlyLabels: number;
  /** Early labels pushed out by `maxEarlyLabelsPerModel`. */
  evictedEarlyLabels: number;
  /** Predictions still waiting. */
  pending: number;
  /** Labels still waiting for their prediction. */
  pendingLabels: number;
}

interface ModelState<P, L> {
  /** Insertion order ≈ arrival order, which `expire` relies on to stop early. */
  /** Waiting predictions; each expires at its time + lookbackMs. */
  readonly pending: FifoMap<P>;
  /** Labels read before their prediction; each expires at its time + earlyLabelTtlMs. */
  readonly early: FifoMap<L>;
  /** Ids joined recently (until their lookback ends), to recognise duplicates after the join. */
  readonly joinedIds: JoinedIds;
  readonly stats: LabelJoinStats;
}

const emptyStats = (): LabelJoinStats => ({
  predictions: 0,
  labels: 0,
  joined: 0,
  duplicatePredictions: 0,
  duplicateLabels: 0,
  expiredPredictions: 0,
  evictedPredictions: 0,
  expiredEarlyLabels: 0,
  evictedEarlyLabels: 0,
  pending: 0,
  pendingLabels: 0,
});

/**
 * Joins predictions with labels that arrive later (seconds to days), per model, keyed by
 * prediction event id.
 *
 * Bounded: per model at most `maxPendingPerModel` predictions, `maxEarlyLabelsPerModel`
 * early labels and `maxPendingPerModel` recently-joined ids (for duplicate detection).
 * Time only moves through `expire(now)` (call it with the watermark / wall clock): a
 * prediction expires at time + lookback, an early label at arrival + TTL. Expiry walks
 * from the oldest entry and stops at the first that is still live, so it is O(expired);
 * out-of-order event times can delay an expiry until the entries in front of it expire.
 *
 * Label coverage = joined / (joined + expired + evicted): the share of predictions whose
 * fate is decided that got a label. Pending predictions are not counted either way.
 */
export class LabelJoin<P extends JoinablePrediction, L extends JoinableLabel> {
  private readonly models = new Map<string, ModelState<P, L>>();
  private readonly earlyTtl: number;
  private readonly maxEarly: number;

  constructor(readonly options: LabelJoinOptions) {
    if (!(options.lookbackMs > 0)) throw new RangeError('LabelJoin: lookbackMs must be positive');
    if (!(options.maxPendingPerModel >= 1)) throw new RangeError('LabelJoin: maxPendingPerModel must be >= 1');
    this.earlyTtl = options.earlyLabelTtlMs ?? 60_000;
    this.maxEarly = options.maxEarlyLabelsPerModel ?? 10_000;
  }

  private state(model: string): ModelState<P, L> {
    let s = this.models.get(model);
    if (s === undefined) {
      s = { pending: new FifoMap(), early: new FifoMap(), joinedIds: new JoinedIds(), stats: emptyStats() };
      this.models.set(model, s);
    }
    return s;
  }

  /**
   * True, and counted in `duplicatePredictions`, when a prediction with this id is still
   * pending or was joined within its lookback (whatever its time says): a consumer that
   * counts predictions asks before counting.
   */
  isDuplicatePrediction(prediction: JoinablePrediction): boolean {
    const s = this.state(prediction.model);
    if (!s.pending.has(prediction.eventId) && !s.joinedIds.has(prediction.eventId)) return false;
    s.stats.duplicatePredictions += 1;
    return true;
  }

  /** Returns the joined pair when the label was already waiting, else undefined. */
  addPrediction(prediction: P): JoinedPair<P, L> | undefined {
    if (this.isDuplicatePrediction(prediction)) return undefined;
    const s = this.state(prediction.model);
    const id = prediction.eventId;
    s.stats.predictions += 1;
    const early = s.early.get(id);
    if (early !== undefined) {
      s.early.delete(id);
      return this.complete(s, prediction, early);
    }
    if (s.pending.size >= this.options.maxPendingPerModel) {
      s.pending.shift();
      s.stats.evictedPredictions += 1;
    }
    s.pending.set(id, prediction);
    return undefined;
  }

  /**
   * Returns the joined pair when the prediction is pending. A label for an unknown id is
   * held for `earlyLabelTtlMs` (measured from the label's time) in case its prediction is late.
   */
  addLabel(label: L): JoinedPair<P, L> | undefined {
    const s = this.state(label.model);
    const id = label.eventId;
    if (s.joinedIds.has(id) || s.early.has(id)) {
      s.stats.duplicateLabels += 1;
      return undefined;
    }
    const pending = s.pending.get(id);
    s.stats.labels += 1;
    if (pending !== undefined) {
      s.pending.delete(id);
      return this.complete(s, pending, label);
    }
    if (s.early.size >= this.maxEarly) {
      s.early.shift();
      s.stats.evictedEarlyLabels += 1;
    }
    s.early.set(id, label);
    return undefined;
  }

  private complete(s: ModelState<P, L>, prediction: P, label: L): JoinedPair<P, L> {
    s.stats.joined += 1;
    if (s.joinedIds.size >= this.options.maxPendingPerModel) {
      s.joinedIds.shift();
    }
    s.joinedIds.add(prediction.eventId, prediction.time);
    return { prediction, label, labelDelayMs: label.time - prediction.time };
  }

  /**
   * Expires predictions whose lookback ended and early labels whose TTL ended, as of `now`
   * (epoch ms). Returns the expired predictions (e.g. to record "no label" outcomes).
   */
  expire(now: number): P[] {
    const expired: P[] = [];
    for (const s of this.models.values()) {
      const lookback = this.options.lookbackMs;
      for (let e = s.pending.oldest(); e !== undefined && e.value.time + lookback <= now; e = s.pending.oldest()) {
        s.pending.shift();
        s.stats.expiredPredictions += 1;
        expired.push(e.value);
      }
      for (let e = s.early.oldest(); e !== undefined && e.value.time + this.earlyTtl <= now; e = s.early.oldest()) {
        s.early.shift();
        s.stats.expiredEarlyLabels += 1;
      }
      for (let t = s.joinedIds.oldestTime(); t !== undefined && t + lookback <= now; t = s.joinedIds.oldestTime()) s.joinedIds.shift();
    }
    return expired;
  }

  /** A snapshot of the counters of one model. */
  stats(model: string): LabelJoinStats {
    const s = this.models.get(model);
    if (s === undefined) return emptyStats();
    return { ...s.stats, pending: s.pending.size, pendingLabels: s.early.size };
  }

  /** Labels of one model waiting for their prediction, oldest first (e.g. to checkpoint them). */
  earlyLabels(model: string): L[] {
    const s = this.models.get(model);
    return s === undefined ? [] : [...s.early.values()];
  }

  /** Predictions of one model waiting for their label, in arrival order (e.g. to checkpoint them). */
  pendingPredictions(model: string): P[] {
    const s = this.models.get(model);
    return s === undefined ? [] : [...s.pending.values()];
  }

  /** joined / (joined + expired + evicted); NaN until some prediction's fate is decided. */
  labelCoverage(model: string): number {
    const st = this.stats(model);
    const decided = st.joined + st.expiredPredictions + st.evictedPredictions;
    return decided === 0 ? NaN : st.joined / decided;
  }

  modelIds(): string[] {
    return [...this.models.keys()];
  }
}
