import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { InfrastructureConfig } from '@vigil/common';
import { LabelEvent, PredictionEvent } from '@vigil/contracts';
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Kafka, Producer } from 'kafkajs';

export const REPO = join(__dirname, '..', '..');

/** An analyst query from docs/queries, the same text docs/ingest.md shows. */
export function analystQuery(name: string): string {
  return readFileSync(join(REPO, 'docs', 'queries', `${name}.sql`), 'utf8');
}

export function prediction(overrides: Partial<PredictionEvent> & { eventId: string }): PredictionEvent {
  return {
    modelId: 'fraud',
    modelVersion: 'v1',
    eventTime: new Date('2026-11-20T10:00:00.000Z'),
    entityId: null,
    task: 'CLASSIFICATION',
    numericFeatures: {},
    categoricalFeatures: {},
    predictedClass: 'yes',
    scores: {},
    predictedValue: null,
    latencyMs: 1,
    tags: {},
    ...overrides,
  };
}

export function label(overrides: Partial<LabelEvent> & { eventId: string; predictionEventId: string }): LabelEvent {
  return {
    modelId: 'fraud',
    eventTime: new Date('2026-11-20T10:00:00.000Z'),
    trueClass: 'yes',
    trueValue: null,
    ...overrides,
  };
}

/** Latest schema id of a subject (registered by the ingestor's registerContracts). */
export function latestId(registry: SchemaRegistry, subject: string): Promise<number> {
  return registry.getLatestSchemaId(subject);
}

/** Sends records keyed by model id in one produce request per call. */
export async function produce(
  producer: Producer,
  topic: string,
  records: { key: string; value: Buffer | null; headers?: Record<string, string> }[],
): Promise<void> {
  await producer.send({ topic, acks: -1, messages: records });
}

export async function deleteTopics(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Environment for an ingestor process pointed at the test's database and topics. */
export function ingestorEnv(config: InfrastructureConfig, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: config.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: config.schemaRegistry.url,
    CLICKHOUSE_URL: config.clickhouse.url,
    CLICKHOUSE_USER: config.clickhouse.user,
    CLICKHOUSE_PASSWORD: config.clickhouse.password,
    CLICKHOUSE_DATABASE: config.clickhouse.database,
    VIGIL_TOPIC_PREFIX: config.topicPrefix,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** The ingestor as a real child process (so a test can SIGKILL it). */
export class IngestorProcess {
  private child: ChildProcess | undefined;
  output = '';

  constructor(
    private readonly env: Record<string, string>,
    readonly port: number,
  ) {}

  start(): void {
    this.child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/ingestor/src/main.ts'],
      { cwd: REPO, env: { ...process.env, ...this.env, HTTP_PORT: String(this.port) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  async health(): Promise<{ httpStatus: number; body: { info?: Record<string, { status: string; degraded?: boolean }> } } | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.port}/health`);
      return { httpStatus: response.status, body: (await response.json()) as never };
    } catch {
      return undefined;
    }
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
  }

  /** Sends `signal` and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}
