import { MergeableAggregate } from './aggregate';

export interface TimeWindowOptions {
  /** Window length, in the unit of the event times (Vigil uses epoch milliseconds). */
  size: number;
  /** Distance between window starts; `slide === size` (the default) gives tumbling windows. Must divide `size`. */
  slide?: number;
  /**
   * How far behind the watermark (the largest event time seen) an event may be and still
   * be counted. Later events are dropped and counted in `dropped`. Default 0.
   */
  allowedLateness?: number;
}

export interface ClosedTimeWindow<A> {
  /** Inclusive start and exclusive end, in event time. */
  readonly start: number;
  readonly end: number;
  readonly count: number;
  readonly aggregate: A;
}

interface Pane<A> {
  aggregate: A;
  count: number;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * Tumbling or sliding windows on event time, aligned to multiples of `slide` (a window is
 * [k·slide, k·slide + size)).
 *
 * Events are summed into panes of length `slide`; a window is the merge of its size/slide
 * panes. The watermark is the largest event time seen. An event older than
 * watermark − allowedLateness is dropped (counted, never silent); otherwise it lands in
 * its pane even if out of order. A window closes — is returned by `add`, once, in start
 * order — when watermark − allowedLateness reaches its end; windows with no events are
 * skipped. Panes no window can still use are freed, so memory is bounded by
 * (size + allowedLateness)/slide + 1 panes whatever the event rate.
 *
 * Cost: `add` O(1) amortised plus, when windows close, size/slide merges per window.
 */
export class TimeWindow<V, A extends MergeableAggregate<V, A>> {
  readonly size: number;
  readonly slide: number;
  readonly allowedLateness: number;
  private readonly panesPerWindow: number;
  private readonly panes = new Map<number, Pane<A>>();
  private nextWindow: number | undefined; // index k of the next window to close
  private wm = -Infinity;
  private droppedCount = 0;
  private acceptedCount = 0;

  constructor(
    options: TimeWindowOptions,
    private readonly factory: () => A,
  ) {
    this.size = options.size;
    this.slide = options.slide ?? options.size;
    this.allowedLateness = options.allowedLateness ?? 0;
    if (!(this.size > 0) || !(this.slide > 0)) throw new RangeError('TimeWindow: size and slide must be positive');
    if (this.slide > this.size || this.size % this.slide !== 0) throw new RangeError('TimeWindow: slide must divide size');
    if (!(this.allowedLateness >= 0)) throw new RangeError('TimeWindow: allowedLateness must be >= 0');
    this.panesPerWindow = this.size / this.slide;
  }

  /** Largest event time seen so far (−Infinity before the first event). */
  get watermark(): number {
    return this.wm;
  }

  /** Events rejected for arriving later than watermark − allowedLateness. */
  get dropped(): number {
    return this.droppedCount;
  }

  get accepted(): number {
    return this.acceptedCount;
  }

  /** Panes currently held (the memory bound in practice). */
  get paneCount(): number {
    return this.panes.size;
  }

  /**
   * Adds one event; returns the windows its watermark advance closed (usually none). A
   * too-late event is not an error: it is counted in `dropped`.
   */
  add(time: number, value: V): readonly ClosedTimeWindow<A>[] {
    if (time < this.wm - this.allowedLateness) {
      this.droppedCount += 1;
      return NONE;
    }
    this.acceptedCount += 1;
    const p = Math.floor(time / this.slide);
    let pane = this.panes.get(p);
    if (pane === undefined) {
      pane = { aggregate: this.factory(), count: 0 };
      this.panes.set(p, pane);
      if (this.nextWindow === undefined || p - this.panesPerWindow + 1 < this.nextWindow) {
        this.nextWindow = p - this.panesPerWindow + 1;
      }
    }
    pane.aggregate.add(value);
    pane.count += 1;
    if (time > this.wm) {
      this.wm = time;
      return this.closeUpTo(this.wm - this.allowedLateness);
    }
    return NONE;
  }

  /**
   * Moves the watermark forward without an event (e.g. from a partition-wide clock or at
   * idle), closing what it can.
   */
  advanceTo(time: number): readonly ClosedTimeWindow<A>[] {
    if (time <= this.wm) return NONE;
    this.wm = time;
    return this.closeUpTo(this.wm - this.allowedLateness);
  }

  /** Closes every open window (shutdown, end of a replay). */
  flush(): readonly ClosedTimeWindow<A>[] {
    return this.closeUpTo(Infinity);
  }

  /**
   * The window that ends with the watermark's pane, i.e. the most recent (still open)
   * window, merged into a fresh aggregate. O(size/slide) merges.
   */
  current(): { start: number; end: number; count: number; aggregate: A } {
    const aggregate = this.factory();
    if (this.wm === -Infinity) return { start: NaN, end: NaN, count: 0, aggregate };
    const last = Math.floor(this.wm / this.slide);
    const first = last - this.panesPerWindow + 1;
    let count = 0;
    for (let p = first; p <= last; p++) {
      const pane = this.panes.get(p);
      if (pane) {
        aggregate.merge(pane.aggregate);
        count += pane.count;
      }
    }
    return { start: first * this.slide, end: (last + 1) * this.slide, count, aggregate };
  }

  private closeUpTo(limit: number): readonly ClosedTimeWindow<A>[] {
    let out: ClosedTimeWindow<A>[] | undefined;
    const ppw = this.panesPerWindow;
    while (this.nextWindow !== undefined && this.panes.size > 0) {
      const k = this.nextWindow;
      const end = k * this.slide + this.size;
      if (end > limit) break;
      let merged: A | undefined;
      let count = 0;
      for (let p = k; p < k + ppw; p++) {
        const pane = this.panes.get(p);
        if (!pane) continue;
        if (ppw === 1) {
          merged = pane.aggregate; // tumbling: the pane is the window, no copy needed
        } else {
          merged ??= this.factory();
          merged.merge(pane.aggregate);
        }
        count += pane.count;
      }
      if (merged !== undefined) (out ??= []).push({ start: k * this.slide, end, count, aggregate: merged });
      this.panes.delete(k);
      // Skip runs of empty windows instead of stepping through a gap one slide at a time.
      let next = k + 1;
      if (!this.panes.has(next) && this.panes.size > 0) {
        let min = Infinity;
        for (const key of this.panes.keys()) if (key < min) min = key;
        next = Math.max(next, min - ppw + 1);
      }
      this.nextWindow = next;
    }
    if (this.panes.size === 0) this.nextWindow = undefined;
    return out ?? NONE;
  }
}
