import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { InfrastructureConfig } from '@vigil/common';
import type { EventStream, RetrainRequested, RollbackRequested, TopicMap } from '@vigil/contracts';
import { AvroDecoder } from '@vigil/messaging';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Consumer, Kafka, Producer } from 'kafkajs';
import { eventually } from '../support/stack';

const repo = join(__dirname, '..', '..');

/** The orchestrator as a real child process (so a test can kill -9 it). */
export class OrchestratorProcess {
  private child?: ChildProcess;
  private exit?: Promise<number | null>;
  readonly output: string[] = [];

  constructor(
    private readonly config: InfrastructureConfig & { runId: string },
    readonly port: number,
    private readonly extraEnv: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(env: Record<string, string> = {}): Promise<void> {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/orchestrator/src/main.ts'],
      {
        cwd: repo,
        env: {
          ...process.env,
          KAFKA_BROKERS: this.config.kafkaBrokers.join(','),
          KAFKA_CLIENT_ID: `orchestrator-${this.config.runId}`,
          SCHEMA_REGISTRY_URL: this.config.schemaRegistry.url,
          CLICKHOUSE_URL: this.config.clickhouse.url,
          CLICKHOUSE_DATABASE: this.config.clickhouse.database,
          VIGIL_TOPIC_PREFIX: this.config.topicPrefix,
          HTTP_PORT: String(this.port),
          ORCHESTRATOR_GROUP_ID: `orchestrator-${this.config.runId}`,
          ORCHESTRATOR_TRANSACTIONAL_ID: `orchestrator-${this.config.runId}`,
          // Broker minimum: a killed instance's partitions move to its restart within ~6 s.
          ORCHESTRATOR_SESSION_TIMEOUT_MS: '6000',
          VIGIL_TOPIC_PARTITIONS: '2',
          LOG_LEVEL: 'warn',
          ...this.extraEnv,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await eventually(
      () => this.health().catch(() => 'unreachable'),
      (status) => status === 'running' || child.exitCode !== null,
      60_000,
    );
    if (child.exitCode !== null) throw new Error(`orchestrator exited with ${child.exitCode}:\n${this.output.join('')}`);
  }

  private async health(): Promise<string> {
    const response = await fetch(`${this.url}/health`);
    const body = (await response.json()) as { details?: { kafka?: { consumer?: string } } };
    return body.details?.kafka?.consumer ?? 'unknown';
  }

  /** kill -9: no shutdown hooks, no offset commit, no producer flush. */
  async kill(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    await this.exit;
  }

  /** Resolves with the exit code once the process ends by itself. */
  exited(): Promise<number | null> {
    return this.exit ?? Promise.resolve(null);
  }

  async get<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  }

  async send<T>(method: 'POST' | 'PUT', path: string, body: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as T };
  }
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
