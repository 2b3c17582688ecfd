import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ConfluentSchemaRegistryValidationError } from '@kafkajs/confluent-schema-registry/dist/errors';
import { Logger } from '@nestjs/common';
import { createRetryPolicy, MetricsRegistry, RejectedRecordError, RetryPolicy, StorageUnavailableError } from '@vigil/common';
import type { Alert, EventStream, MetricSnapshot, TopicMap } from '@vigil/contracts';
import { deadLetterMessage } from '@vigil/messaging';
import { KafkaMessage, Message, Producer } from 'kafkajs';
import { MonitorConfig } from './monitor.config';
import { MonitorMetrics } from './monitor.metrics';
import { MonitorRepository } from './monitor.repository';

/** Outputs of one model not yet on Kafka. */
interface ModelOutputs {
  snapshots: MetricSnapshot[];
  alerts: Alert[];
}

/** A run of failures of one model's publication or one partition's batches, for /health. */
export interface FailureRun {
  since: string;
  failures: number;
  error: string;
}

/** Header naming the consumer that refused a record (the ingestor refuses from its own group). */
export const REFUSED_BY_HEADER = 'vigil-dead-letter-refused-by';

/**
 * Snapshots and alerts already on Kafka but not yet in ClickHouse, at most: beyond it
 * the oldest are dropped from the ClickHouse copy (counted, logged; Kafka keeps them),
 * so a long outage cannot grow memory without bound. ~20 minutes of 40 models × 6
 * segments at the default 10-s snapshot interval.
 */
const MAX_UNSTORED_OUTPUTS = 30_000;

export interface OutputPublisherDeps {
  producer: Producer;
  registry: SchemaRegistry;
  schemaIds: Record<EventStream, number>;
  topics: TopicMap;
  repository: MonitorRepository;
  metrics: MonitorMetrics;
  metricsRegistry: MetricsRegistry;
  retry: MonitorConfig['storageRetry'];
  /** Told about the outputs that reached Kafka (per-model series, Alertmanager). */
  onPublished: (snapshots: MetricSnapshot[], alerts: Alert[]) => void;
  /** Told whether ClickHouse takes the writes (false only when it is unavailable). */
  onStorageHealth: (healthy: boolean) => void;
}

/**
 * The monitor's outputs on their way out: dead letters of refused records, each model's
 * alerts and snapshots to Kafka (encoded per model, so one that cannot be encoded holds
 * back no other), then their ClickHouse copy through one storage writer at a time under
 * the project's retry policy.
 */
export class OutputPublisher {
  private readonly logger = new Logger('OutputPublisher');
  /** By model id. */
  private readonly unpublished = new Map<string, ModelOutputs>();
  private deadLetters: Message[] = [];
  private readonly publishFailures = new Map<string, FailureRun>();
  /** On Kafka, waiting for ClickHouse. */
  private readonly unstored: { snapshots: MetricSnapshot[]; alerts: Alert[] } = { snapshots: [], alerts: [] };
  private storageWriter?: Promise<void>;
  private readonly storageRetry: RetryPolicy;
  private readonly stopping = new AbortController();

  constructor(private readonly deps: OutputPublisherDeps) {
    this.storageRetry = createRetryPolicy(
      {
        operation: 'monitor.store-outputs',
        ...deps.retry,
        onRetry: ({ error, attempt, delayMs }) => {
          deps.onStorageHealth(!(error instanceof StorageUnavailableError));
          this.logger.warn({ message: 'writing snapshots/alerts to ClickHouse failed; retrying', attempt, retryInMs: Math.round(delayMs), error: String(error) });
        },
      },
      deps.metricsRegistry,
    );
  }

  /** Models whose outputs could not be published lately, for /health. */
  failures(): Record<string, FailureRun> {
    return Object.fromEntries(this.publishFailures);
  }

