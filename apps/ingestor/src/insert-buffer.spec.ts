import { createRetryPolicy, StorageUnavailableError } from '@vigil/common';
import { IngestTable } from './ingest.repository';
import { InsertBuffer, InsertBufferStoppedError, MAX_PARTITIONS_PER_INSERT, RefusedRow, SpanIntent, splitByPartition } from './insert-buffer';
import { Row } from './rows';

/** A row whose bytes are its name; `day` is its partition. */
const row = (name: string, day = 0): Row => ({
  bytes: Buffer.from(name),
  day,
  source: { at: { topic: 't', partition: 0, offset: '0', timestampMs: 0 }, key: null, value: Buffer.from(name), headers: {} },
});
const rows = (...names: string[]): Row[] => names.map((name) => row(name));
/** The records of partition 0 the rows came from (which offsets does not matter to most cases). */
const SPAN = { topic: 't', partition: 0, first: 0n, next: 1n };
/** The buffer's clock in these cases, a flush's stamp: 2026-01-01T00:00:00Z (Date.UTC(2026, 0, 1)). */
const STAMP_MS = 1_767_225_600_000;
const names = (list: readonly Row[]): string[] => list.map((r) => r.bytes.toString());

/** A ClickHouse refusal of row data, as 18.16 words it (Code 26 = CANNOT_PARSE_QUOTED_STRING). */
class RefusalError extends Error {}

class FakeSink {
  inserts: [IngestTable, string[]][] = [];
  failuresLeft = 0;
  /** Rows (by name) the sink refuses: any insert holding one fails as a whole. */
  poison = new Set<string>();
  attempts = 0;
  stamps: number[] = [];
  async insertRows(table: IngestTable, list: readonly Row[], stampMs: number): Promise<void> {
    this.attempts++;
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new StorageUnavailableError('connect ECONNREFUSED');
    }
    const bad = names(list).find((name) => this.poison.has(name));
    if (bad) throw new RefusalError(`Code: 26, e.displayText() = DB::Exception: Cannot parse ${bad}`);
    this.inserts.push([table, names(list)]);
    this.stamps.push(stampMs);
  }
}

function setup(decoding: { n: number }, maxRows = 100) {
  const sink = new FakeSink();
  const log: string[] = [];
  const refused: [IngestTable, RefusedRow[]][] = [];
  const delays: number[] = [];
  const intents: SpanIntent[] = [];
  const buffer = new InsertBuffer(
    sink,
    {
      maxRows,
      lingerMs: 10_000,
      retry: createRetryPolicy({
        operation: 'test_insert',
        maxRetries: Infinity,
        initialDelayMs: 1,
        maxDelayMs: 4,
        retriable: () => true,
        onRetry: ({ error, delayMs }) => {
          delays.push(delayMs);
          log.push(`failed ${error.constructor.name}`);
        },
      }),
      batchesDecoding: () => decoding.n,
      refusesRows: (error) => error instanceof RefusalError,
      now: () => STAMP_MS,
    },
    {
      inserting: async (list) => {
        intents.push(...list);
        log.push(`intents ${list.length}`);
      },
      inserted: (table, count) => log.push(`inserted ${table} ${count}`),
      recovered: () => log.push('recovered'),
      refused: async (table, list) => {
        refused.push([table, list]);
        return list.map(({ row: r }) => row(`dl-${r.bytes.toString()}`));
      },
    },
  );
  return { sink, log, buffer, refused, delays, intents };
}

