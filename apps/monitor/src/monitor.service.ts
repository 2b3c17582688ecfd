import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ComponentHealth, HealthRegistry, MetricsRegistry, RejectedRecordError } from '@vigil/common';
import { LabelEvent, PredictionEvent, TopicMap, topicMap } from '@vigil/contracts';
import { AvroDecoder, ensureTopics, KAFKA, KafkaBatchTransport, registerContracts, SCHEMA_REGISTRY } from '@vigil/messaging';
import { EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { Checkpointer } from './checkpointer';
import { LabelFlowControl } from './core/label-flow-control';
import { ContractReader, InputStream } from './kafka/contract-reader';
import { ModelOperations } from './model-operations';
import { MONITOR_CONFIG, MonitorConfig } from './monitor.config';
import { MonitorMetrics } from './monitor.metrics';
import { MONITOR_REPOSITORY, MonitorRepository } from './monitor.repository';
import { FailureRun, OutputPublisher } from './output-publisher';
import { OwnedModels } from './owned-models';

/** Consecutive failed deliveries of a partition's batch after which /health says `down`: it is stuck, not unlucky. */
const STALLED_AFTER_FAILURES = 3;

/**
 * The monitor's event loop, fed by MonitorEventsController with the batches of the app's
 * KafkaBatchTransport. Each batch updates the owned models' ModelMonitors (OwnedModels),
 * publishes their alerts and due snapshots (OutputPublisher), and periodically hands over to
 * the Checkpointer; a timer does the same between batches. Labels that run ahead of their
 * predictions pause their partition (LabelFlowControl).
 */
@Injectable()
export class MonitorService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('MonitorService');
  private readonly topics: TopicMap;
  private readonly reader: ContractReader;
  private producer?: Producer;
  private assigned = new Set<number>();
  /** Pauses a labels partition that ran ahead of its predictions partition (catch-up on a backlog). */
  private readonly labelFlow: LabelFlowControl;
  private timer?: NodeJS.Timeout;
  private publisher?: OutputPublisher;
  /** By `${topic}:${partition}`: batches that failed and are being redelivered. */
  private readonly partitionFailures = new Map<string, FailureRun>();
  private stopping = false;
  private storageHealthy = true;

  constructor(
    @Inject(MONITOR_CONFIG) private readonly config: MonitorConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(SCHEMA_REGISTRY) private readonly registry: SchemaRegistry,
    private readonly transport: KafkaBatchTransport,
    @Inject(MONITOR_REPOSITORY) private readonly repository: MonitorRepository,
    private readonly owned: OwnedModels,
    private readonly checkpointer: Checkpointer,
    private readonly metrics: MonitorMetrics,
    private readonly operations: ModelOperations,
    health: HealthRegistry,
    private readonly metricsRegistry: MetricsRegistry,
  ) {
    this.topics = topicMap(config.topicPrefix);
    this.reader = new ContractReader(new AvroDecoder(this.registry));
    this.labelFlow = new LabelFlowControl(config.labelFlow);
    health.register('monitor', () => this.health());
    transport.on('consumer.group_join', ({ payload }) => this.onAssignment(payload.memberAssignment));
  }

  /** From the transport's consumer start to the shutdown. */
  private get running(): boolean {
    return this.transport.state === 'running' && !this.stopping;
  }

  /**
   * `down` when not running or when a partition's batch keeps failing (stuck); `degraded`
   * while ClickHouse refuses writes, some model's outputs cannot be published, or a
   * partition's batch failed and is being redelivered.
   */
  private health(): ComponentHealth {
    const stalled = [...this.partitionFailures].map(([position, run]) => ({ position, ...run }));
    const stuck = stalled.some((p) => p.failures >= STALLED_AFTER_FAILURES);
    const publishFailures = this.publisher?.failures() ?? {};
    const impaired = !this.storageHealthy || Object.keys(publishFailures).length > 0 || stalled.length > 0;
    return {
      status: !this.running || stuck ? 'down' : impaired ? 'degraded' : 'up',
      modelsOwned: this.owned.size,
      partitions: [...this.assigned].sort((a, b) => a - b),
      checkpointAgeSeconds: this.metrics.lastCheckpointAt === 0 ? null : (Date.now() - this.metrics.lastCheckpointAt) / 1000,
      storage: this.storageHealthy ? 'up' : 'failing',
      publishFailures,
      stalledPartitions: stalled,
    };
  }

  async onModuleInit(): Promise<void> {
    await ensureTopics(this.kafka, this.topics, { partitions: this.config.topicPartitions });
    const schemaIds = await registerContracts(this.registry, this.topics);
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    this.publisher = new OutputPublisher({
      producer: this.producer,
      registry: this.registry,
      schemaIds,
      topics: this.topics,
      repository: this.repository,
      metrics: this.metrics,
      metricsRegistry: this.metricsRegistry,
      retry: this.config.storageRetry,
      onPublished: (snapshots, alerts) => this.operations.published(snapshots, alerts),
      onStorageHealth: (healthy) => {
        this.storageHealthy = healthy;
      },
    });
    // Ticks do nothing until the transport's consumer runs (it starts after every init and bootstrap hook).
    this.timer = setInterval(() => void this.owned.exclusive(() => this.onTimer()), Math.min(1_000, this.config.snapshotIntervalMs));
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.stopping = true;
    // stop() waits for the batch in progress; then the last state is published and checkpointed.
    await this.transport.stop();
    await this.owned.exclusive(async () => {
      await this.publish();
      await this.checkpoint().catch((error: unknown) => this.logger.warn({ message: 'final checkpoint failed', error: String(error) }));
    });
    await this.publisher?.stop();
  }

  /** After the transport has left the group (Nest closes microservices before shutdown hooks). */
  async onApplicationShutdown(): Promise<void> {
    await this.producer?.disconnect();
  }

  /** One partition batch of predictions or labels, in turn with timer ticks and HTTP writes. */
  consume(payload: EachBatchPayload): Promise<void> {
    return this.owned.exclusive(() => this.onBatch(payload));
  }

  private onAssignment(assignment: Record<string, number[]>): void {
    this.assigned = new Set([...(assignment[this.topics.predictions] ?? []), ...(assignment[this.topics.labels] ?? [])]);
    this.owned.keepPartitions(this.assigned);
    for (const key of this.partitionFailures.keys()) if (!this.assigned.has(Number(key.split(':').pop()))) this.partitionFailures.delete(key);
    // kafkajs keeps a pause across rebalances: a partition that comes back later must not stay paused.
    const revokedPaused = this.labelFlow.forget(this.assigned);
    if (revokedPaused.length > 0) this.setLabelsPaused(revokedPaused, false);
    this.logger.log({ message: 'partitions assigned', partitions: [...this.assigned].sort((a, b) => a - b), modelsOwned: this.owned.size });
  }

  /** A batch that throws is redelivered by kafkajs; its partition is reported in /health until a delivery succeeds. */
  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const position = `${payload.batch.topic}:${payload.batch.partition}`;
    try {
      await this.processBatch(payload);
      this.partitionFailures.delete(position);
    } catch (error) {
      // A rebalance interrupting the batch is the group's business, not a stall.
      if (isRebalance(error) || !payload.isRunning() || payload.isStale()) throw error;
      const run = this.partitionFailures.get(position);
      this.partitionFailures.set(position, { since: run?.since ?? new Date().toISOString(), failures: (run?.failures ?? 0) + 1, error: String(error) });
      this.logger.error({ message: 'batch failed; kafkajs delivers it again', position, failures: (run?.failures ?? 0) + 1, error: String(error) });
      throw error;
    }
  }

  private async processBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const stream: InputStream = batch.topic === this.topics.predictions ? 'predictions' : 'labels';
    const position = `${batch.topic}:${batch.partition}`;
    const { positions } = this.owned;
    // A labels batch fetched before its partition paused: left unresolved, kafkajs reads it again after the resume.
    if (stream === 'labels' && this.labelFlow.isPaused(batch.partition)) return;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      // Records below the position are already in memory: kafkajs re-delivers from the committed
      // offset after a consumer restart (e.g. an error in a batch), and they must not count twice.
      if (Number(message.offset) < (positions.get(position) ?? 0)) {
        this.metrics.events.inc({ topic: stream, outcome: 'replayed' });
      } else {
        await this.handle(stream, batch.partition, message);
        positions.set(position, Number(message.offset) + 1);
      }
      resolveOffset(message.offset);
      if (stream === 'labels' && this.labelFlow.shouldPause(batch.partition, Date.now())) {
        // The rest of the batch is neither processed nor resolved: not in `positions`, never committed, fetched again on resume.
        this.setLabelsPaused([batch.partition], true);
        break;
      }
    }
    this.metrics.consumerLag.set({ topic: stream, partition: String(batch.partition) }, Number(batch.offsetLag()));
    if (stream === 'predictions') this.labelFlow.onPredictions(batch.partition, Number(batch.offsetLag()), Date.now());
    await this.publish();
    this.owned.refreshOperations(Date.now());
    this.resumeLabels();
    if (this.checkpointer.due(Date.now())) await this.checkpoint();
    await heartbeat();
  }

  /**
   * A record that is not the contract (by its writer schema), breaks its rules, or is not
   * a valid input of its model's engine is dead-lettered with the reason and changes nothing.
   */
  private async handle(stream: InputStream, partition: number, message: KafkaMessage): Promise<void> {
    const offset = Number(message.offset);
    try {
      const event = await this.reader.read(stream, message.value ?? Buffer.alloc(0));
      const owned = await this.owned.own(event.modelId, partition);
      if (offset < owned.restoredUpTo[stream]) {
        this.metrics.events.inc({ topic: stream, outcome: 'replayed' });
        return;
      }
      const waitingBefore = owned.monitor.waitingLabels();
      if (stream === 'predictions') owned.monitor.onPrediction(event as PredictionEvent);
      else owned.monitor.onLabel(event as LabelEvent);
      this.labelFlow.addWaiting(partition, owned.monitor.waitingLabels() - waitingBefore);
      owned.dirty = true;
      this.metrics.events.inc({ topic: stream, outcome: 'processed' });
    } catch (error) {
      if (!(error instanceof RejectedRecordError)) throw error;
      this.metrics.events.inc({ topic: stream, outcome: 'invalid' });
      this.logger.warn({ message: 'record dead-lettered', topic: stream, partition, offset, reason: error.reason, error: error.message });
      this.publisher!.refuse(message, { topic: this.topics[stream], partition, offset }, error);
    }
  }

  /** Resumes the labels partitions whose predictions caught up (or went idle). */
  private resumeLabels(): void {
    const partitions = this.labelFlow.toResume(Date.now());
    if (partitions.length > 0) this.setLabelsPaused(partitions, false);
  }

  private setLabelsPaused(partitions: number[], paused: boolean): void {
    const topicPartitions = [{ topic: this.topics.labels, partitions }];
    if (paused) this.transport.pause(topicPartitions);
    else this.transport.resume(topicPartitions);
    for (const partition of partitions) {
      this.metrics.labelsPaused.set({ partition: String(partition) }, paused ? 1 : 0);
      if (paused) this.metrics.labelPauses.inc({ partition: String(partition) });
    }
    this.logger.log({
      message: paused ? 'labels paused: they ran ahead of their predictions' : 'labels resumed',
      partitions,
      waitingLabels: partitions.map((p) => this.labelFlow.waiting(p)),
    });
  }

  private async onTimer(): Promise<void> {
    if (!this.running) return;
    await this.publish();
    this.owned.refreshOperations(Date.now());
    this.resumeLabels();
    await this.owned.refreshConfigsIfDue(Date.now());
    if (this.checkpointer.due(Date.now())) await this.checkpoint();
  }

  private async checkpoint(): Promise<void> {
    this.storageHealthy = await this.checkpointer.checkpoint();
  }

  /** Ticks every owned model and hands its alerts and due snapshots to the publisher, which publishes what is queued. */
  private async publish(): Promise<void> {
    const now = Date.now();
    const waiting = new Map([...this.assigned].map((p) => [p, 0]));
    for (const owned of this.owned.all()) {
      const { snapshots, alerts } = owned.monitor.tick(now);
      this.publisher!.add(owned.monitor.modelId, snapshots, alerts);
      // The tick expires early labels; recounting here also covers models restored or dropped.
      waiting.set(owned.partition, (waiting.get(owned.partition) ?? 0) + owned.monitor.waitingLabels());
    }
    for (const [partition, count] of waiting) this.labelFlow.setWaiting(partition, count);
    await this.publisher!.publish();
  }
}

/** kafkajs errors that mean "the group is rebalancing or this member's generation ended". */
const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE']);

function isRebalance(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && REBALANCE_ERRORS.has(type);
}
