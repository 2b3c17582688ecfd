/**
 * The ingestor in-process against the real Kafka, schema registry and ClickHouse:
 * round trip of both event types, schema evolution, every class of bad input, and the
 * documented analyst queries on seeded data (including a replayed copy of every event).
 */
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LabelEvent, loadSchema, PredictionEvent, topicMap, valueSubject } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, DEAD_LETTER_HEADERS, registerAvroSchema, startBatchTransport } from '@vigil/messaging';
import { createClickHouse } from '@vigil/storage';
import { IHeaders, Producer } from 'kafkajs';
import { IngestorModule } from '../../apps/ingestor/src/app.module';
import { dropDatabase, eventually, queryCount, queryRows, testInfrastructure } from '../support/stack';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analystQuery, deleteTopics, freePort, ingestorEnv, label, lastOffsetOf, latestId, prediction, produce, REPO } from './support';

const config = testInfrastructure('ingest');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);
const clickhouse = createClickHouse(config.clickhouse);

const rows = <T>(query: string): Promise<T[]> => queryRows<T>(clickhouse, query);
const count = (query: string): Promise<number> => queryCount(clickhouse, query);

describe('ingestor', () => {
  let app: INestApplication;
  let producer: Producer;
  let port: number;
  let predictionId: number;
  let labelId: number;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    port = await freePort();
    Object.assign(process.env, ingestorEnv(config, { INGESTOR_GROUP_ID: `ingestor-${config.runId}`, VIGIL_TOPIC_PARTITIONS: '2' }));
    app = await NestFactory.create(IngestorModule, { logger: ['error'] });
    await startBatchTransport(app);
    await app.listen(port, '127.0.0.1');
    producer = kafka.producer();
    await producer.connect();
    predictionId = await latestId(registry, valueSubject(topics.predictions));
    labelId = await latestId(registry, valueSubject(topics.labels));
  });

  afterAll(async () => {
    await producer?.disconnect();
    await app?.close();
    process.env = savedEnv;
    await clickhouse.close();
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
  });

  it('stores every field of a prediction and a label', async () => {
    const sent = prediction({
      eventId: 'rt-p1',
      modelId: 'roundtrip',
      modelVersion: '2.1.0',
      eventTime: new Date('2026-11-27T10:11:12.345Z'),
      entityId: "customer-'42'",
      numericFeatures: { amount: 12.5, age: null },
      categoricalFeatures: { country: 'FR', channel: null },
      predictedClass: 'fraud',
      scores: { fraud: 0.875, ok: 0.125 },
      latencyMs: 3.75,
      tags: { region: 'eu' },
    });
    const regression = prediction({
      eventId: 'rt-p2',
      modelId: 'roundtrip',
      task: 'REGRESSION',
      predictedClass: null,
      predictedValue: -2.5,
      eventTime: new Date('2026-11-27T10:11:13.000Z'),
    });
    const sentLabel = label({
      eventId: 'rt-l1',
      predictionEventId: 'rt-p1',
      modelId: 'roundtrip',
      eventTime: new Date('2026-11-27T11:00:00.500Z'),
      trueClass: 'ok',
    });
    await produce(producer, topics.predictions, [
      { key: 'roundtrip', value: await registry.encode(predictionId, sent) },
      { key: 'roundtrip', value: await registry.encode(predictionId, regression) },
    ]);
    await produce(producer, topics.labels, [{ key: 'roundtrip', value: await registry.encode(labelId, sentLabel) }]);

    await eventually(
      () => count("SELECT count() AS n FROM labels WHERE model_id = 'roundtrip'"),
      (n) => n === 1,
    );
    const stored = await rows<Record<string, unknown>>("SELECT * FROM predictions FINAL WHERE model_id = 'roundtrip' ORDER BY event_id");
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({
      event_id: 'rt-p1',
      model_id: 'roundtrip',
      model_version: '2.1.0',
      event_time: '2026-11-27 10:11:12',
      // 2026-11-27T10:11:12.345Z in ms since the epoch (Date.UTC).
      event_time_ms: String(Date.UTC(2026, 10, 27, 10, 11, 12, 345)),
      entity_id: "customer-'42'",
      task: 'CLASSIFICATION',
      numeric_feature_names: ['amount', 'age'],
      numeric_feature_values: [12.5, null],
      categorical_feature_names: ['country', 'channel'],
      categorical_feature_values: ['FR', null],
      predicted_class: 'fraud',
      score_names: ['fraud', 'ok'],
      score_values: [0.875, 0.125],
      predicted_value: null,
      latency_ms: 3.75,
      tag_names: ['region'],
      tag_values: ['eu'],
      schema_id: predictionId,
    });
    expect(stored[1]).toMatchObject({ event_id: 'rt-p2', task: 'REGRESSION', predicted_class: null, predicted_value: -2.5 });
    const [storedLabel] = await rows<Record<string, unknown>>("SELECT * FROM labels FINAL WHERE model_id = 'roundtrip'");
    expect(storedLabel).toMatchObject({
      event_id: 'rt-l1',
      prediction_event_id: 'rt-p1',
      model_id: 'roundtrip',
      event_time: '2026-11-27 11:00:00',
      event_time_ms: String(Date.UTC(2026, 10, 27, 11, 0, 0, 500)),
      true_class: 'ok',
      true_value: null,
      schema_id: labelId,
    });
  });

  it('reads v1 and v2 records from one topic and the registry refuses incompatible changes', async () => {
    const v1 = loadSchema('prediction-event');
    const v2 = { ...v1, fields: [...v1.fields, { name: 'experiment', type: ['null', 'string'], default: null }] };
    const v2Id = await registerAvroSchema(registry, valueSubject(topics.predictions), v2);
    expect(v2Id).not.toBe(predictionId);
    await produce(producer, topics.predictions, [
      { key: 'evolving', value: await registry.encode(predictionId, prediction({ eventId: 'ev-1', modelId: 'evolving' })) },
      {
        key: 'evolving',
        value: await registry.encode(v2Id, { ...prediction({ eventId: 'ev-2', modelId: 'evolving' }), experiment: 'b' }),
      },
    ]);
    const stored = await eventually(
      () => rows<{ event_id: string; schema_id: number }>("SELECT event_id, schema_id FROM predictions WHERE model_id = 'evolving' ORDER BY event_id"),
      (r) => r.length === 2,
    );
    expect(stored).toEqual([
      { event_id: 'ev-1', schema_id: predictionId },
      { event_id: 'ev-2', schema_id: v2Id },
    ]);

    const requiredField = { ...v1, fields: [...v1.fields, { name: 'region', type: 'string' }] };
    // Apicurio names the offending field: the 14th (index 13) of the proposed schema.
    await expect(registerAvroSchema(registry, valueSubject(topics.predictions), requiredField)).rejects.toThrow(
      /Incompatible artifact: .*predictions-value \[AVRO\].*region at \/fields\/13/,
    );
    const typeChange = { ...v1, fields: v1.fields.map((f) => (f.name === 'latencyMs' ? { ...f, type: 'string' } : f)) };
    await expect(registerAvroSchema(registry, valueSubject(topics.predictions), typeChange)).rejects.toThrow(/Incompatible artifact: .*predictions-value \[AVRO\]/);
  });

  it('dead-letters each class of bad input and ingests the rest of the batch', async () => {
    const good = (id: string) => registry.encode(predictionId, prediction({ eventId: id, modelId: 'mixed' }));
    const unknownSchema = Buffer.from([0, 0x7f, 0xff, 0xff, 0x00, 0x02]); // magic 0, schema id 0x7fffff00 = 2147483392
    const lateLabel = await registry.encode(labelId, label({ eventId: 'l-x', predictionEventId: 'p-x', modelId: 'mixed' }));
    // NaN passes Avro (it is a double) and is caught by validatePrediction.
    const nanLatency = await registry.encode(predictionId, prediction({ eventId: 'bad-nan', modelId: 'mixed', latencyMs: Number.NaN }));
    const noModel = await registry.encode(predictionId, prediction({ eventId: 'bad-model', modelId: '' }));
    await produce(producer, topics.predictions, [
      { key: 'mixed', value: await good('mixed-1') },
      { key: 'mixed', value: Buffer.from('not avro at all'), headers: { origin: 'fuzzer' } },
      { key: 'mixed', value: unknownSchema },
      { key: 'mixed', value: noModel },
      { key: 'mixed', value: nanLatency },
      { key: 'mixed', value: lateLabel },
      { key: 'mixed', value: await good('mixed-2') },
    ]);
    await eventually(
      () => count('SELECT count() AS n FROM dead_letters'),
      (n) => n === 5,
    );
    expect(await count("SELECT count() AS n FROM predictions FINAL WHERE model_id = 'mixed'")).toBe(2);

    // Through the analyst view, as analysts read it: an ORDER BY on a subset of dead_letters FINAL
    // is refused by 18.16 through two shards (docs/scaling.md "Two shards").
    const table = await rows<{ reason: string; error: string; payload_base64: string; key_base64: string; topic: string }>(
      'SELECT reason, error, payload_base64, key_base64, topic FROM unique_dead_letters ORDER BY kafka_offset',
    );
    expect(table.map((r) => r.reason)).toEqual(['undecodable', 'unknown-schema', 'invalid-record', 'invalid-record', 'unsupported-event-type']);
    expect(table[0]).toMatchObject({
      topic: topics.predictions,
      payload_base64: Buffer.from('not avro at all').toString('base64'),
      key_base64: Buffer.from('mixed').toString('base64'),
    });
    expect(table[1].error).toMatch(/schema id 2147483392 is not known/);
    expect(table[2].error).toMatch(/^modelId: is required/);
    expect(table[3].error).toMatch(/^latencyMs: must be a finite number, got NaN/);
    expect(table[4].error).toMatch(/LabelEvent .* does not belong on/);

    const letters = await readDeadLetterTopic(5);
    expect(letters.map((l) => l.headers[DEAD_LETTER_HEADERS.reason])).toEqual(table.map((r) => r.reason));
    expect(letters[0].value).toEqual(Buffer.from('not avro at all'));
    expect(letters[0].key).toBe('mixed');
    expect(letters[0].headers.origin).toBe('fuzzer');
    expect(letters[0].headers[DEAD_LETTER_HEADERS.topic]).toBe(topics.predictions);
    expect(letters[2].headers[DEAD_LETTER_HEADERS.error]).toMatch(/^modelId: is required/);
    expect(letters.map((l) => Number(l.headers[DEAD_LETTER_HEADERS.offset]))).toEqual(
      (await rows<{ kafka_offset: string }>('SELECT kafka_offset FROM unique_dead_letters ORDER BY kafka_offset')).map((r) => Number(r.kafka_offset)),
    );
    expect(letters[0].headers[DEAD_LETTER_HEADERS.partition]).toMatch(/^[01]$/);

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('vigil_ingest_dead_letters_total{reason="invalid-record"} 2');
    expect(metrics).toContain('vigil_ingest_dead_letters_total{reason="undecodable"} 1');
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { info: Record<string, unknown> }).info.ingestor).toMatchObject({ status: 'up', degraded: false });
  });

  it('answers the documented analyst queries on seeded data, counting replayed events once', async () => {
    const at = (iso: string) => new Date(`2026-11-${iso}Z`);
    const seeds: [PredictionEvent, LabelEvent | null][] = [
      [
        prediction({ eventId: 'q1', modelId: 'seed', eventTime: at('20T10:05:00'), predictedClass: 'yes', latencyMs: 10, numericFeatures: { amount: 10, age: 30 } }),
        label({ eventId: 'ql1', predictionEventId: 'q1', modelId: 'seed', eventTime: at('20T10:05:30'), trueClass: 'yes' }),
      ],
      [
        prediction({ eventId: 'q2', modelId: 'seed', eventTime: at('20T10:20:00'), predictedClass: 'no', latencyMs: 20, numericFeatures: { amount: 20, age: null } }),
        label({ eventId: 'ql2', predictionEventId: 'q2', modelId: 'seed', eventTime: at('20T10:22:00'), trueClass: 'yes' }),
      ],
      [
        prediction({ eventId: 'q3', modelId: 'seed', eventTime: at('20T11:10:00'), predictedClass: 'yes', latencyMs: 30, numericFeatures: { amount: 30, age: 50 } }),
        label({ eventId: 'ql3', predictionEventId: 'q3', modelId: 'seed', eventTime: at('20T13:10:00'), trueClass: 'yes' }),
      ],
      [prediction({ eventId: 'q4', modelId: 'seed', eventTime: at('21T09:00:00'), predictedClass: 'no', latencyMs: 40, numericFeatures: { amount: 40, age: 20 } }), null],
      [
        prediction({
          eventId: 'q5',
          modelId: 'seed',
          modelVersion: 'v2',
          eventTime: at('21T09:30:00'),
          predictedClass: 'no',
          latencyMs: 50,
          numericFeatures: { amount: 50, age: 40 },
        }),
        label({ eventId: 'ql5', predictionEventId: 'q5', modelId: 'seed', eventTime: at('22T10:30:00'), trueClass: 'no' }),
      ],
      [
        prediction({
          eventId: 'q6',
          modelId: 'seed',
          modelVersion: 'v2',
          eventTime: at('21T09:45:00'),
          predictedClass: 'yes',
          latencyMs: 60,
          numericFeatures: { amount: 60, age: 60 },
        }),
        null,
      ],
    ];
    const predictions = await Promise.all(seeds.map(async ([p]) => ({ key: 'seed', value: await registry.encode(predictionId, p) })));
    const labels = await Promise.all(seeds.flatMap(([, l]) => (l ? [l] : [])).map(async (l) => ({ key: 'seed', value: await registry.encode(labelId, l) })));
    // Every event sent twice: what a crash between insert and offset commit replays.
    const last = { predictions: 0, labels: 0 };
    for (let copy = 0; copy < 2; copy++) {
      last.predictions = lastOffsetOf(await produce(producer, topics.predictions, predictions), predictions.length);
      last.labels = lastOffsetOf(await produce(producer, topics.labels, labels), labels.length);
    }
    // Wait for the replayed copy itself, not for a row count: 26.x collapses duplicates that
    // share an insert block (optimize_on_insert) and merges parts within seconds, 18.16 does
    // neither, so the raw count may be anything from 6 to 12 (4 to 8 labels).
    await eventually(
      () => count("SELECT max(kafka_offset) AS n FROM predictions WHERE model_id = 'seed'"),
      (n) => n === last.predictions,
    );
    await eventually(
      () => count("SELECT max(kafka_offset) AS n FROM labels WHERE model_id = 'seed'"),
      (n) => n === last.labels,
    );
    const only = (r: { model_id: string }[]) => r.filter((x) => x.model_id === 'seed');

    // v1 on the 20th: q1 right, q2 wrong, q3 right → 2/3; v2 on the 21st: q5 right → 1/1; q4 has no label.
    expect(only(await rows<{ model_id: string }>(analystQuery('accuracy_per_day_per_version')))).toEqual([
      { model_id: 'seed', model_version: 'v1', day: '2026-11-20', labelled: '3', correct: '2', accuracy: 0.6667 },
      { model_id: 'seed', model_version: 'v2', day: '2026-11-21', labelled: '1', correct: '1', accuracy: 1 },
    ]);
    // The 20th: q1–q3 all labelled → 1; the 21st: q4, q5, q6 with only q5 labelled → 1/3.
    expect(only(await rows<{ model_id: string }>(analystQuery('label_coverage')))).toEqual([
      { model_id: 'seed', day: '2026-11-20', predictions: '3', labelled: '3', coverage: 1 },
      { model_id: 'seed', day: '2026-11-21', predictions: '3', labelled: '1', coverage: 0.3333 },
    ]);
    // 10:00 on the 20th: amount (10+20)/2 = 15, age only q1 (q2's is null) = 30; 11:00: q3 alone;
    // 09:00 on the 21st: amount (40+50+60)/3 = 50, age (20+40+60)/3 = 40.
    expect(only(await rows<{ model_id: string }>(analystQuery('feature_mean_per_hour')))).toEqual([
      { model_id: 'seed', hour: '2026-11-20 10:00:00', feature: 'age', observations: '1', mean: 30 },
      { model_id: 'seed', hour: '2026-11-20 10:00:00', feature: 'amount', observations: '2', mean: 15 },
      { model_id: 'seed', hour: '2026-11-20 11:00:00', feature: 'age', observations: '1', mean: 50 },
      { model_id: 'seed', hour: '2026-11-20 11:00:00', feature: 'amount', observations: '1', mean: 30 },
      { model_id: 'seed', hour: '2026-11-21 09:00:00', feature: 'age', observations: '3', mean: 40 },
      { model_id: 'seed', hour: '2026-11-21 09:00:00', feature: 'amount', observations: '3', mean: 50 },
    ]);
    // quantileExact(q) is the sorted value at index floor(q·n): for [10, 20], q=0.5 → index 1 → 20.
    expect(only(await rows<{ model_id: string }>(analystQuery('latency_quantiles')))).toEqual([
      { model_id: 'seed', model_version: 'v1', hour: '2026-11-20 10:00:00', predictions: '2', p50_ms: 20, p90_ms: 20, p99_ms: 20, max_ms: 20 },
      { model_id: 'seed', model_version: 'v1', hour: '2026-11-20 11:00:00', predictions: '1', p50_ms: 30, p90_ms: 30, p99_ms: 30, max_ms: 30 },
      { model_id: 'seed', model_version: 'v1', hour: '2026-11-21 09:00:00', predictions: '1', p50_ms: 40, p90_ms: 40, p99_ms: 40, max_ms: 40 },
      { model_id: 'seed', model_version: 'v2', hour: '2026-11-21 09:00:00', predictions: '2', p50_ms: 60, p90_ms: 60, p99_ms: 60, max_ms: 60 },
    ]);
    // Delays 30 s, 120 s, 7 200 s, 90 000 s: p50 = index floor(0.5·4) = 2 → 7 200; p90 = index 3 → 90 000;
    // under an hour: 2; under a day: 3.
    expect(only(await rows<{ model_id: string }>(analystQuery('label_delay_distribution')))).toEqual([
      { model_id: 'seed', labels: '4', p50_delay_s: 7200, p90_delay_s: 90000, max_delay_s: 90000, within_1h: '2', within_1d: '3' },
    ]);
    // From the dead-letter test: 2 invalid records, 1 each of the other reasons.
    expect((await rows<{ reason: string; records: string }>(analystQuery('dead_letters_per_reason'))).map((r) => [r.reason, r.records])).toEqual([
      ['invalid-record', '2'],
      ['undecodable', '1'],
      ['unknown-schema', '1'],
      ['unsupported-event-type', '1'],
    ]);
  });
});

