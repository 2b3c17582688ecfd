import { RetryPolicy } from '@vigil/common';
import { IngestTable } from './ingest.repository';
import { Row } from './rows';

export type TableRows = Partial<Record<IngestTable, readonly Row[]>>;

export interface RowSink {
  insertRows(table: IngestTable, rows: readonly Row[], stampMs: number): Promise<void>;
}

/** The Kafka records some rows came from: one partition's offsets [first, next). */
export interface RecordSpan {
  topic: string;
  partition: number;
  first: bigint;
  next: bigint;
}

/** A span a flush is about to insert, with the stamp its blocks carry: what a replay needs to rebuild them. */
export interface SpanIntent extends RecordSpan {
  stampMs: number;
}

/**
 * ClickHouse 19.x+ refuses an INSERT touching more than this many partitions
 * (`max_partitions_per_insert_block`, Code 252); 18.16 has no such limit and rejects
 * the setting, so the block is split instead of raising it.
 */
export const MAX_PARTITIONS_PER_INSERT = 100;

/** A row ClickHouse refused on its own, with ClickHouse's error. */
export interface RefusedRow {
  row: Row;
  error: string;
}

export interface InsertBufferOptions {
  /** Rows per insert at most; also the most rows held back while an insert is in flight. */
  maxRows: number;
  /** Longest a row waits for company before it is inserted. */
  lingerMs: number;
  /**
   * How a flush that failed (other than by refused rows) is retried: the project's policy
   * (jittered, capped backoff), retrying every failure and never giving up, since
   * giving up would lose rows; its onRetry reports the failure (health, pause).
   */
  retry: RetryPolicy;
  /** Kafka batches still being decoded: while one is, its rows are worth waiting for. */
  batchesDecoding: () => number;
  /** True when ClickHouse refused an insert because of its rows (bisect), not because it cannot take writes (retry). */
  refusesRows: (error: unknown) => boolean;
  /** The clock a flush's stamp is read from (milliseconds since the epoch). */
  now: () => number;
}

export interface InsertBufferEvents {
  /**
   * Before a flush's first insert: the spans it holds (replays excepted) and their stamp,
   * to be written down where a replay finds them. Awaited, and must not reject: a failure
   * is the listener's to report, and the flush goes ahead (its replay then is merely not
   * identical).
   */
  inserting(intents: SpanIntent[]): Promise<void>;
  inserted(table: IngestTable, rows: number, seconds: number): void;
  /** The first insert after failed ones succeeded. */
  recovered(): void;
  /**
   * Rows ClickHouse refused one by one (after bisecting their insert): the consumer
   * dead-letters them and returns the dead_letters rows to insert in their place.
   * Resolves before the flush holding them is acknowledged, so their offsets are
   * committed only after that.
   */
  refused(table: IngestTable, rows: RefusedRow[]): Promise<Row[]>;
}

/** The rows of one span in a flush; a replay's span keeps the stamp it was first inserted with. */
interface PendingSpan {
  span: RecordSpan;
  replayStampMs: number | undefined;
  rows: Record<IngestTable, Row[]>;
}

interface Pending {
  spans: Map<string, PendingSpan>;
  count: number;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

const TABLES: IngestTable[] = ['predictions', 'labels', 'dead_letters'];

const emptyPending = (): Pending => ({ spans: new Map(), count: 0, waiters: [] });

export class InsertBufferStoppedError extends Error {
  constructor() {
    super('insert buffer stopped before the rows were inserted');
  }
}

/**
 * Rows grouped by partition (day) into blocks of at most `maxPartitions` partitions, in
 * order of first appearance; rows keep their order within a day.
 */
export function splitByPartition(rows: readonly Row[], maxPartitions: number): Row[][] {
  const byDay = new Map<number, Row[]>();
  for (const row of rows) {
    const day = byDay.get(row.day);
    if (day) day.push(row);
    else byDay.set(row.day, [row]);
  }
  if (byDay.size <= maxPartitions) return [rows.slice()];
  const blocks: Row[][] = [];
  let block: Row[] = [];
  let days = 0;
  for (const dayRows of byDay.values()) {
    if (days === maxPartitions) {
      blocks.push(block);
      block = [];
      days = 0;
    }
    for (const row of dayRows) block.push(row);
    days++;
  }
  blocks.push(block);
  return blocks;
}

interface Block {
  table: IngestTable;
  rows: Row[];
  stampMs: number;
}

/** ClickHouse's refusals of single rows, per table, with the stamp of the block that held them. */
type Refusals = Map<IngestTable, { rows: RefusedRow[]; stampMs: number }>;

/**
 * Coalesces the rows of many Kafka batches into one flush (ClickHouse prefers few big
 * inserts) and inserts them one flush at a time, while the next batches are decoded. `add`
 * resolves only once ClickHouse acknowledged the rows: offsets are committed after that,
 * never before.
 * - A flush inserts one block per table and Kafka partition (of at most
 *   MAX_PARTITIONS_PER_INSERT days), all stamped with the flush's time. The partition is
 *   the unit a crash replays (possibly on another instance): with its offsets and stamp
 *   written down first (`events.inserting`), a replay rebuilds the same block byte for byte
 *   and replicated tables drop it as a duplicate (docs/ingest.md "Identical replays").
 * - A block ClickHouse cannot take (unavailable, or rejecting it for a server-side
 *   reason) is retried, same rows, through `options.retry` until it succeeds or the
 *   buffer is stopped, so no later flush can overtake it and get its offsets committed
 *   first.
 * - A block ClickHouse refuses because of its rows (`refusesRows`) is bisected until
 *   each refused row stands alone; those rows are dead-lettered (`events.refused`) and
 *   the others land.
 */
export class InsertBuffer {
  private pending = emptyPending();
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  private stopped = false;
  private readonly stopping = new AbortController();
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

