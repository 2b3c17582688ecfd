/**
 * Ingest throughput (not a test): pre-produces N predictions (~20 features each) to a
 * fresh topic, then measures (a) a bare kafkajs consumer that only reads them, (c) and (d)
 * the same consumer decoding each record with avsc / writing its row with the ingestor's
 * direct decoder, and (b) the ingestor end to end until ClickHouse holds all N. Prints
 * events/s and b/a.
 *
 *   npm run bench:ingest                  # N = 500 000
 *   BENCH_EVENTS=100000 npm run bench:ingest
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadInfrastructureConfig } from '@vigil/common';
import { PredictionEvent, topicMap, valueSubject } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts, startBatchTransport } from '@vigil/messaging';
import { createClickHouse, identifier, migrate, sql } from '@vigil/storage';
import { randomBytes } from 'node:crypto';
import { Type } from 'avsc';
import { IngestorModule } from '../apps/ingestor/src/app.module';
import { directPredictionRow } from '../apps/ingestor/src/prediction-decoder';
import { predictionEvent } from '../test/support/events';

const N = Number(process.env.BENCH_EVENTS ?? 500_000);
const PARTITIONS = Number(process.env.VIGIL_TOPIC_PARTITIONS ?? 6);
const MODELS = 12;
const runId = randomBytes(4).toString('hex');
const base = loadInfrastructureConfig();
const config = { ...base, topicPrefix: `bench.${runId}.`, clickhouse: { ...base.clickhouse, database: `vigil_bench_${runId}` } };
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `bench-${runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);

function event(i: number, start: number): PredictionEvent {
  const numericFeatures: Record<string, number | null> = {};
  for (let f = 0; f < 15; f++) numericFeatures[`num_${f}`] = f === 7 && i % 10 === 0 ? null : ((i * 31 + f * 17) % 1000) / 10;
  const categoricalFeatures: Record<string, string | null> = {};
  for (let f = 0; f < 5; f++) categoricalFeatures[`cat_${f}`] = `v${(i + f) % 7}`;
  return predictionEvent(i, {
    eventId: `${runId}-${i}`,
    modelId: `model-${i % MODELS}`,
    eventTime: new Date(start + i),
    entityId: `entity-${i}`,
    numericFeatures,
    categoricalFeatures,
    predictedClass: i % 3 === 0 ? 'fraud' : 'ok',
    scores: { fraud: (i % 100) / 100, ok: 1 - (i % 100) / 100 },
    latencyMs: (i % 250) / 10,
    tags: { country: ['FR', 'DE', 'US'][i % 3] },
  });
}

async function preProduce(): Promise<number> {
  const schemaId = await registry.getLatestSchemaId(valueSubject(topics.predictions));
  const producer = kafka.producer();
  await producer.connect();
  const start = Date.now() - N;
  let bytes = 0;
  const chunk = 5_000;
  for (let from = 0; from < N; from += chunk * 4) {
    const sends = [];
    for (let c = from; c < Math.min(N, from + chunk * 4); c += chunk) {
      const messages = [];
      for (let i = c; i < Math.min(N, c + chunk); i++) {
        const e = event(i, start);
        const value = await registry.encode(schemaId, e);
        bytes += value.length;
        messages.push({ key: e.modelId, value });
      }
      sends.push(producer.sendBatch({ topicMessages: [{ topic: topics.predictions, messages }], acks: 1 }));
    }
    await Promise.all(sends);
  }
  await producer.disconnect();
  return bytes / N;
}

/** Per-record work the consumer baselines do on top of reading. */
type RecordWork = (value: Buffer, partition: number, offset: string) => unknown;

/**
 * A kafkajs consumer reading every record, optionally doing `work` on each: nothing (a),
 * the avsc decode (c), or the ingestor's direct row writer (d), to show where the
 * ingestor's time goes.
 */