describe('docs/ingest.md', () => {
  it('shows every analyst query file verbatim, so the page and the tests cannot drift apart', () => {
    const doc = readFileSync(join(REPO, 'docs', 'ingest.md'), 'utf8');
    const files = readdirSync(join(REPO, 'docs', 'queries')).filter((f) => f.endsWith('.sql'));
    expect(files).toHaveLength(6);
    for (const file of files) expect(doc).toContain('```sql\n' + analystQuery(file.replace(/\.sql$/, '')).trimEnd() + '\n```');
  });
});

async function readDeadLetterTopic(expected: number): Promise<{ key: string; value: Buffer; headers: Record<string, string> }[]> {
  const consumer = kafka.consumer({ groupId: `dlq-reader-${config.runId}` });
  await consumer.connect();
  await consumer.subscribe({ topic: topics.deadLetter, fromBeginning: true });
  const got: { key: string; value: Buffer; headers: Record<string, string>; offset: number }[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? ({} as IHeaders)).map(([k, v]) => [k, String(v)]));
          got.push({ key: String(message.key), value: message.value!, headers, offset: Number(message.offset) });
          if (got.length === expected) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return got.sort((a, b) => Number(a.headers[DEAD_LETTER_HEADERS.offset]) - Number(b.headers[DEAD_LETTER_HEADERS.offset]));
}
