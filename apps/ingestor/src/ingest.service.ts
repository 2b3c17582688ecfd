import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ComponentHealth, createRetryPolicy, HealthRegistry, MetricsRegistry, StorageUnavailableError } from '@vigil/common';
import { topicMap, TopicMap } from '@vigil/contracts';
import { AvroDecoder, ensureTopics, KAFKA, KafkaBatchTransport, registerContracts, SCHEMA_REGISTRY } from '@vigil/messaging';
import { refusesRowData } from '@vigil/storage';
import { ConsumerCrashEvent, EachBatchPayload, Kafka } from 'kafkajs';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { IngestMetrics } from './ingest.metrics';
import { IngestRepository, IngestTable } from './ingest.repository';
import { INGESTOR_CONFIG, IngestorConfig } from './ingestor.config';
import { InsertBuffer, RecordSpan, RefusedRow, SpanIntent } from './insert-buffer';
import { OffsetCommitter } from './offset-committer';
import { ProcessedBatch, RecordProcessor } from './record-processor';
import { formatReplayIntent, PartitionReplays, Replay } from './replays';
import { DeadLetter, deadLetterRow, RecordSource, Row } from './rows';

/** kafkajs heartbeats only when asked: keep the group membership alive while an insert waits. */
const HEARTBEAT_WHILE_WAITING_MS = 3_000;
/** On SIGTERM, how long rows already read may take to reach ClickHouse before they are left to replay. */
const SHUTDOWN_DRAIN_MS = 10_000;

/**
 * Ingests the partition batches IngestController receives from the app's KafkaBatchTransport:
 * each is decoded, validated, inserted through the shared InsertBuffer and only then are its
 * offsets committed (at-least-once; the tables collapse replays). While ClickHouse is
 * unavailable consumption is paused and health reports `degraded`.
 */