  add(modelId: string, snapshots: MetricSnapshot[], alerts: Alert[]): void {
    if (snapshots.length === 0 && alerts.length === 0) return;
    const outputs = this.unpublished.get(modelId) ?? { snapshots: [], alerts: [] };
    outputs.snapshots.push(...snapshots);
    outputs.alerts.push(...alerts);
    this.unpublished.set(modelId, outputs);
  }

  /** Queues the dead letter of a refused input record (its bytes and headers as they came, plus why). */
  refuse(message: KafkaMessage, source: { topic: string; partition: number; offset: number }, error: RejectedRecordError): void {
    const refused = { key: message.key, value: message.value, headers: { ...message.headers, [REFUSED_BY_HEADER]: 'monitor' } };
    this.deadLetters.push(deadLetterMessage(refused, source, error.reason, error.message));
  }

  /**
   * Publishes what is queued (what Kafka refuses waits for the next call), then starts a
   * storage writer if rows wait for ClickHouse (also those a writer gave up on).
   */
  async publish(): Promise<void> {
    await this.publishDeadLetters();
    await this.publishOutputs();
    this.startStorageWriter();
  }

  private async publishOutputs(): Promise<void> {
    if (this.unpublished.size === 0) return;
    const encoded: { modelId: string; outputs: ModelOutputs; alerts: Message[]; snapshots: Message[] }[] = [];
    for (const [modelId, outputs] of this.unpublished) {
      try {
        encoded.push({ modelId, outputs, alerts: await this.encode('alerts', outputs.alerts), snapshots: await this.encode('metricSnapshots', outputs.snapshots) });
      } catch (error) {
        this.modelPublishFailed(modelId, error, outputs);
      }
    }
    if (encoded.length === 0) return;
    try {
      await this.deps.producer.sendBatch({
        acks: -1,
        topicMessages: [
          { topic: this.deps.topics.alerts, messages: encoded.flatMap((e) => e.alerts) },
          { topic: this.deps.topics.metricSnapshots, messages: encoded.flatMap((e) => e.snapshots) },
        ].filter((t) => t.messages.length > 0),
      });
    } catch (error) {
      this.deps.metrics.publishFailures.inc({ target: 'kafka' });
      this.logger.warn({ message: 'publishing to Kafka failed; will retry', models: encoded.length, error: String(error) });
      return;
    }
    for (const { modelId, outputs } of encoded) {
      this.unpublished.delete(modelId);
      this.publishFailures.delete(modelId);
      this.deps.metrics.snapshotsPublished.inc(outputs.snapshots.length);
      for (const a of outputs.alerts) {
        this.deps.metrics.alertsPublished.inc({ rule: a.rule });
        this.logger.log({ message: 'alert', modelId: a.modelId, modelVersion: a.modelVersion, rule: a.rule, severity: a.severity, detail: a.message });
      }
      this.unstored.alerts.push(...outputs.alerts);
      this.unstored.snapshots.push(...outputs.snapshots);
      this.deps.onPublished(outputs.snapshots, outputs.alerts);
    }
    this.dropUnstoredBeyondCap();
  }

  /** Waits for the storage writer after stopping its retries (shutdown). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.storageWriter;
  }

  /**
   * A model whose outputs fail the contract's validation (a bug: the engine's outputs
   * break their own contract) loses them, reported; any other failure (a registry
   * outage) keeps them for the next tick.
   */
  private modelPublishFailed(modelId: string, error: unknown, outputs: ModelOutputs): void {
    const retriable = !(error instanceof ConfluentSchemaRegistryValidationError);
    const run = this.publishFailures.get(modelId);
    this.publishFailures.set(modelId, { since: run?.since ?? new Date().toISOString(), failures: (run?.failures ?? 0) + 1, error: String(error) });
    this.deps.metrics.publishFailures.inc({ target: retriable ? 'registry' : 'encode' });
    if (retriable) {
      this.logger.warn({ message: "encoding a model's outputs failed; will retry", modelId, error: String(error) });
      return;
    }
    this.unpublished.delete(modelId);
    this.logger.error({
      message: "a model's outputs break their contract: dropped",
      modelId,
      snapshots: outputs.snapshots.length,
      alerts: outputs.alerts.length,
      error: String(error),
    });
  }