describe('InsertBuffer', () => {
  it('waits for batches still being decoded, then inserts them together, one insert per table', async () => {
    const decoding = { n: 2 };
    const { sink, buffer } = setup(decoding);
    decoding.n = 1; // first batch decoded, second still decoding
    const first = buffer.add({ predictions: rows('p1', 'p2'), dead_letters: rows('d1') }, SPAN);
    expect(sink.inserts).toEqual([]);
    decoding.n = 0;
    const second = buffer.add({ predictions: rows('p3'), labels: rows('l1') }, SPAN);
    await Promise.all([first, second]);
    expect(sink.inserts).toEqual([
      ['predictions', ['p1', 'p2', 'p3']],
      ['labels', ['l1']],
      ['dead_letters', ['d1']],
    ]);
    buffer.stop();
  });

  it('flushes as soon as maxRows are queued even while other batches decode', async () => {
    const { sink, buffer } = setup({ n: 3 }, 2);
    await buffer.add({ predictions: rows('p1', 'p2') }, SPAN);
    expect(sink.inserts).toEqual([['predictions', ['p1', 'p2']]]);
    buffer.stop();
  });

  it('retries an unavailable ClickHouse with jittered delays capped at maxDelayMs and resolves only once inserted', async () => {
    const { sink, log, buffer, delays } = setup({ n: 0 });
    sink.failuresLeft = 4;
    await buffer.add({ labels: rows('l1') }, SPAN);
    expect(log).toEqual([
      'intents 1',
      'failed StorageUnavailableError',
      'failed StorageUnavailableError',
      'failed StorageUnavailableError',
      'failed StorageUnavailableError',
      'inserted labels 1',
      'recovered',
    ]);
    expect(delays).toHaveLength(4);
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(4); // maxDelayMs
    expect(sink.inserts).toEqual([['labels', ['l1']]]);
  });

  it('does not resend a table ClickHouse already acknowledged when a later table fails', async () => {
    const { sink, buffer } = setup({ n: 0 });
    const original = sink.insertRows.bind(sink);
    let labelFailures = 1;
    sink.insertRows = async (table, list, stampMs) => {
      if (table === 'labels' && labelFailures-- > 0) throw new StorageUnavailableError('socket hang up');
      return original(table, list, stampMs);
    };
    await buffer.add({ predictions: rows('p1'), labels: rows('l1') }, SPAN);
    expect(sink.inserts).toEqual([
      ['predictions', ['p1']],
      ['labels', ['l1']],
    ]);
  });

  it('rejects queued rows when stopped, so their offsets are never committed', async () => {
    const { buffer } = setup({ n: 1 });
    const queued = buffer.add({ predictions: rows('p1') }, SPAN);
    buffer.stop();
    await expect(queued).rejects.toBeInstanceOf(InsertBufferStoppedError);
    await expect(buffer.add({ predictions: rows('p2') }, SPAN)).rejects.toBeInstanceOf(InsertBufferStoppedError);
  });

  it('bisects a refused insert down to the offending rows, dead-letters them and inserts the rest', async () => {
    const { sink, buffer, refused, log } = setup({ n: 0 });
    sink.poison = new Set(['p3', 'p6']);
    await buffer.add({ predictions: rows('p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7') }, SPAN);
    // Halves of 7 rows: [p1..p4] fails (p3) → [p1 p2] ok, [p3 p4] fails → [p3] refused, [p4] ok;
    // [p5 p6 p7] fails (p6) → [p5 p6] fails → [p5] ok, [p6] refused; [p7] ok.
    expect(sink.inserts).toEqual([
      ['predictions', ['p1', 'p2']],
      ['predictions', ['p4']],
      ['predictions', ['p5']],
      ['predictions', ['p7']],
      ['dead_letters', ['dl-p3', 'dl-p6']],
    ]);
    expect(refused.map(([table, list]) => [table, list.map((r) => [r.row.bytes.toString(), r.error])])).toEqual([
      [
        'predictions',
        [
          ['p3', 'Code: 26, e.displayText() = DB::Exception: Cannot parse p3'],
          ['p6', 'Code: 26, e.displayText() = DB::Exception: Cannot parse p6'],
        ],
      ],
    ]);
    expect(log.filter((line) => line.startsWith('failed'))).toEqual([]); // a refusal is not an outage
  });

  it('does not resend bisected halves already inserted when ClickHouse goes away mid-bisection', async () => {
    const { sink, buffer } = setup({ n: 0 });
    sink.poison = new Set(['l2']);
    const original = sink.insertRows.bind(sink);
    let calls = 0;
    sink.insertRows = async (table, list, stampMs) => {
      // Calls: [l1..l4] refused, [l1 l2] refused, [l1] inserted, then [l2] meets an
      // unreachable ClickHouse once; the retry goes on from [l2], not from the start.
      if (++calls === 4) throw new StorageUnavailableError('socket hang up');
      return original(table, list, stampMs);
    };
    await buffer.add({ labels: rows('l1', 'l2', 'l3', 'l4') }, SPAN);
    expect(sink.inserts).toEqual([
      ['labels', ['l1']],
      ['labels', ['l3', 'l4']],
      ['dead_letters', ['dl-l2']],
    ]);
  });

  it('inserts one block per table and Kafka partition, stamped with the flush time, after writing the spans down', async () => {
    const decoding = { n: 1 };
    const { sink, buffer, intents, log } = setup(decoding);
    const first = buffer.add({ predictions: rows('a1', 'a2') }, { topic: 't', partition: 0, first: 10n, next: 12n });
    const other = buffer.add({ predictions: rows('b1'), dead_letters: rows('bd') }, { topic: 't', partition: 1, first: 40n, next: 42n });
    decoding.n = 0;
    const second = buffer.add({ predictions: rows('a3') }, { topic: 't', partition: 0, first: 12n, next: 15n });
    await Promise.all([first, other, second]);
    // Partition 0's two batches are one span [10, 15): what a replay of it must rebuild.
    expect(intents).toEqual([
      { topic: 't', partition: 0, first: 10n, next: 15n, stampMs: STAMP_MS },
      { topic: 't', partition: 1, first: 40n, next: 42n, stampMs: STAMP_MS },
    ]);
    expect(sink.inserts).toEqual([
      ['predictions', ['a1', 'a2', 'a3']],
      ['predictions', ['b1']],
      ['dead_letters', ['bd']],
    ]);
    expect(sink.stamps).toEqual([STAMP_MS, STAMP_MS, STAMP_MS]);
    expect(log[0]).toBe('intents 2');
    buffer.stop();
  });

  it('inserts a replay as blocks of its own with its original stamp, and writes nothing down for it', async () => {
    const decoding = { n: 1 };
    const { sink, buffer, intents } = setup(decoding);
    const span = { topic: 't', partition: 0, first: 10n, next: 15n };
    const replay = buffer.add({ predictions: rows('a1', 'a2') }, span, STAMP_MS - 60_000);
    decoding.n = 0;
    const after = buffer.add({ predictions: rows('a3') }, { topic: 't', partition: 0, first: 15n, next: 16n });
    await Promise.all([replay, after]);
    expect(sink.inserts).toEqual([
      ['predictions', ['a1', 'a2']],
      ['predictions', ['a3']],
    ]);
    expect(sink.stamps).toEqual([STAMP_MS - 60_000, STAMP_MS]);
    expect(intents).toEqual([{ topic: 't', partition: 0, first: 15n, next: 16n, stampMs: STAMP_MS }]);
    buffer.stop();
  });

  it('splits a flush into inserts of at most MAX_PARTITIONS_PER_INSERT days', async () => {
    const { sink, buffer } = setup({ n: 0 }, 1_000);
    // 250 rows on 250 distinct days → blocks of 100, 100 and 50 days.
    const many = Array.from({ length: 250 }, (_, day) => row(`p${day}`, day));
    await buffer.add({ predictions: many }, SPAN);
    expect(sink.inserts.map(([, list]) => list.length)).toEqual([100, 100, 50]);
    expect(sink.inserts.flatMap(([, list]) => list)).toEqual(names(many));
  });
});

describe('splitByPartition', () => {
  it('keeps one block up to the limit and groups rows of a day together beyond it', () => {
    const mixed = [row('a', 1), row('b', 2), row('c', 1), row('d', 3)];
    expect(splitByPartition(mixed, 3).map(names)).toEqual([['a', 'b', 'c', 'd']]);
    expect(splitByPartition(mixed, 2).map(names)).toEqual([['a', 'c', 'b'], ['d']]);
    expect(MAX_PARTITIONS_PER_INSERT).toBe(100); // ClickHouse's default max_partitions_per_insert_block
  });
});
