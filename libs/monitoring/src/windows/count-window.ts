import { Aggregate, InvertibleAggregate } from './aggregate';

/**
 * The last `size` values in arrival order, with an aggregate kept up to date by `add` of
 * the newcomer and `remove` of the value that falls out. Memory: `size` values plus the
 * aggregate. Count windows are ordered by arrival, not event time: there is no lateness.
 */
export class CountSlidingWindow<V, A extends InvertibleAggregate<V>> {
  private readonly buffer: (V | undefined)[];
  private head = 0;
  private length = 0;
  private seen = 0;

  constructor(
    readonly size: number,
    readonly aggregate: A,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('CountSlidingWindow: size must be a positive integer');
    this.buffer = new Array<V | undefined>(size);
  }

  /** Adds `value`; returns the value that left the window, if any. */
  add(value: V): V | undefined {
    this.seen += 1;
    let evicted: V | undefined;
    if (this.length === this.size) {
      evicted = this.buffer[this.head] as V;
      this.aggregate.remove(evicted);
      this.buffer[this.head] = value;
      this.head = (this.head + 1) % this.size;
    } else {
      this.buffer[(this.head + this.length) % this.size] = value;
      this.length += 1;
    }
    this.aggregate.add(value);
    return evicted;
  }

  /** Number of values currently in the window (≤ size). */
  get count(): number {
    return this.length;
  }

  /** Values ever added. */
  get total(): number {
    return this.seen;
  }

  /** The values in the window, oldest first. */
  *values(): IterableIterator<V> {
    for (let i = 0; i < this.length; i++) yield this.buffer[(this.head + i) % this.size] as V;
  }
}

export interface ClosedCountWindow<A> {
  /** 0-based sequence number of the window. */
  readonly index: number;
  readonly count: number;
  readonly aggregate: A;
}

/**
 * Consecutive, non-overlapping blocks of `size` values. Memory: one aggregate; values are
 * not kept. `add` returns the window it completed, if any.
 */
export class CountTumblingWindow<V, A extends Aggregate<V>> {
  private current: A;
  private inCurrent = 0;
  private index = 0;

  constructor(
    readonly size: number,
    private readonly factory: () => A,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('CountTumblingWindow: size must be a positive integer');
    this.current = factory();
  }

  add(value: V): ClosedCountWindow<A> | undefined {
    this.current.add(value);
    this.inCurrent += 1;
    if (this.inCurrent < this.size) return undefined;
    return this.close();
  }

  /** The open (incomplete) window's aggregate. */
  get open(): A {
    return this.current;
  }

  get openCount(): number {
    return this.inCurrent;
  }

  /** Closes the open window early (e.g. at shutdown); undefined when it is empty. */
  flush(): ClosedCountWindow<A> | undefined {
    return this.inCurrent === 0 ? undefined : this.close();
  }

  private close(): ClosedCountWindow<A> {
    const closed = { index: this.index, count: this.inCurrent, aggregate: this.current };
    this.index += 1;
    this.current = this.factory();
    this.inCurrent = 0;
    return closed;
  }
}