  /**
   * Queues the rows of `span`'s records. Spans of one partition must come in offset order.
   * With `replayStampMs` the span is a replay of a block written down earlier: it is
   * inserted as blocks of its own with that stamp, and nothing is written down for it.
   */
  add(rows: TableRows, span: RecordSpan, replayStampMs?: number): Promise<void> {
    if (this.stopped) return Promise.reject(new InsertBufferStoppedError());
    const key = `${span.topic}\u0000${span.partition}\u0000${replayStampMs ?? ''}`;
    let pending = this.pending.spans.get(key);
    if (pending) {
      pending.span.next = span.next;
    } else {
      pending = { span: { ...span }, replayStampMs, rows: { predictions: [], labels: [], dead_letters: [] } };
      this.pending.spans.set(key, pending);
    }
    for (const table of TABLES) {
      const lines = rows[table];
      if (!lines || lines.length === 0) continue;
      const target = pending.rows[table];
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
    this.stopping.abort();
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
        await this.insertWithRetry(batch.spans);
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

  private async insertWithRetry(spans: Map<string, PendingSpan>): Promise<void> {
    const stampMs = this.options.now();
    const intents: SpanIntent[] = [];
    // Blocks acknowledged are not sent again on retry; a refused block is replaced by its halves.
    const work: Block[] = [];
    for (const { span, replayStampMs } of spans.values()) if (replayStampMs === undefined) intents.push({ ...span, stampMs });
    // Table by table, as before blocks were per partition: a flush's predictions land before its labels.
    for (const table of TABLES) {
      for (const { replayStampMs, rows } of spans.values()) {
        if (rows[table].length === 0) continue;
        for (const block of splitByPartition(rows[table], MAX_PARTITIONS_PER_INSERT)) {
          work.push({ table, rows: block, stampMs: replayStampMs ?? stampMs });
        }
      }
    }
    if (intents.length > 0) await this.events.inserting(intents);
    const refused: Refusals = new Map();
    try {
      await this.options.retry.execute(async (attempt) => {
        while (work.length > 0 || refused.size > 0) {
          if (this.stopped) throw new InsertBufferStoppedError();
          if (work.length > 0) await this.insertBlock(work, refused);
          else await this.deadLetterRefused(work, refused);
        }
        if (attempt > 0) this.events.recovered();
      }, this.stopping.signal);
    } catch (error) {
      if (this.stopped) throw new InsertBufferStoppedError();
      throw error;
    }
  }

  /** Inserts the first block of `work`; a refusal of its rows splits it in two, or marks a lone row refused. */
  private async insertBlock(work: Block[], refused: Refusals): Promise<void> {
    const { table, rows, stampMs } = work[0];
    const started = process.hrtime.bigint();
    try {
      await this.sink.insertRows(table, rows, stampMs);
    } catch (error) {
      if (!this.options.refusesRows(error)) throw error;
      work.shift();
      if (rows.length === 1) {
        const list = refused.get(table) ?? { rows: [], stampMs };
        list.rows.push({ row: rows[0], error: error instanceof Error ? error.message : String(error) });
        refused.set(table, list);
      } else {
        const half = Math.ceil(rows.length / 2);
        work.unshift({ table, rows: rows.slice(0, half), stampMs }, { table, rows: rows.slice(half), stampMs });
      }
      return;
    }
    this.events.inserted(table, rows.length, Number(process.hrtime.bigint() - started) / 1e9);
    work.shift();
  }

  /** Hands refused rows over once, and queues the dead_letters rows that replace them. */
  private async deadLetterRefused(work: Block[], refused: Refusals): Promise<void> {
    for (const [table, { rows, stampMs }] of refused) {
      const replacements = await this.events.refused(table, rows);
      refused.delete(table);
      if (replacements.length > 0) work.push({ table: 'dead_letters', rows: replacements, stampMs });
    }
  }
}