@Injectable()
export class IngestService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IngestService.name);
  private readonly topics: TopicMap;
  private readonly buffer: InsertBuffer;
  private readonly committer: OffsetCommitter;
  private readonly replays: PartitionReplays;
  private processor!: RecordProcessor;
  private decodingBatches = 0;
  /** What health reports once the consumer group runs (before that: starting). */
  private state: ComponentHealth = { status: 'up', consumer: 'running' };

  constructor(
    @Inject(INGESTOR_CONFIG) private readonly config: IngestorConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(SCHEMA_REGISTRY) private readonly registry: SchemaRegistry,
    private readonly transport: KafkaBatchTransport,
    private readonly deadLetters: DeadLetterPublisher,
    repository: IngestRepository,
    private readonly metrics: IngestMetrics,
    health: HealthRegistry,
    metricsRegistry: MetricsRegistry,
  ) {
    this.topics = topicMap(config.topicPrefix);
    this.buffer = new InsertBuffer(
      repository,
      {
        ...config.batch,
        // Never gives up: the rows are not committed, and dropping them would lose events.
        retry: createRetryPolicy(
          {
            operation: 'clickhouse_insert',
            maxRetries: Infinity,
            initialDelayMs: config.retry.initialMs,
            maxDelayMs: config.retry.maxMs,
            retriable: () => true,
            onRetry: ({ error, delayMs }) => this.insertFailed(error, delayMs),
          },
          metricsRegistry,
        ),
        batchesDecoding: () => this.decodingBatches,
        refusesRows: refusesRowData,
        now: Date.now,
      },
      {
        inserting: (intents) => this.writeDownIntents(intents),
        inserted: (table, rows, seconds) => {
          metrics.rowsInserted.inc({ table }, rows);
          metrics.insertBatchRows.observe({ table }, rows);
          metrics.insertSeconds.observe({ table }, seconds);
        },
        recovered: () => this.insertRecovered(),
        refused: (table, rows) => this.refusedByStorage(table, rows),
      },
    );
    this.committer = new OffsetCommitter(
      (positions) => this.transport.commitOffsets(positions),
      (error) => this.logger.warn({ message: 'offset commit failed; retried with the next one', error: error.message }),
    );
    this.replays = new PartitionReplays(
      (topic) => transport.committedOffsets(topic),
      (topic, error) => this.logger.warn({ message: 'committed offsets not read: no identical replays for this topic until the next rebalance', topic, error: error.message }),
    );
    transport.on('consumer.group_join', () => this.replays.forget());
    health.register('ingestor', () => (this.transport.state === 'starting' ? { status: 'down', consumer: 'starting' } : this.state));
    transport.on('consumer.crash', ({ payload }: ConsumerCrashEvent) => {
      this.logger.error({ message: 'consumer crashed', error: payload.error.message, restart: payload.restart });
      if (!payload.restart) this.state = { status: 'down', consumer: 'crashed', error: payload.error.message };
    });
  }

  /** Before the transport's consumer starts (it starts after every bootstrap hook). */
  async onApplicationBootstrap(): Promise<void> {
    const { config } = this;
    await ensureTopics(this.kafka, this.topics, { partitions: config.topicPartitions });
    await registerContracts(this.registry, this.topics);
    this.processor = new RecordProcessor(new AvroDecoder(this.registry), this.topics, config.directDecoder);
    this.logger.log({ message: 'ingesting', topics: this.transport.topics(), group: config.groupId });
  }

  /**
   * Stops fetching, lets the rows already read reach ClickHouse and their offsets be
   * committed (bounded wait: if ClickHouse is away they are simply replayed later).
   * The transport then leaves the group, and the dead-letter producer disconnects last.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.transport.pause(this.subscribed());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.buffer.idle(), new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_DRAIN_MS)))]);
    clearTimeout(timer);
    this.buffer.stop();
    await this.committer.flush();
  }

  async ingestBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.isEmpty() || !isRunning() || isStale()) return;
    const { topic, partition } = batch;
    const beat = setInterval(() => heartbeat().catch(() => undefined), HEARTBEAT_WHILE_WAITING_MS);
    let decoding = false;
    try {
      await this.buffer.admit();
      this.decodingBatches++;
      decoding = true;
      this.metrics.eventsReceived.inc({ topic }, batch.messages.length);
      const last = batch.lastOffset();
      let messages = batch.messages;
      const replay = await this.replays.replayFor(topic, partition, BigInt(messages[0].offset));
      if (replay) {
        const replayed = messages.filter((message) => BigInt(message.offset) < replay.next);
        messages = messages.slice(replayed.length);
        // Validated against the original flush's stamp (not now), so that a record is judged (nearly) as it was then.
        collect(replay, tableRows(await this.decode(topic, partition, replayed, replay.stampMs)));
        if (BigInt(last) + 1n < replay.next) {
          resolveOffset(last);
          return;
        }
        this.replays.close(topic, partition);
        this.decodingBatches--;
        decoding = false;
        await this.replayBlock(topic, partition, replay);
        if (messages.length === 0) {
          resolveOffset(last);
          return;
        }
        this.decodingBatches++;
        decoding = true;
      }
      const processed = await this.decode(topic, partition, messages, Date.now());
      this.decodingBatches--;
      decoding = false;
      const span: RecordSpan = { topic, partition, first: BigInt(messages[0].offset), next: BigInt(last) + 1n };
      const inserted = this.buffer.add(tableRows(processed), span);
      // Fetching moves on while ClickHouse inserts; the commit waits for the insert.
      resolveOffset(last);
      inserted.then(
        () => this.committer.markInserted(topic, partition, span.next),
        // Only on shutdown: left uncommitted, replayed by the next owner and collapsed.
        () => undefined,
      );
      const lag = BigInt(batch.highWatermark) - BigInt(last) - 1n;
      this.metrics.consumerLag.set({ topic, partition: String(partition) }, Number(lag > 0n ? lag : 0n));
    } finally {
      clearInterval(beat);
      if (decoding) this.decodingBatches--;
    }
  }

  /** Decodes records; their dead letters are on their topic before the offsets move past them. */
  private async decode(topic: string, partition: number, messages: EachBatchPayload['batch']['messages'], nowMs: number): Promise<ProcessedBatch> {
    const processed = await this.processor.process(topic, partition, messages, nowMs);
    await this.deadLetters.publish(processed.deadLetters);
    for (const letter of processed.deadLetters) this.metrics.deadLettered.inc({ reason: letter.reason });
    return processed;
  }

  /**
   * Inserts a rebuilt block alone, with its original stamp, and commits past it before the
   * partition's next records are queued (their flush writes its own intent at `next`).
   */
  private async replayBlock(topic: string, partition: number, replay: Replay): Promise<void> {
    const span: RecordSpan = { topic, partition, first: replay.first, next: replay.next };
    const rows = replay.rows.predictions.length + replay.rows.labels.length + replay.rows.dead_letters.length;
    this.logger.log({ message: 'replaying a block written down before a crash', topic, partition, first: String(replay.first), next: String(replay.next), rows });
    await this.buffer.add(replay.rows, span, replay.stampMs);
    this.metrics.replayedBlocks.inc({ topic });
    this.committer.markInserted(topic, partition, replay.next);
  }

  /**
   * Writes each span's replay intent down (commit metadata) before its flush is inserted.
   * A failure is logged and the flush goes ahead: its replay, if one comes, is then not
   * identical, and the analyst views still count it once.
   */
  private async writeDownIntents(intents: SpanIntent[]): Promise<void> {
    try {
      await Promise.all(intents.map(({ topic, partition, first, next, stampMs }) => this.committer.commitIntent(topic, partition, first, formatReplayIntent({ next, stampMs }))));
    } catch (error) {
      this.logger.warn({ message: 'replay intent not committed; inserting anyway', error: error instanceof Error ? error.message : String(error) });
    }
  }

  /**
   * Rows ClickHouse refused one by one: dead-lettered like any refused record (topic,
   * then the dead_letters rows returned to the buffer). A refused dead_letters row is
   * already on the dead-letter topic; it is logged, not looped.
   */
  private async refusedByStorage(table: IngestTable, rows: RefusedRow[]): Promise<Row[]> {
    if (table === 'dead_letters') {
      for (const { row, error } of rows) {
        this.logger.error({ message: 'ClickHouse refused a dead_letters row; the record is on the dead-letter topic only', ...positionOf(row.source), error });
      }
      return [];
    }
    const letters: DeadLetter[] = rows.map(({ row, error }) => ({ ...row.source, reason: 'refused-by-storage', error }));
    await this.deadLetters.publish(letters);
    for (const letter of letters) {
      this.metrics.deadLettered.inc({ reason: letter.reason });
      this.logger.warn({ message: 'ClickHouse refused a row: dead-lettered', ...positionOf(letter), error: letter.error });
    }
    return letters.map(deadLetterRow);
  }

  private insertFailed(error: Error, retryInMs: number): void {
    this.metrics.storageRetries.inc();
    const unavailable = error instanceof StorageUnavailableError;
    if (this.state.consumer !== 'paused') {
      this.transport.pause(this.subscribed());
      this.logger.warn({ message: 'ClickHouse insert failed: consumption paused, retrying', error: error.message });
    }
    // Unavailable is waited out (degraded); any other insert error needs a human (down).
    this.state = {
      status: unavailable ? 'degraded' : 'down',
      consumer: 'paused',
      reason: unavailable ? 'clickhouse unavailable' : 'clickhouse rejected the insert',
      error: error.message,
      retryInMs,
    };
  }

  private insertRecovered(): void {
    this.transport.resume(this.subscribed());
    this.state = { status: 'up', consumer: 'running' };
    this.logger.log({ message: 'ClickHouse insert succeeded: consumption resumed' });
  }

  private subscribed(): { topic: string }[] {
    return this.transport.topics().map((topic) => ({ topic }));
  }
}

/** Where a record was read, for logs. */
const positionOf = ({ at }: RecordSource): { topic: string; partition: number; offset: string } => ({ topic: at.topic, partition: at.partition, offset: at.offset });

const tableRows = (processed: ProcessedBatch): Record<IngestTable, Row[]> => ({
  predictions: processed.predictions,
  labels: processed.labels,
  dead_letters: processed.deadLetters.map(deadLetterRow),
});

function collect(replay: Replay, rows: Record<IngestTable, Row[]>): void {
  for (const table of Object.keys(rows) as IngestTable[]) for (const row of rows[table]) replay.rows[table].push(row);
}
