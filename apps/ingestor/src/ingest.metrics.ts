import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@vigil/common';
import { Counter, Gauge, Histogram } from 'prom-client';

/** The ingestor's Prometheus series (GET /metrics); names documented in docs/ingest.md. */
@Injectable()
export class IngestMetrics {
  readonly eventsReceived: Counter<'topic'>;
  readonly rowsInserted: Counter<'table'>;
  readonly deadLettered: Counter<'reason'>;
  readonly insertBatchRows: Histogram<'table'>;
  readonly insertSeconds: Histogram<'table'>;
  readonly storageRetries: Counter;
  readonly replayedBlocks: Counter<'topic'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;

  constructor(registry: MetricsRegistry) {
    const registers = [registry];
    this.eventsReceived = new Counter({
      name: 'vigil_ingest_events_received_total',
      help: 'Kafka records read, by topic',
      labelNames: ['topic'],
      registers,
    });
    this.rowsInserted = new Counter({
      name: 'vigil_ingest_rows_inserted_total',
      help: 'Rows acknowledged by ClickHouse, by table',
      labelNames: ['table'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'vigil_ingest_dead_letters_total',
      help: 'Records sent to the dead-letter topic, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.insertBatchRows = new Histogram({
      name: 'vigil_ingest_insert_batch_rows',
      help: 'Rows per ClickHouse insert',
      labelNames: ['table'],
      buckets: [1, 10, 100, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000],
      registers,
    });
    this.insertSeconds = new Histogram({
      name: 'vigil_ingest_insert_duration_seconds',
      help: 'Duration of one ClickHouse insert',
      labelNames: ['table'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.storageRetries = new Counter({
      name: 'vigil_ingest_storage_retries_total',
      help: 'Inserts retried because ClickHouse was unavailable',
      registers,
    });
    this.replayedBlocks = new Counter({
      name: 'vigil_ingest_replayed_blocks_total',
      help: 'Blocks rebuilt from a replay intent a crash left behind and inserted again, by topic',
      labelNames: ['topic'],
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'vigil_ingest_consumer_lag',
      help: 'Records behind the high watermark after the last processed batch, per partition',
      labelNames: ['topic', 'partition'],
      registers,
    });
  }
}