async function bareConsumer(label: string, work?: RecordWork): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-${label}-${runId}`, maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 32 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic: topics.predictions, fromBeginning: true });
  const started = process.hrtime.bigint();
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        partitionsConsumedConcurrently: PARTITIONS,
        eachBatch: async ({ batch }) => {
          if (work) for (const m of batch.messages) if (m.value) work(m.value, batch.partition, m.offset);
          seen += batch.messages.length;
          if (seen >= N) resolve();
        },
      })
      .catch(reject);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await consumer.disconnect();
  return seconds;
}

async function ingestorEndToEnd(): Promise<number> {
  Object.assign(process.env, {
    KAFKA_BROKERS: config.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: config.schemaRegistry.url,
    CLICKHOUSE_URL: config.clickhouse.url,
    CLICKHOUSE_DATABASE: config.clickhouse.database,
    VIGIL_TOPIC_PREFIX: config.topicPrefix,
    VIGIL_TOPIC_PARTITIONS: String(PARTITIONS),
    INGESTOR_GROUP_ID: `bench-ingestor-${runId}`,
  });
  const clickhouse = createClickHouse(config.clickhouse);
  const started = process.hrtime.bigint();
  // The HTTP side is created but never listens: the bench measures the Kafka transport's path.
  const app = await NestFactory.create(IngestorModule, { logger: ['error', 'warn'] });
  await startBatchTransport(app);
  const startup = Number(process.hrtime.bigint() - started) / 1e9;
  for (;;) {
    const result = await clickhouse.query({ query: 'SELECT count() AS n FROM predictions', format: 'JSONEachRow' });
    if (Number((await result.json<{ n: string }>())[0].n) >= N) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`    of which start-up (migrate, topics, contracts, group join started): ${startup.toFixed(2)} s`);
  await app.close();
  await clickhouse.close();
  return seconds;
}

async function cleanUp(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
  const server = createClickHouse(config.clickhouse, 'default');
  await server.command({ query: sql`DROP DATABASE IF EXISTS ${identifier(config.clickhouse.database)}` });
  await server.close();
}

async function main(): Promise<void> {
  await ensureTopics(kafka, topics, { partitions: PARTITIONS });
  await registerContracts(registry, topics);
  await migrate(config.clickhouse);
  try {
    const produceStart = Date.now();
    const meanBytes = await preProduce();
    console.log(`produced ${N} events (${meanBytes.toFixed(0)} bytes each, ${PARTITIONS} partitions) in ${((Date.now() - produceStart) / 1000).toFixed(1)} s`);
    const bare = await bareConsumer('bare');
    const bareRate = N / bare;
    console.log(`(a) bare kafkajs consumer: ${bare.toFixed(2)} s, ${Math.round(bareRate)} events/s`);
    const writer = (await registry.getSchema(await registry.getLatestSchemaId(valueSubject(topics.predictions)))) as Type;
    const decodeOnly = await bareConsumer('avsc', (value) => writer.decode(value, 5));
    console.log(`(c) bare + avsc decode (event objects, no validation/row): ${decodeOnly.toFixed(2)} s, ${Math.round(N / decodeOnly)} events/s`);
    const now = Date.now();
    const rowsOnly = await bareConsumer('direct', (value, partition, offset) => directPredictionRow(value, 1, partition, offset, now));
    console.log(`(d) bare + direct row writer (ingestor CPU path, no ClickHouse): ${rowsOnly.toFixed(2)} s, ${Math.round(N / rowsOnly)} events/s`);
    const ingest = await ingestorEndToEnd();
    const ingestRate = N / ingest;
    console.log(`(b) ingestor end to end:   ${ingest.toFixed(2)} s, ${Math.round(ingestRate)} events/s`);
    console.log(`b/a = ${(ingestRate / bareRate).toFixed(2)} (target >= 0.7), ingest ${ingestRate >= 50_000 ? '>=' : '<'} 50k events/s`);
  } finally {
    await cleanUp();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
