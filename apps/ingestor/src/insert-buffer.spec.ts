import { StorageUnavailableError } from '@vigil/common';
import { IngestTable } from './ingest.repository';
import { InsertBuffer, InsertBufferStoppedError } from './insert-buffer';

class FakeSink {
  inserts: [IngestTable, string[]][] = [];
  failuresLeft = 0;
  async insertRows(table: IngestTable, lines: readonly string[]): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new StorageUnavailableError('connect ECONNREFUSED');
    }
    this.inserts.push([table, [...lines]]);
  }
}

function setup(decoding: { n: number }, maxRows = 100) {
  const sink = new FakeSink();
  const log: string[] = [];
  const buffer = new InsertBuffer(
    sink,
    { maxRows, lingerMs: 10_000, retry: { initialMs: 1, maxMs: 4 }, batchesDecoding: () => decoding.n },
    {
      inserted: (table, rows) => log.push(`inserted ${table} ${rows}`),
      insertFailed: (error, retryInMs) => log.push(`failed ${error.constructor.name} retry in ${retryInMs}`),
      recovered: () => log.push('recovered'),
    },
  );
  return { sink, log, buffer };
}

describe('InsertBuffer', () => {
  it('waits for batches still being decoded, then inserts them together, one insert per table', async () => {
    const decoding = { n: 2 };
    const { sink, buffer } = setup(decoding);
    decoding.n = 1; // first batch decoded, second still decoding
    const first = buffer.add({ predictions: ['p1', 'p2'], dead_letters: ['d1'] });
    expect(sink.inserts).toEqual([]);
    decoding.n = 0;
    const second = buffer.add({ predictions: ['p3'], labels: ['l1'] });
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
    await buffer.add({ predictions: ['p1', 'p2'] });
    expect(sink.inserts).toEqual([['predictions', ['p1', 'p2']]]);
    buffer.stop();
  });

  it('retries an unavailable ClickHouse with capped doubling delays and resolves only once inserted', async () => {
    const { sink, log, buffer } = setup({ n: 0 });
    sink.failuresLeft = 4;
    await buffer.add({ labels: ['l1'] });
    // Delays 1·2^n capped at 4: 1, 2, 4, 4.
    expect(log).toEqual([
      'failed StorageUnavailableError retry in 1',
      'failed StorageUnavailableError retry in 2',
      'failed StorageUnavailableError retry in 4',
      'failed StorageUnavailableError retry in 4',
      'inserted labels 1',
      'recovered',
    ]);
    expect(sink.inserts).toEqual([['labels', ['l1']]]);
  });

  it('does not resend a table ClickHouse already acknowledged when a later table fails', async () => {
    const { sink, buffer } = setup({ n: 0 });
    const original = sink.insertRows.bind(sink);
    let labelFailures = 1;
    sink.insertRows = async (table, lines) => {
      if (table === 'labels' && labelFailures-- > 0) throw new StorageUnavailableError('socket hang up');
      return original(table, lines);
    };
    await buffer.add({ predictions: ['p1'], labels: ['l1'] });
    expect(sink.inserts).toEqual([
      ['predictions', ['p1']],
      ['labels', ['l1']],
    ]);
  });

  it('rejects queued rows when stopped, so their offsets are never committed', async () => {
    const { buffer } = setup({ n: 1 });
    const queued = buffer.add({ predictions: ['p1'] });
    buffer.stop();
    await expect(queued).rejects.toBeInstanceOf(InsertBufferStoppedError);
    await expect(buffer.add({ predictions: ['p2'] })).rejects.toBeInstanceOf(InsertBufferStoppedError);
  });
});
