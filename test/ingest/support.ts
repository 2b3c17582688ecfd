import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { LabelEvent, PredictionEvent } from '@vigil/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Producer, RecordMetadata } from 'kafkajs';
import { labelEvent, predictionEvent } from '../support/events';
import { freePort, REPO, ServiceProcess, serviceEnv } from '../support/service-process';

export { freePort, REPO };

/** An analyst query from docs/queries, the same text docs/ingest.md shows. */
export function analystQuery(name: string): string {
  return readFileSync(join(REPO, 'docs', 'queries', `${name}.sql`), 'utf8');
}

/** The ingest suites' time: 2026-11-20T10:00Z, the day their analyst queries look at. */
const INGEST_TIME = new Date('2026-11-20T10:00:00.000Z');

/** A prediction of the shared factory at INGEST_TIME with latency 1 ms; the id is always given. */
export function prediction(overrides: Partial<PredictionEvent> & { eventId: string }): PredictionEvent {
  return predictionEvent(0, { eventTime: INGEST_TIME, latencyMs: 1, ...overrides });
}

/** A label of the shared factory at INGEST_TIME; both ids are always given. */
export function label(overrides: Partial<LabelEvent> & { eventId: string; predictionEventId: string }): LabelEvent {
  return labelEvent(0, { eventTime: INGEST_TIME, ...overrides });
}

/** Latest schema id of a subject (registered by the ingestor's registerContracts). */
export function latestId(registry: SchemaRegistry, subject: string): Promise<number> {
  return registry.getLatestSchemaId(subject);
}

/** Sends records keyed by model id in one produce request per call; returns where they landed. */
export async function produce(producer: Producer, topic: string, records: { key: string; value: Buffer | null; headers?: Record<string, string> }[]): Promise<RecordMetadata[]> {
  return producer.send({ topic, acks: -1, messages: records });
}

/** The offset of the last record of a send whose records all went to one partition (one key). */
export function lastOffsetOf(sent: RecordMetadata[], records: number): number {
  if (sent.length !== 1) throw new Error(`expected one partition, the send went to ${sent.length}`);
  return Number(sent[0].baseOffset) + records - 1;
}

export { deleteTopics } from '../support/stack';

/** Environment for an ingestor process pointed at the test's database and topics. */
export const ingestorEnv = serviceEnv;

/** The ingestor as a real child process (so a test can SIGKILL it). */
export class IngestorProcess extends ServiceProcess {
  constructor(env: Record<string, string>, port: number) {
    super('ingestor', env, port);
  }

  async health(): Promise<{ httpStatus: number; body: { info?: Record<string, { status: string; degraded?: boolean }> } } | undefined> {
    const answer = await this.tryGet<{ info?: Record<string, { status: string; degraded?: boolean }> }>('/health');
    return answer && { httpStatus: answer.status, body: answer.body };
  }
}
