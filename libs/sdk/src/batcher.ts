/**
 * Groups records into batches: a batch leaves when it holds `maxMessages` records or
 * when its oldest record has waited `lingerMs`, whichever comes first. One batch is in
 * flight at a time, so records keep the order they were added in (the idempotent
 * producer then keeps that order on each partition).
 *
 * The buffer is bounded: once `maxBuffered` records are buffered or in flight, `add`
 * waits for room before queueing, so a caller that awaits it is slowed to the pace the
 * broker acknowledges at instead of growing memory without limit.
 */
export interface BatchOptions {
  /** Most records in one send. */
  maxMessages: number;
  /** Longest a record waits for companions before its batch is sent. */
  lingerMs: number;
  /** Most records buffered or in flight; further records wait for room. */
  maxBuffered: number;
}

export const DEFAULT_BATCH_OPTIONS: BatchOptions = { maxMessages: 500, lingerMs: 20, maxBuffered: 10_000 };

interface Entry<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
  acknowledged: Promise<void>;
}

export class Batcher<T> {
  private readonly queued: Entry<T>[] = [];
  /** Records waiting for room in a full buffer, in arrival order. */
  private readonly waiting: Entry<T>[] = [];
  private inFlight: Entry<T>[] = [];
  private lingerTimer: NodeJS.Timeout | undefined;
  /** While positive, batches leave without lingering (a flush is running). */
  private urgent = 0;

  constructor(
    private readonly send: (items: T[]) => Promise<void>,
    private readonly options: BatchOptions = DEFAULT_BATCH_OPTIONS,
  ) {
    if (options.maxMessages < 1 || options.maxBuffered < options.maxMessages || options.lingerMs < 0) {
      throw new RangeError(`invalid batch options ${JSON.stringify(options)}: need 1 <= maxMessages <= maxBuffered, lingerMs >= 0`);
    }
  }

  /** Records buffered, in flight or waiting for room. */
  get pending(): number {
    return this.queued.length + this.inFlight.length + this.waiting.length;
  }

  /** Resolves when the batch holding `item` was acknowledged; rejects with the send's error. */
  add(item: T): Promise<void> {
    const entry = this.entry(item);
    if (this.waiting.length === 0 && this.queued.length + this.inFlight.length < this.options.maxBuffered) {
      this.queued.push(entry);
      this.schedule();
    } else {
      this.waiting.push(entry);
    }
    return entry.acknowledged;
  }

  /** Sends everything added so far without lingering; rejects with the first failed send's error. */
  async flush(): Promise<void> {
    const outstanding = [...this.inFlight, ...this.queued, ...this.waiting].map((e) => e.acknowledged);
    if (outstanding.length === 0) return;
    this.urgent += 1;
    this.schedule();
    try {
      const results = await Promise.allSettled(outstanding);
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
    } finally {
      this.urgent -= 1;
    }
  }

  private entry(item: T): Entry<T> {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const acknowledged = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { item, resolve, reject, acknowledged };
  }

  private schedule(): void {
    if (this.inFlight.length > 0 || this.queued.length === 0) return;
    if (this.urgent > 0 || this.queued.length >= this.options.maxMessages) {
      this.clearLinger();
      void this.sendNext();
    } else if (!this.lingerTimer) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        if (this.inFlight.length === 0) void this.sendNext();
      }, this.options.lingerMs);
    }
  }

  private clearLinger(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
  }

  private async sendNext(): Promise<void> {
    const batch = this.queued.splice(0, this.options.maxMessages);
    if (batch.length === 0) return;
    this.inFlight = batch;
    try {
      await this.send(batch.map((e) => e.item));
      for (const e of batch) e.resolve();
    } catch (error) {
      for (const e of batch) e.reject(error);
    } finally {
      this.inFlight = [];
      this.admitWaiting();
      this.schedule();
    }
  }

  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.queued.length < this.options.maxBuffered) {
      this.queued.push(this.waiting.shift()!);
    }
  }
}
