import { backoffDelay } from './backoff';
import { IngestTable } from './ingest.repository';

export type TableRows = Partial<Record<IngestTable, readonly string[]>>;

export interface RowSink {
  insertRows(table: IngestTable, lines: readonly string[]): Promise<void>;
}

export interface InsertBufferOptions {
  /** Rows per insert at most; also the most rows held back while an insert is in flight. */
  maxRows: number;
  /** Longest a row waits for company before it is inserted. */
  lingerMs: number;
  retry: { initialMs: number; maxMs: number };
  /** Kafka batches still being decoded: while one is, its rows are worth waiting for. */
  batchesDecoding: () => number;
}

export interface InsertBufferEvents {
  inserted(table: IngestTable, rows: number, seconds: number): void;
  /** `error` is a StorageUnavailableError (wait it out) or anything else (needs a human). */
  insertFailed(error: Error, retryInMs: number): void;
  recovered(): void;
}

interface Pending {
  rows: Record<IngestTable, string[]>;
  count: number;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

const TABLES: IngestTable[] = ['predictions', 'labels', 'dead_letters'];

const emptyPending = (): Pending => ({ rows: { predictions: [], labels: [], dead_letters: [] }, count: 0, waiters: [] });

export class InsertBufferStoppedError extends Error {
  constructor() {
    super('insert buffer stopped before the rows were inserted');
  }
}

/**
 * Coalesces the rows of many Kafka batches into one large insert per table (ClickHouse
 * prefers few big inserts) and inserts them one flush at a time, while the next batches
 * are decoded. `add` resolves only once ClickHouse acknowledged the rows: offsets are
 * committed after that, never before. A failed insert is retried, same rows, with
 * capped exponential backoff until it succeeds or the buffer is stopped, so no later
 * flush can overtake it and get its offsets committed first.
 */
export class InsertBuffer {
  private pending = emptyPending();
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  private stopped = false;
  private failing = false;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly sink: RowSink,
    private readonly options: InsertBufferOptions,
    private readonly events: InsertBufferEvents,
  ) {}

  /** Waits while a full set of rows is already queued behind the insert in flight (bounds memory). */
  async admit(): Promise<void> {
    while (!this.stopped && this.pending.count >= this.options.maxRows && this.flushing) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
  }

  add(rows: TableRows): Promise<void> {
    if (this.stopped) return Promise.reject(new InsertBufferStoppedError());
    for (const table of TABLES) {
      const lines = rows[table];
      if (!lines || lines.length === 0) continue;
      const target = this.pending.rows[table];
      for (const line of lines) target.push(line);
      this.pending.count += lines.length;
    }
    const done = new Promise<void>((resolve, reject) => this.pending.waiters.push({ resolve, reject }));
    this.schedule();
    return done;
  }

  /** Resolves once nothing is queued or in flight (used on shutdown). */
  idle(): Promise<void> {
    if (!this.flushing && this.pending.waiters.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Rejects queued rows and stops retrying: they were not committed and will be replayed. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    const waiting = this.pending.waiters;
    this.pending = emptyPending();
    for (const waiter of waiting) waiter.reject(new InsertBufferStoppedError());
    this.release();
  }

  private ready(): boolean {
    return this.pending.count >= this.options.maxRows || this.options.batchesDecoding() === 0;
  }

  private schedule(): void {
    if (this.flushing || this.pending.waiters.length === 0) return;
    if (this.ready()) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.flushing = true;
      void this.drain();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        if (this.flushing || this.pending.waiters.length === 0) return;
        this.flushing = true;
        void this.drain();
      }, this.options.lingerMs);
    }
  }

  private async drain(): Promise<void> {
    do {
      const batch = this.pending;
      this.pending = emptyPending();
      this.release();
      try {
        await this.insertWithRetry(batch.rows);
        for (const waiter of batch.waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of batch.waiters) waiter.reject(error);
      }
    } while (!this.stopped && this.pending.waiters.length > 0 && this.ready());
    this.flushing = false;
    this.release();
    this.schedule();
  }

  private release(): void {
    for (const resolve of this.roomWaiters.splice(0)) resolve();
    if (!this.flushing && this.pending.waiters.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async insertWithRetry(rows: Record<IngestTable, string[]>): Promise<void> {
    // Tables already acknowledged are not sent again on retry.
    const remaining = TABLES.filter((t) => rows[t].length > 0);
    for (let attempt = 0; ; attempt++) {
      try {
        while (remaining.length > 0) {
          const table = remaining[0];
          const started = process.hrtime.bigint();
          await this.sink.insertRows(table, rows[table]);
          this.events.inserted(table, rows[table].length, Number(process.hrtime.bigint() - started) / 1e9);
          remaining.shift();
        }
        if (this.failing) {
          this.failing = false;
          this.events.recovered();
        }
        return;
      } catch (error) {
        if (this.stopped) throw new InsertBufferStoppedError();
        const delay = backoffDelay(attempt, this.options.retry.initialMs, this.options.retry.maxMs);
        this.failing = true;
        this.events.insertFailed(error instanceof Error ? error : new Error(String(error)), delay);
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (this.stopped) throw new InsertBufferStoppedError();
      }
    }
  }
}
