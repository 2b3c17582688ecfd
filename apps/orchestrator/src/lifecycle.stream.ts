import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createRetryPolicy, DecodeError, HealthRegistry, isRetriable, MetricsRegistry, RejectedRecordError, RetryPolicy, Serializer } from '@vigil/common';
import type { Alert, MetricSnapshot, ModelDeployed, RetrainCompleted, TopicMap } from '@vigil/contracts';
import { EventStream, topicMap, validateAlert, validateSnapshot } from '@vigil/contracts';
import { AvroDecoder, deadLetterMessage, ensureTopics, KAFKA, KafkaBatchTransport, orchestratorLease, registerContracts, SCHEMA_REGISTRY } from '@vigil/messaging';
import { EachBatchPayload, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import type { LifecycleEvent } from './core';
import { LIFECYCLE_FAULTS, LifecycleFaults } from './lifecycle.faults';
import { LifecycleService, PendingRequest, SourcedEvent } from './lifecycle.service';
import { isFencedError, OrchestratorLease } from './orchestrator.lease';
import { OrchestratorMetrics } from './orchestrator.metrics';
import { ORCHESTRATOR_CONFIG, OrchestratorConfig } from './orchestrator.config';
import { WebhookDispatcher } from './webhook.dispatcher';

/**
 * Records decided and persisted together at most. A Kafka batch (up to 1 MB per
 * partition, thousands of snapshots) is persisted in parts of this size so the consumer
 * heartbeats between them; the batch still commits in one transaction.
 */
const RECORDS_PER_PERSIST = 1000;

/**
 * Persisting a batch while ClickHouse is away: up to 8 retries, 0.5 s growing to 5 s
 * (about 25 s in all), never longer apart than a third of the session timeout since the
 * consumer heartbeats between attempts. Then the batch is left unresolved and fetched again.
 */
const PERSIST_RETRY = { maxRetries: 8, initialDelayMs: 500, maxDelayMs: 5_000 };

/**
 * A transaction refused with CONCURRENT_TRANSACTIONS: the coordinator is still completing the
 * previous one (batches of several partitions commit back to back). It is aborted and run
 * again, up to 6 times from 50 ms growing to 1 s; kafkajs itself does not retry these calls.
 */
const TRANSACTION_RETRY = { maxRetries: 6, initialDelayMs: 50, maxDelayMs: 1_000 };

/** The broker's answer while the previous transaction of this transactional id still completes (Kafka error 51). */
function isConcurrentTransaction(error: Error): boolean {
  return (error as { type?: unknown }).type === 'CONCURRENT_TRANSACTIONS';
}

/** The partition was revoked or the consumer is stopping while a batch waited for storage. */
class BatchAbandonedError extends Error {}

/** How a part's persist ended, held without a rejected promise waiting unobserved while the next part is decoded. */
type PartOutcome = { persisted: boolean } | { error: unknown };

function outcomeOf(persist: Promise<boolean>): Promise<PartOutcome> {
  return persist.then(
    (persisted) => ({ persisted }),
    (error: unknown) => ({ error }),
  );
}

/** Whether the part was persisted (false: the batch is left for redelivery); rethrows its error. */
function settled(outcome: PartOutcome): boolean {
  if ('error' in outcome) throw outcome.error;
  return outcome.persisted;
}

/**
 * Header of a ModelDeployed published by the HTTP API: the name of the API token that
 * made the deployment, recorded with its rows (who changed what).
 */
export const CHANGED_BY_HEADER = 'vigil-changed-by';

/**
 * The Kafka edge. Handles the batches of alerts, metric snapshots, deployments and retrain
 * completions LifecycleEventsController receives from the app's KafkaBatchTransport
 * (several partitions at once); decides and persists each batch's records (in parts,
 * saved together with the parts of other partitions queued meanwhile), then one Kafka
 * transaction carries every pending request of its partition, the batch's dead letters and
 * the batch's consumed offsets, so "request produced" and "input consumed" commit together
 * or not at all.
 */
@Injectable()
export class LifecycleStream implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LifecycleStream.name);
  private readonly decoder: AvroDecoder;
  private readonly topics: TopicMap;
  private producer?: Producer;
  private schemaIds?: Record<EventStream, number>;
  /** A transactional producer runs one transaction at a time: batches and HTTP calls take turns. */
  private readonly transactions = new Serializer();
  private readonly persistRetry: RetryPolicy;
  private readonly transactionRetry: RetryPolicy;
  private storageWaiting = false;

  constructor(
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: OrchestratorConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(SCHEMA_REGISTRY) private readonly registry: SchemaRegistry,
    private readonly lifecycle: LifecycleService,
    private readonly metrics: OrchestratorMetrics,
    private readonly webhooks: WebhookDispatcher,
    private readonly transport: KafkaBatchTransport,
    @Inject(LIFECYCLE_FAULTS) private readonly faults: LifecycleFaults,
    private readonly lease: OrchestratorLease,
    health: HealthRegistry,
    metricsRegistry: MetricsRegistry,
  ) {
    this.decoder = new AvroDecoder(this.registry);
    this.topics = topicMap(config.topicPrefix);
    health.register('kafka', () => {
      // A standby does not consume until it is given the lease: it is up, waiting.
      if (this.lease.role === 'standby') return { status: 'up', consumer: 'standby' };
      const consumer = this.transport.state;
      return { status: consumer === 'running' ? 'up' : consumer === 'starting' ? 'degraded' : 'down', consumer };
    });
    health.register('storage', () => ({ status: this.storageWaiting ? 'degraded' : 'up', waitingForClickHouse: this.storageWaiting }));
    this.persistRetry = createRetryPolicy(
      {
        operation: 'orchestrator.persist-batch',
        ...PERSIST_RETRY,
        maxDelayMs: Math.min(PERSIST_RETRY.maxDelayMs, Math.floor(config.sessionTimeoutMs / 3)),
        onRetry: ({ error, attempt, delayMs }) => {
          this.storageWaiting = true;
          this.logger.warn({ message: 'persisting a batch failed; retrying', attempt, retryInMs: Math.round(delayMs), error: String(error) });
        },
      },
      metricsRegistry,
    );
    this.transactionRetry = createRetryPolicy(
      {
        operation: 'orchestrator.transaction',
        ...TRANSACTION_RETRY,
        retriable: isConcurrentTransaction,
        onRetry: ({ attempt, delayMs }) => this.logger.warn({ message: 'transaction refused while the previous one completes; retrying', attempt, retryInMs: Math.round(delayMs) }),
      },
      metricsRegistry,
    );
  }

  /** At start, active or standby: the topics (the lease's too) and the contracts. */
  async onApplicationBootstrap(): Promise<void> {
    await ensureTopics(this.kafka, this.topics, {
      partitions: this.config.topicPartitions,
      extraTopics: [{ topic: orchestratorLease(this.config.topicPrefix, this.config.groupId).topic, partitions: 1 }],
    });
    this.schemaIds = await registerContracts(this.registry, this.topics);
  }

  /**
   * Once this instance holds the lease, before the transport's consumer starts: fence the
   * previous active, reload the state it left, and commit what it left pending.
   */
  async activate(): Promise<void> {
    // Connecting with the transactional id fences any previous instance and completes
    // (commits or aborts) its open transaction before we read the state and committed offsets.
    this.producer = this.kafka.producer({
      transactionalId: this.config.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await this.producer.connect();
    await this.lifecycle.load();
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const cache = new Map<string, Map<number, number>>();
      await this.lifecycle.recoverPending(async (topic, partition) => {
        if (!cache.has(topic)) {
          const [offsets] = await admin.fetchOffsets({ groupId: this.config.groupId, topics: [topic] });
          cache.set(topic, new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)])));
        }
        return cache.get(topic)?.get(partition) ?? -1;
      });
    } finally {
      await admin.disconnect();
    }
    await this.commitTransaction([], null);
  }

  /** After the transport has left the group (Nest closes microservices before shutdown hooks). */
  async onApplicationShutdown(): Promise<void> {
    await this.producer?.disconnect();
  }

  async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const deadLetters: Message[] = [];
    let records: SourcedEvent[] = [];
    let last: string | null = null;
    // The part being persisted while the next one is decoded. A part is handed over only once
    // the one before it is persisted: a part never reaches the engine after a failed predecessor.
    let persisting: Promise<PartOutcome> = Promise.resolve({ persisted: true });
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const source = { topic: batch.topic, partition: batch.partition, offset: Number(message.offset) };
      try {
        records.push({ event: await this.decode(batch.topic, message), source, changedBy: headerText(message, CHANGED_BY_HEADER) });
      } catch (error) {
        if (!(error instanceof RejectedRecordError)) throw error;
        deadLetters.push(this.deadLetter(message, source, error));
        this.metrics.deadLetters.inc({ reason: error.reason });
      }
      last = message.offset;
      if (records.length === RECORDS_PER_PERSIST) {
        if (!settled(await persisting)) return;
        persisting = outcomeOf(this.persist(records, payload));
        records = [];
      }
      await heartbeat();
    }
    if (!settled(await persisting)) return;
    if (last === null) return;
    if (records.length > 0 && !(await this.persist(records, payload))) return;
    await heartbeat();
    await this.commitTransaction(deadLetters, { topic: batch.topic, partition: batch.partition, offset: last });
    resolveOffset(last);
    await heartbeat();
  }

  /**
   * Decides and persists records under the retry policy, heartbeating between attempts.
   * False when the retries are spent or the partition went away meanwhile: the batch is
   * then left unresolved, kafkajs fetches it again, and the engine recognises the records
   * an earlier part already decided (duplicates change nothing).
   */
  private async persist(records: SourcedEvent[], { heartbeat, isRunning, isStale }: EachBatchPayload): Promise<boolean> {
    try {
      await this.persistRetry.execute(async (attempt) => {
        if (attempt > 0) {
          if (!isRunning() || isStale()) throw new BatchAbandonedError('partition revoked or consumer stopping while waiting for storage');
          await heartbeat();
        }
        this.lease.confirmHeld();
        await this.lifecycle.handleBatch(records);
      });
      this.storageWaiting = false;
      return true;
    } catch (error) {
      if (!(error instanceof BatchAbandonedError) && !(error instanceof Error && isRetriable(error))) throw error;
      this.logger.warn({ message: 'batch left for redelivery: storage still failing', records: records.length, error: String(error) });
      return false;
    }
  }

  private async decode(topic: string, message: KafkaMessage): Promise<LifecycleEvent> {
    if (!message.value) throw new DecodeError('record has no value');
    if (topic === this.topics.alerts) return { type: 'alert', alert: validateAlert((await this.decoder.decode<Alert>(message.value)).value) };
    if (topic === this.topics.metricSnapshots) return { type: 'snapshot', snapshot: validateSnapshot((await this.decoder.decode<MetricSnapshot>(message.value)).value) };
    if (topic === this.topics.modelDeployed) return { type: 'deployed', deployment: (await this.decoder.decode<ModelDeployed>(message.value)).value };
    return { type: 'retrainCompleted', completion: (await this.decoder.decode<RetrainCompleted>(message.value)).value };
  }

  private deadLetter(message: KafkaMessage, source: { topic: string; partition: number; offset: number }, error: RejectedRecordError): Message {
    return deadLetterMessage(message, source, error.reason, error.message);
  }

  /**
   * One transaction: every pending request, the dead letters, and (when consuming)
   * the offset after `consumed`. Pending requests are marked produced in ClickHouse
   * only after the commit; a crash before that is resolved by recoverPending.
   */
  private commitTransaction(deadLetters: Message[], consumed: { topic: string; partition: number; offset: string } | null): Promise<void> {
    return this.inTurn(() => this.runTransaction(deadLetters, consumed));
  }

  /** Every transaction of this instance: none starts once the lease is in doubt, and a fenced one stops the instance. */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    return this.transactions.run(async () => {
      this.lease.confirmHeld();
      try {
        return await work();
      } catch (error) {
        if (isFencedError(error)) this.lease.fenced(error);
        throw error;
      }
    });
  }

  private async runTransaction(deadLetters: Message[], consumed: { topic: string; partition: number; offset: string } | null): Promise<void> {
    const pending = this.lifecycle.pendingRequests(consumed ?? undefined);
    if (pending.length === 0 && deadLetters.length === 0 && consumed === null) return;
    // Next offset to read per partition. Recovering (no batch), the offset after each
    // pending request's opening record: every earlier record of that partition was
    // already handled and persisted, so committing it with the request is exact, and a
    // crash right after this commit is again recognised as "produced".
    const offsets = new Map<string, { topic: string; partition: number; offset: number }>();
    const advance = (topic: string, partition: number, offset: number) => {
      const key = `${topic}/${partition}`;
      if ((offsets.get(key)?.offset ?? -1) < offset + 1) offsets.set(key, { topic, partition, offset: offset + 1 });
    };
    if (consumed) advance(consumed.topic, consumed.partition, Number(consumed.offset));
    else for (const request of pending) advance(request.source.topic, request.source.partition, request.source.offset);
    const producer = this.producer!;
    // An aborted attempt leaves nothing behind: the next one sends everything again.
    await this.transactionRetry.execute(async () => {
      const transaction = await producer.transaction();
      try {
        for (const request of pending) await transaction.send({ topic: request.topic, acks: -1, messages: [await this.encodeRequest(request)] });
        if (deadLetters.length > 0) await transaction.send({ topic: this.topics.deadLetter, acks: -1, messages: deadLetters });
        if (offsets.size > 0) {
          await transaction.sendOffsets({
            consumerGroupId: this.config.groupId,
            topics: [...offsets.values()].map(({ topic, partition, offset }) => ({ topic, partitions: [{ partition, offset: String(offset) }] })),
          });
        }
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
    });
    if (pending.length > 0) this.faults.afterProduce(pending);
    await this.lifecycle.markProduced(pending);
    // Only now, with the requests committed on Kafka: webhooks never announce a request that could still abort.
    this.webhooks.dispatch(pending, (message) => this.produceDeadLetter(message));
    for (const request of pending) {
      this.logger.log({
        message: 'lifecycle request produced',
        action: request.request.action,
        incidentId: request.incidentId,
        modelId: request.modelId,
        eventId: request.request.event.eventId,
      });
    }
  }

  /** A dead letter outside any batch (an undelivered webhook), in its own transaction. */
  private produceDeadLetter(message: Message): Promise<void> {
    return this.inTurn(async () => {
      const transaction = await this.producer!.transaction();
      try {
        await transaction.send({ topic: this.topics.deadLetter, acks: -1, messages: [message] });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
    });
  }

  private async encodeRequest(request: PendingRequest): Promise<Message> {
    const schemaId = request.request.action === 'retrain' ? this.schemaIds!.retrainRequested : this.schemaIds!.rollbackRequested;
    return {
      key: request.modelId,
      value: await this.registry.encode(schemaId, request.request.event),
      headers: { 'vigil-event-id': request.request.event.eventId, 'vigil-incident-id': request.incidentId },
    };
  }

  /**
   * Publishes a deployment accepted over HTTP. It is then handled like any other
   * ModelDeployed (so every request has a consumed record to commit with).
   */
  publishDeployment(deployment: ModelDeployed, changedBy: string): Promise<void> {
    return this.inTurn(() => this.sendDeployment(deployment, changedBy));
  }

  private async sendDeployment(deployment: ModelDeployed, changedBy: string): Promise<void> {
    const transaction = await this.producer!.transaction();
    try {
      await transaction.send({
        topic: this.topics.modelDeployed,
        acks: -1,
        messages: [{ key: deployment.modelId, value: await this.registry.encode(this.schemaIds!.modelDeployed, deployment), headers: { [CHANGED_BY_HEADER]: changedBy } }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }
}

/** A header's text, if the record carries it (kafkajs gives a Buffer, or an array when repeated: the first counts). */
function headerText(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
