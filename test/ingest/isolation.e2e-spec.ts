/**
 * No record stalls ingestion and nothing is silently changed (issue 9, items 1, 5, 8;
 * issue 8, bit-exact values and the 100-partition insert limit), against the real Kafka,
 * registry and ClickHouse with the ingestor in-process.
 */
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createRetryPolicy } from '@vigil/common';
import { loadSchema, topicMap, valueSubject } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, DEAD_LETTER_HEADERS, registerAvroSchema, startBatchTransport } from '@vigil/messaging';
import { createClickHouse, refusesRowData } from '@vigil/storage';
import { Consumer, Producer } from 'kafkajs';
import { IngestorModule } from '../../apps/ingestor/src/app.module';
import { IngestRepository } from '../../apps/ingestor/src/ingest.repository';
import { InsertBuffer, RefusedRow } from '../../apps/ingestor/src/insert-buffer';
import { labelRow, Row } from '../../apps/ingestor/src/rows';
import { dropDatabase, eventually, queryCount, queryRows, testInfrastructure } from '../support/stack';
import { deleteTopics, freePort, ingestorEnv, label, latestId, prediction, produce } from './support';

const config = testInfrastructure('isolation');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);
const clickhouse = createClickHouse(config.clickhouse);

const rows = <T>(query: string): Promise<T[]> => queryRows<T>(clickhouse, query);
const count = (query: string): Promise<number> => queryCount(clickhouse, query);

/** Little-endian hex of a double's 8 bytes, as ClickHouse's hex(reinterpretAsString(x)) prints them. */
function bits(value: number): string {
  const buffer = Buffer.alloc(8);
  buffer.writeDoubleLE(value);
  return buffer.toString('hex').toUpperCase();
}

/** reinterpretAsString drops trailing zero bytes (it reads the value as a C string): put them back. */
const padded = (hex: string | null): string | null => (hex === null ? null : hex.padEnd(16, '0'));

