import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { InfrastructureConfig } from '@vigil/common';
import type { Alert, EventStream, RetrainRequested, RollbackRequested, TopicMap } from '@vigil/contracts';
import { AvroDecoder } from '@vigil/messaging';
import { Consumer, Kafka, Producer } from 'kafkajs';
import { serviceEnv, ServiceProcess } from '../support/service-process';
import { eventually } from '../support/stack';

/**
 * A CRITICAL performance alert observed now: the built-in policy (and the tests' policies of
 * `consecutiveCritical: 3`) open one retrain incident on three of them in a row. The
 * figures are the monitor's accuracy-floor rule (0.62 against the floor 0.80).
 */
export function criticalAlert(modelId: string, version: string, alertId: string, since = new Date()): Alert {
  const observedAt = new Date();
  return {
    alertId,
    modelId,
    modelVersion: version,
    kind: 'PERFORMANCE',
    severity: 'CRITICAL',
    rule: 'accuracy_below_floor',
    since,
    observedAt,
    message: 'accuracy 0.62 below floor 0.80',
    evidence: [{ metric: 'accuracy', value: 0.62, threshold: 0.8, baseline: 0.91, feature: null, windowStart: since, windowEnd: observedAt, sampleSize: 400 }],
  };
}

/** The orchestrator as a real child process (so a test can kill -9 it). */
export class OrchestratorProcess extends ServiceProcess {
  constructor(config: InfrastructureConfig & { runId: string }, port: number, extraEnv: Record<string, string>) {
    super(
      'orchestrator',
      serviceEnv(config, {
        KAFKA_CLIENT_ID: `orchestrator-${config.runId}`,
        ORCHESTRATOR_GROUP_ID: `orchestrator-${config.runId}`,
        ORCHESTRATOR_TRANSACTIONAL_ID: `orchestrator-${config.runId}`,
        // Broker minimum: a killed instance's partitions move to its restart within ~6 s.
        ORCHESTRATOR_SESSION_TIMEOUT_MS: '6000',
        VIGIL_TOPIC_PARTITIONS: '2',
        ...extraEnv,
      }),
      port,
    );
  }

  /**
   * Starts it and waits until its consumer runs (or it exits). With `fault`, from the test-only
   * entry that kills the process in that crash window (test/support/orchestrator-with-faults.ts).
   */
  async startAndWait(env: Record<string, string> = {}, fault?: 'exit-after-persist' | 'exit-after-produce'): Promise<void> {
    this.start(env, fault ? ['test/support/orchestrator-with-faults.ts', fault] : undefined);
    await eventually(
      async () => (await this.tryGet<{ details?: { kafka?: { consumer?: string } } }>('/health'))?.body.details?.kafka?.consumer ?? 'unreachable',
      (status) => status === 'running' || !this.running,
      60_000,
    );
    if (!this.running) throw new Error(`orchestrator exited with ${await this.exited()}:\n${this.output}`);
  }
}

/** What an orchestrator's /health says of its lease and its lifecycle consumer. */
export interface RoleHealth {
  role: string;
  consumer: string;
}

/** Its role and consumer as /health gives them; `unreachable` while it does not answer. */
export async function roleOf(orchestrator: OrchestratorProcess): Promise<RoleHealth> {
  const details = (await orchestrator.tryGet<{ details?: { lease?: { role?: string }; kafka?: { consumer?: string } } }>('/health'))?.body.details;
  return { role: details?.lease?.role ?? 'unreachable', consumer: details?.kafka?.consumer ?? 'unreachable' };
}

/** Produces contract events the way the monitor and the deployer would: Avro via the registry, keyed by model. */
export class EventProducer {
  constructor(
    private readonly producer: Producer,
    private readonly registry: SchemaRegistry,
    private readonly topics: TopicMap,
    private readonly schemaIds: Record<EventStream, number>,
  ) {}

  async send(stream: EventStream, modelId: string, values: object[]): Promise<void> {
    await this.producer.send({
      topic: this.topics[stream],
      acks: -1,
      messages: await Promise.all(values.map(async (value) => ({ key: modelId, value: await this.registry.encode(this.schemaIds[stream], value) }))),
    });
  }
}

export type ProducedRequest = { topic: 'retrain'; value: RetrainRequested } | { topic: 'rollback'; value: RollbackRequested };

/** Reads both request topics as a downstream consumer would (read_committed), from the beginning. */
export async function collectRequests(kafka: Kafka, registry: SchemaRegistry, topics: TopicMap, groupId: string): Promise<{ consumer: Consumer; requests: ProducedRequest[] }> {
  const consumer = kafka.consumer({ groupId, readUncommitted: false, sessionTimeout: 6000, heartbeatInterval: 600 });
  const decoder = new AvroDecoder(registry);
  const requests: ProducedRequest[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.retrainRequested, topics.rollbackRequested], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === topics.retrainRequested) requests.push({ topic: 'retrain', value: (await decoder.decode<RetrainRequested>(message.value!)).value });
      else requests.push({ topic: 'rollback', value: (await decoder.decode<RollbackRequested>(message.value!)).value });
    },
  });
  return { consumer, requests };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
