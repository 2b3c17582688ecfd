// Over 400 lines with a reason: the consumer loop, the checkpointer and the HTTP facade are still one
// class; their split is the architecture issue's refactor. Outputs already moved to OutputPublisher.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ComponentHealth, HealthRegistry, MetricsRegistry, RejectedRecordError, Serializer, StorageUnavailableError } from '@vigil/common';
import { LabelEvent, PredictionEvent, Task, TopicMap, topicMap } from '@vigil/contracts';
import { AvroDecoder, ensureTopics, KAFKA, KafkaBatchTransport, registerContracts, SCHEMA_REGISTRY } from '@vigil/messaging';
import { DatasetSummary, DatasetSummaryJSON } from '@vigil/monitoring';
import { EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { LabelFlowControl } from './core/label-flow-control';
import { checkModelConfig, effectiveConfig, ModelConfig } from './core/model-config';
import { ModelMonitor } from './core/model-monitor';
import { ContractReader, InputStream } from './kafka/contract-reader';
import { MONITOR_CONFIG, MonitorConfig } from './monitor.config';
import { ModelOperations } from './model-operations';
import { MonitorMetrics } from './monitor.metrics';
import { Checkpoint, MonitorRepository } from './monitor.repository';
import { FailureRun, OutputPublisher } from './output-publisher';

export const MONITOR_REPOSITORY = Symbol('MonitorRepository');

/** A model this instance owns: its monitor and where its checkpoint stands. */
interface OwnedModel {
  monitor: ModelMonitor;
  partition: number;
  /** Records below these offsets are already inside the restored state: skipped on replay. */
  restoredUpTo: { predictions: number; labels: number };
  /** Changed since the last checkpoint. */
  dirty: boolean;
  referenceAppliedAt: number;
}

/** Consecutive failed deliveries of a partition's batch after which /health says `down`: it is stuck, not unlucky. */
const STALLED_AFTER_FAILURES = 3;

/**
 * The monitor's event loop, fed by MonitorEventsController with the batches of the app's
 * KafkaBatchTransport. Models are owned per partition (all topics keyed by model id,
 * partitions dealt to instances by CoPartitionAssigner); each batch updates the owned
 * models' ModelMonitors at once, publishes their alerts (and due snapshots), and
 * periodically checkpoints every changed model to ClickHouse and only then commits the
 * Kafka offsets, so a restarted or new owner resumes from the checkpoint and replays the
 * rest.
 */
@Injectable()
export class MonitorService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('MonitorService');
  private readonly topics: TopicMap;
  private readonly reader: ContractReader;
  private producer?: Producer;
  private readonly models = new Map<string, OwnedModel>();
  /** `${topic}:${partition}` → next offset to process. */
  private readonly positions = new Map<string, number>();
  private assigned = new Set<number>();
  /** Pauses a labels partition that ran ahead of its predictions partition (catch-up on a backlog). */
  private readonly labelFlow: LabelFlowControl;
  private readonly serializer = new Serializer();
  private timer?: NodeJS.Timeout;
  private publisher?: OutputPublisher;
  /** By `${topic}:${partition}`: batches that failed and are being redelivered. */
  private readonly partitionFailures = new Map<string, FailureRun>();
  private lastCheckpointAttempt = Date.now();
  private lastConfigRefresh = 0;
  private stopping = false;
  private storageHealthy = true;

  constructor(
    @Inject(MONITOR_CONFIG) private readonly config: MonitorConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(SCHEMA_REGISTRY) private readonly registry: SchemaRegistry,
    private readonly transport: KafkaBatchTransport,
    @Inject(MONITOR_REPOSITORY) private readonly repository: MonitorRepository,
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
      modelsOwned: this.models.size,
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
    this.timer = setInterval(() => void this.exclusive(() => this.onTimer()), Math.min(1_000, this.config.snapshotIntervalMs));
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.stopping = true;
    // stop() waits for the batch in progress; then the last state is published and checkpointed.
    await this.transport.stop();
    await this.exclusive(async () => {
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
    return this.exclusive(() => this.onBatch(payload));
  }

  /** One thing at a time: batches, timer ticks and HTTP writes never interleave on model state. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.serializer.run(task);
  }

  private onAssignment(assignment: Record<string, number[]>): void {
    this.assigned = new Set([...(assignment[this.topics.predictions] ?? []), ...(assignment[this.topics.labels] ?? [])]);
    // State of models whose partition moved away is dropped: the new owner restores it from the checkpoint.
    for (const [modelId, owned] of this.models) {
      if (this.assigned.has(owned.partition)) continue;
      this.models.delete(modelId);
      this.operations.forget(modelId);
    }
    for (const key of this.positions.keys()) if (!this.assigned.has(Number(key.split(':').pop()))) this.positions.delete(key);
    for (const key of this.partitionFailures.keys()) if (!this.assigned.has(Number(key.split(':').pop()))) this.partitionFailures.delete(key);
    // kafkajs keeps a pause across rebalances: a partition that comes back later must not stay paused.
    const revokedPaused = this.labelFlow.forget(this.assigned);
    if (revokedPaused.length > 0) this.setLabelsPaused(revokedPaused, false);
    this.metrics.modelsOwned.set(this.models.size);
    this.logger.log({ message: 'partitions assigned', partitions: [...this.assigned].sort((a, b) => a - b), modelsOwned: this.models.size });
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
    // A labels batch fetched before its partition paused: left unresolved, kafkajs reads it again after the resume.
    if (stream === 'labels' && this.labelFlow.isPaused(batch.partition)) return;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      // Records below the position are already in memory: kafkajs re-delivers from the committed
      // offset after a consumer restart (e.g. an error in a batch), and they must not count twice.
      if (Number(message.offset) < (this.positions.get(position) ?? 0)) {
        this.metrics.events.inc({ topic: stream, outcome: 'replayed' });
      } else {
        await this.handle(stream, batch.partition, message);
        this.positions.set(position, Number(message.offset) + 1);
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
    this.refreshOperations();
    this.resumeLabels();
    if (Date.now() - this.lastCheckpointAttempt >= this.config.checkpointIntervalMs) await this.checkpoint();
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
      const owned = await this.own(event.modelId, partition);
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

  /** The model's state, restored from its checkpoint the first time this instance sees it. */
  private async own(modelId: string, partition: number): Promise<OwnedModel> {
    const known = this.models.get(modelId);
    if (known) return known;
    const [checkpoint, overrides, references] = await Promise.all([
      this.repository.loadCheckpoint(modelId),
      this.repository.loadConfigOverrides([modelId]),
      this.repository.loadReferences([modelId]),
    ]);
    const config = effectiveConfig(this.config.modelDefaults, overrides.get(modelId));
    const options = { snapshotIntervalMs: this.config.snapshotIntervalMs };
    const samePartition = checkpoint && checkpoint.predictionsPartition === partition;
    const owned: OwnedModel = {
      monitor: samePartition ? ModelMonitor.fromJSON(checkpoint.state, config, options) : new ModelMonitor(modelId, config, options),
      partition,
      restoredUpTo: samePartition ? { predictions: checkpoint.predictionsOffset, labels: checkpoint.labelsOffset } : { predictions: 0, labels: 0 },
      dirty: false,
      referenceAppliedAt: 0,
    };
    const reference = references.get(modelId);
    if (reference) {
      if (samePartition && checkpoint.state.referenceSource === 'registered' && checkpoint.checkpointedAt.getTime() >= reference.updatedAt) {
        owned.referenceAppliedAt = reference.updatedAt;
      } else {
        this.applyReference(owned, reference.summary, reference.updatedAt);
      }
    }
    this.models.set(modelId, owned);
    this.metrics.modelsOwned.set(this.models.size);
    this.logger.log({ message: 'model owned', modelId, partition, restoredFrom: samePartition ? owned.restoredUpTo : null });
    return owned;
  }

  private applyReference(owned: OwnedModel, summary: DatasetSummaryJSON, updatedAt: number): void {
    owned.monitor.setReference(DatasetSummary.fromJSON(summary));
    owned.referenceAppliedAt = updatedAt;
    owned.dirty = true;
  }

  private refreshOperations(): void {
    this.operations.refresh(this.ownedMonitors(), Date.now());
  }

  private *ownedMonitors(): IterableIterator<[string, ModelMonitor]> {
    for (const [modelId, owned] of this.models) yield [modelId, owned.monitor];
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
    this.refreshOperations();
    this.resumeLabels();
    if (Date.now() - this.lastConfigRefresh >= this.config.configRefreshMs) await this.refreshConfigs();
    if (Date.now() - this.lastCheckpointAttempt >= this.config.checkpointIntervalMs) await this.checkpoint();
  }

  /** Applies configuration overrides and registered references written through any instance's API. */
  private async refreshConfigs(): Promise<void> {
    this.lastConfigRefresh = Date.now();
    const ids = [...this.models.keys()];
    try {
      const [overrides, references] = await Promise.all([this.repository.loadConfigOverrides(ids), this.repository.loadReferences(ids)]);
      for (const [modelId, owned] of this.models) {
        const config = effectiveConfig(this.config.modelDefaults, overrides.get(modelId));
        if (JSON.stringify(config) !== JSON.stringify(owned.monitor.currentConfig)) {
          owned.monitor.setConfig(config);
          owned.dirty = true;
        }
        const reference = references.get(modelId);
        if (reference && reference.updatedAt > owned.referenceAppliedAt) this.applyReference(owned, reference.summary, reference.updatedAt);
      }
    } catch (error) {
      this.logger.warn({ message: 'config refresh failed', error: String(error) });
    }
  }

  /** Ticks every owned model and hands its alerts and due snapshots to the publisher, which publishes what is queued. */
  private async publish(): Promise<void> {
    const now = Date.now();
    const waiting = new Map([...this.assigned].map((p) => [p, 0]));
    for (const owned of this.models.values()) {
      const { snapshots, alerts } = owned.monitor.tick(now);
      this.publisher!.add(owned.monitor.modelId, snapshots, alerts);
      // The tick expires early labels; recounting here also covers models restored or dropped.
      waiting.set(owned.partition, (waiting.get(owned.partition) ?? 0) + owned.monitor.waitingLabels());
    }
    for (const [partition, count] of waiting) this.labelFlow.setWaiting(partition, count);
    await this.publisher!.publish();
  }

  /**
   * Writes every changed model's state with the positions it covers, then commits those
   * positions: the committed offset never passes what a checkpoint holds.
   */
  private async checkpoint(): Promise<void> {
    this.lastCheckpointAttempt = Date.now();
    const checkpointedAt = new Date();
    const dirty = [...this.models.values()].filter((m) => m.dirty);
    const checkpoints: Checkpoint[] = dirty.map((owned) => ({
      modelId: owned.monitor.modelId,
      predictionsPartition: owned.partition,
      predictionsOffset: Math.max(this.positions.get(`${this.topics.predictions}:${owned.partition}`) ?? 0, owned.restoredUpTo.predictions),
      labelsPartition: owned.partition,
      labelsOffset: Math.max(this.positions.get(`${this.topics.labels}:${owned.partition}`) ?? 0, owned.restoredUpTo.labels),
      state: owned.monitor.toJSON(),
      checkpointedAt,
    }));
    try {
      await this.repository.saveCheckpoints(checkpoints);
      this.storageHealthy = true;
    } catch (error) {
      this.storageHealthy = !(error instanceof StorageUnavailableError);
      this.logger.warn({ message: 'checkpoint failed; offsets not committed', error: String(error) });
      return;
    }
    for (const owned of dirty) owned.dirty = false;
    this.metrics.checkpointsWritten.inc(checkpoints.length);
    const offsets = [...this.positions].map(([key, offset]) => {
      const cut = key.lastIndexOf(':');
      return { topic: key.slice(0, cut), partition: Number(key.slice(cut + 1)), offset: String(offset) };
    });
    this.metrics.lastCheckpointAt = checkpointedAt.getTime();
    try {
      if (offsets.length > 0) await this.transport.commitOffsets(offsets);
    } catch (error) {
      // Harmless: the checkpoints carry their own offsets and replay skips what they cover.
      this.logger.warn({ message: 'offset commit failed; the next checkpoint commits again', error: String(error) });
    }
  }

  // ---- HTTP API ------------------------------------------------------------

  currentMetrics(modelId: string): ReturnType<ModelMonitor['currentMetrics']> | undefined {
    return this.models.get(modelId)?.monitor.currentMetrics();
  }

  async configOf(modelId: string): Promise<ModelConfig> {
    const overrides = await this.repository.loadConfigOverrides([modelId]);
    return effectiveConfig(this.config.modelDefaults, overrides.get(modelId));
  }

  /**
   * Checks the effective configuration for the model's task (DetectorConfigError naming the field) before anything is saved.
   * `changedBy`: the API token that made the change, stored with the row.
   */
  async saveConfig(modelId: string, override: Partial<ModelConfig>, changedBy: string): Promise<ModelConfig> {
    const config = effectiveConfig(this.config.modelDefaults, override);
    checkModelConfig(config, await this.taskOf(modelId));
    await this.repository.saveConfigOverride(modelId, override, changedBy);
    await this.exclusive(async () => {
      const owned = this.models.get(modelId);
      if (owned) {
        owned.monitor.setConfig(config);
        owned.dirty = true;
      }
    });
    return config;
  }

  /** The task of the model's predictions: from its state here, else from its checkpoint; null when none came yet. */
  private async taskOf(modelId: string): Promise<Task | null> {
    const owned = this.models.get(modelId);
    if (owned) return owned.monitor.modelTask;
    return (await this.repository.loadCheckpoint(modelId))?.state.task ?? null;
  }

  async saveReference(modelId: string, summary: DatasetSummary, changedBy: string): Promise<number> {
    const json = summary.toJSON();
    const rows = Math.max(0, ...Object.values(summary.columns).map((c) => c.rows));
    await this.repository.saveReference(modelId, json, rows, changedBy);
    await this.exclusive(async () => {
      const owned = this.models.get(modelId);
      if (owned) this.applyReference(owned, json, Date.now());
    });
    return rows;
  }
}

/** kafkajs errors that mean "the group is rebalancing or this member's generation ended". */
const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE']);

function isRebalance(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && REBALANCE_ERRORS.has(type);
}