describe('ingestor isolation and exactness', () => {
  let app: INestApplication;
  let producer: Producer;
  let deadLetterConsumer: Consumer;
  const deadLetterHeaders: Record<string, string>[] = [];
  let predictionId: number;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    const port = await freePort();
    Object.assign(process.env, ingestorEnv(config, { INGESTOR_GROUP_ID: `ingestor-${config.runId}`, VIGIL_TOPIC_PARTITIONS: '2' }));
    app = await NestFactory.create(IngestorModule, { logger: ['error'] });
    await startBatchTransport(app);
    await app.listen(port, '127.0.0.1');
    producer = kafka.producer();
    await producer.connect();
    predictionId = await latestId(registry, valueSubject(topics.predictions));
    deadLetterConsumer = kafka.consumer({ groupId: `dlq-${config.runId}` });
    await deadLetterConsumer.connect();
    await deadLetterConsumer.subscribe({ topic: topics.deadLetter, fromBeginning: true });
    await deadLetterConsumer.run({
      eachMessage: async ({ message }) => {
        deadLetterHeaders.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])));
      },
    });
  });

  afterAll(async () => {
    await deadLetterConsumer?.disconnect();
    await producer?.disconnect();
    await app?.close();
    process.env = savedEnv;
    await clickhouse.close();
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
  });

  it('dead-letters a look-alike schema by its fields and keeps ingesting what follows', async () => {
    // Measured failure: PredictionEvent's full name under another subject, with other field types.
    const contract = loadSchema('prediction-event');
    const lookalike = {
      ...contract,
      fields: contract.fields.map((f) => (f.name === 'entityId' ? { ...f, type: ['null', 'long'] } : f.name === 'tags' ? { ...f, type: { type: 'map', values: 'long' } } : f)),
    };
    const lookalikeId = await registerAvroSchema(registry, `${config.topicPrefix}lookalike-value`, lookalike);
    const poison = await registry.encode(lookalikeId, { ...prediction({ eventId: 'poison', modelId: 'poisoned' }), entityId: 7, tags: { n: 1 } });
    const good = (eventId: string) => registry.encode(predictionId, prediction({ eventId, modelId: 'poisoned' }));
    await produce(producer, topics.predictions, [
      { key: 'poisoned', value: await good('before') },
      { key: 'poisoned', value: poison },
      { key: 'poisoned', value: await good('after') },
    ]);
    const sentAt = Date.now();
    await produce(producer, topics.predictions, [{ key: 'poisoned', value: await good('sentinel') }]);
    await eventually(
      () => count("SELECT count() AS n FROM predictions WHERE event_id = 'sentinel'"),
      (n) => n === 1,
      15_000,
    );
    console.log(`poison schema: sentinel landed ${Date.now() - sentAt} ms after it was sent`);
    expect(await rows("SELECT event_id FROM unique_predictions WHERE model_id = 'poisoned' ORDER BY event_id")).toEqual([
      { event_id: 'after' },
      { event_id: 'before' },
      { event_id: 'sentinel' },
    ]);
    const [letter] = await rows<{ reason: string; error: string }>(`SELECT reason, error FROM dead_letters FINAL WHERE reason = 'incompatible-schema'`);
    expect(letter).toEqual({
      reason: 'incompatible-schema',
      error:
        `dev.vigil.events.PredictionEvent (schema id ${lookalikeId}) cannot be read as dev.vigil.events.PredictionEvent: ` +
        'entityId: expected ["null","string"], found ["null","long"]; tags: expected {"type":"map","values":"string"}, found {"type":"map","values":"long"}',
    });
    await eventually(
      async () => deadLetterHeaders.filter((h) => h[DEAD_LETTER_HEADERS.reason] === 'incompatible-schema').length,
      (n) => n === 1,
    );
  });

  it('stores doubles bit for bit (subnormals, ±max, -0, values 18.16 parses 1 ulp off from text)', async () => {
    // 909.387638427892 → 909.3876384278919 and 5e-324 → 0 through 18.16's JSONEachRow parser (issue 8).
    const edges = [5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, Number.MAX_VALUE, -Number.MAX_VALUE, -0, 909.387638427892, 0.1 + 0.2, 1 / 3];
    const numericFeatures = Object.fromEntries(edges.map((v, i) => [`e${i}`, v]));
    const scores = { tiny: 5e-324, negZero: -0 };
    await produce(producer, topics.predictions, [
      { key: 'exact', value: await registry.encode(predictionId, prediction({ eventId: 'exact-1', modelId: 'exact', numericFeatures, scores, latencyMs: -0 })) },
      {
        key: 'exact',
        value: await registry.encode(
          predictionId,
          prediction({ eventId: 'exact-2', modelId: 'exact', task: 'REGRESSION', predictedClass: null, predictedValue: -Number.MAX_VALUE, latencyMs: 909.387638427892 }),
        ),
      },
    ]);
    await eventually(
      () => count("SELECT count() AS n FROM predictions WHERE model_id = 'exact'"),
      (n) => n === 2,
    );
    const stored = await rows<{ event_id: string; features: string[]; scores: string[]; latency: string; predicted: string | null }>(
      `SELECT event_id,
              arrayMap(x -> hex(reinterpretAsString(assumeNotNull(x))), numeric_feature_values) AS features,
              arrayMap(x -> hex(reinterpretAsString(x)), score_values) AS scores,
              hex(reinterpretAsString(latency_ms)) AS latency,
              hex(reinterpretAsString(assumeNotNull(predicted_value))) AS predicted
       FROM unique_predictions WHERE model_id = 'exact' ORDER BY event_id`,
    );
    const exact = stored.map((r) => ({ ...r, features: r.features.map(padded), scores: r.scores.map(padded), latency: padded(r.latency), predicted: padded(r.predicted) }));
    expect(exact[0]).toMatchObject({ event_id: 'exact-1', features: edges.map(bits), scores: [bits(5e-324), bits(-0)], latency: bits(-0) });
    expect(exact[1]).toMatchObject({ event_id: 'exact-2', latency: bits(909.387638427892), predicted: bits(-Number.MAX_VALUE) });
  });

  it('ingests one batch spanning more than 100 daily partitions', async () => {
    // 150 predictions, one per day from 2026-01-01: more partitions than ClickHouse 19.x+ takes in one INSERT.
    const records = await Promise.all(
      Array.from({ length: 150 }, async (_, day) => ({
        key: 'history',
        value: await registry.encode(predictionId, prediction({ eventId: `h-${day}`, modelId: 'history', eventTime: new Date(Date.UTC(2026, 0, 1 + day, 12)) })),
      })),
    );
    await produce(producer, topics.predictions, records);
    await eventually(
      () => count("SELECT count() AS n FROM predictions WHERE model_id = 'history'"),
      (n) => n === 150,
    );
    expect(await count("SELECT uniqExact(toYYYYMMDD(event_time)) AS n FROM predictions WHERE model_id = 'history'")).toBe(150);
  });

  it('stores feature names __proto__, constructor and toString', async () => {
    const names = ['__proto__', 'constructor', 'toString', 'amount', 'hasOwnProperty'];
    const numericFeatures = Object.fromEntries(names.map((name, i) => [name, i + 1])) as Record<string, number>;
    const categoricalFeatures = Object.fromEntries([['__proto__', 'x']]) as Record<string, string>;
    await produce(producer, topics.predictions, [
      { key: 'protos', value: await registry.encode(predictionId, prediction({ eventId: 'proto-1', modelId: 'protos', numericFeatures, categoricalFeatures })) },
    ]);
    const [row] = await eventually(
      () =>
        rows<{ n: string[]; v: number[]; c: string[] }>(
          "SELECT numeric_feature_names AS n, numeric_feature_values AS v, categorical_feature_names AS c FROM predictions WHERE model_id = 'protos'",
        ),
      (r) => r.length === 1,
    );
    expect(row).toEqual({ n: names, v: [1, 2, 3, 4, 5], c: ['__proto__'] });
  });

  it('dead-letters invalid UTF-8 and names a truncated body as truncated', async () => {
    const valid = await registry.encode(predictionId, prediction({ eventId: 'utf-1', modelId: 'utf8model' }));
    const broken = Buffer.from(valid);
    broken[broken.indexOf(Buffer.from('utf8model'))] = 0xff; // "\xfftf8model": not UTF-8
    const labelValue = await registry.encode(await latestId(registry, valueSubject(topics.labels)), label({ eventId: 'trunc', predictionEventId: 'p', modelId: 'truncated' }));
    await produce(producer, topics.predictions, [{ key: 'utf8model', value: broken }]);
    await produce(producer, topics.labels, [{ key: 'truncated', value: labelValue.subarray(0, labelValue.length - 4) }]);
    const letters = await eventually(
      () => rows<{ topic: string; reason: string; error: string }>("SELECT topic, reason, error FROM unique_dead_letters WHERE reason = 'undecodable' ORDER BY topic"),
      (r) => r.length === 2,
    );
    expect(letters.map((l) => [l.topic, l.reason])).toEqual([
      [topics.labels, 'undecodable'],
      [topics.predictions, 'undecodable'],
    ]);
    expect(letters[0].error).toMatch(/: truncated: the body ends in field \w+ \(\d+ bytes\)$/);
    expect(letters[1].error).toMatch(/: invalid UTF-8 in field modelId$/);
    expect(await count("SELECT count() AS n FROM predictions WHERE model_id LIKE '%tf8model'")).toBe(0);
  });

  it('bisects an insert ClickHouse refuses down to the offending row and inserts the rest', async () => {
    const repository = new IngestRepository(clickhouse);
    const at = { topic: 't', partition: 0, offset: '0', timestampMs: Date.now() };
    const source = { at, key: null, value: null, headers: undefined };
    const good: Row[] = Array.from({ length: 7 }, (_, i) => ({
      ...labelRow(label({ eventId: `bis-${i}`, predictionEventId: `p-${i}`, modelId: 'bisect' }), 1, at),
      source,
    }));
    // A label row cut short, last in the block: ClickHouse answers Code 33, CANNOT_READ_ALL_DATA (18.16 and 26.x).
    const cut = good[0].bytes.subarray(0, good[0].bytes.length - 3);
    const refused: RefusedRow[] = [];
    const buffer = new InsertBuffer(
      repository,
      {
        maxRows: 100,
        lingerMs: 0,
        // No retries: a refusal must be bisected, never retried.
        retry: createRetryPolicy({ operation: 'test_insert', maxRetries: 0, initialDelayMs: 10, maxDelayMs: 10 }),
        batchesDecoding: () => 0,
        refusesRows: refusesRowData,
        now: Date.now,
      },
      {
        inserting: async () => undefined,
        inserted: () => undefined,
        recovered: () => undefined,
        refused: async (_table, list) => {
          refused.push(...list);
          return [];
        },
      },
    );
    await buffer.add({ labels: [...good, { bytes: cut, day: good[0].day, source }] }, { topic: 't', partition: 0, first: 0n, next: 8n });
    buffer.stop();
    expect(await count("SELECT count() AS n FROM labels WHERE model_id = 'bisect'")).toBe(7);
    expect(refused.map((r) => r.row.bytes)).toEqual([cut]);
    expect(refused[0].error).toMatch(/Cannot read all data/);
  });
});