  /** Refused input records to the dead-letter topic; kept for the next tick when Kafka fails. */
  private async publishDeadLetters(): Promise<void> {
    if (this.deadLetters.length === 0) return;
    const messages = this.deadLetters;
    try {
      await this.deps.producer.send({ topic: this.deps.topics.deadLetter, acks: -1, messages });
      this.deadLetters = this.deadLetters.slice(messages.length);
      this.deps.metrics.deadLetters.inc(messages.length);
    } catch (error) {
      this.deps.metrics.publishFailures.inc({ target: 'kafka' });
      this.logger.warn({ message: 'publishing dead letters failed; will retry', deadLetters: messages.length, error: String(error) });
    }
  }

  /**
   * One writer at a time copies the unstored outputs to ClickHouse under the retry
   * policy; outputs published meanwhile join it on its next attempt. When its retries
   * are spent the outputs stay, and the next publication or timer tick starts a new writer.
   */
  private startStorageWriter(): void {
    if (this.storageWriter || (this.unstored.alerts.length === 0 && this.unstored.snapshots.length === 0)) return;
    this.storageWriter = this.storageRetry
      .execute(() => this.storeUnstored(), this.stopping.signal)
      .then(
        () => {
          this.deps.onStorageHealth(true);
        },
        (error: unknown) => {
          // Kafka already has them; ClickHouse gets them from the writer the next publish() starts.
          this.deps.metrics.publishFailures.inc({ target: 'clickhouse' });
          this.deps.onStorageHealth(!(error instanceof StorageUnavailableError));
          this.logger.warn({
            message: 'writing snapshots/alerts to ClickHouse failed; kept for the next writer',
            unstored: this.unstored.alerts.length + this.unstored.snapshots.length,
            error: String(error),
          });
        },
      )
      .finally(() => {
        this.storageWriter = undefined;
      });
  }

  private async storeUnstored(): Promise<void> {
    await storeTaken(this.unstored.alerts, (rows) => this.deps.repository.insertAlerts(rows));
    await storeTaken(this.unstored.snapshots, (rows) => this.deps.repository.insertSnapshots(rows));
  }

  private dropUnstoredBeyondCap(): void {
    const excess = this.unstored.alerts.length + this.unstored.snapshots.length - MAX_UNSTORED_OUTPUTS;
    if (excess <= 0) return;
    // Snapshots go first: alerts are fewer and what on-call tooling reads.
    const snapshots = Math.min(excess, this.unstored.snapshots.length);
    this.unstored.snapshots.splice(0, snapshots);
    this.unstored.alerts.splice(0, excess - snapshots);
    this.deps.metrics.unstoredDropped.inc(excess);
    this.logger.error({ message: 'ClickHouse copy of the oldest snapshots/alerts dropped: too many waiting (they are on Kafka)', dropped: excess, cap: MAX_UNSTORED_OUTPUTS });
  }

  private async encode(stream: 'alerts' | 'metricSnapshots', values: (Alert | MetricSnapshot)[]): Promise<Message[]> {
    return Promise.all(values.map(async (value) => ({ key: value.modelId, value: await this.deps.registry.encode(this.deps.schemaIds[stream], value) })));
  }
}

/** Takes every waiting row, writes them, and puts them back in front if the write fails (publications append meanwhile). */
async function storeTaken<T>(waiting: T[], insert: (rows: T[]) => Promise<void>): Promise<void> {
  const taken = waiting.splice(0);
  try {
    await insert(taken);
  } catch (error) {
    waiting.unshift(...taken);
    throw error;
  }
}
