/**
 * One bad record stalls nothing: a look-alike of PredictionEvent (same full name, other
 * field types, registered under another subject) and a prediction that is not a valid
 * input of its model's engine are dead-lettered with a precise reason, and the other
 * models' snapshots continue, a new model's first snapshot included.
 */
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { loadSchema, topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, DEAD_LETTER_HEADERS, ensureTopics, registerContracts } from '@vigil/messaging';
import { createClickHouse, sql } from '@vigil/storage';
import { Consumer, KafkaMessage, Producer } from 'kafkajs';
import { deleteTopics, dropDatabase, eventually, testInfrastructure } from '../support/stack';
import { collectAlerts, event, freePort, MonitorProcess, monitorEnv, regression, send } from './support';
import type { Alert } from '@vigil/contracts';

const config = testInfrastructure('monitor_poison');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);
const clickhouse = createClickHouse(config.clickhouse);

/** Labelled count of the model's latest version-level snapshot in ClickHouse (0 before the first). */
async function labelledInClickHouse(modelId: string): Promise<number> {
  try {
    const rows = await (
      await clickhouse.query({
        query: sql`SELECT max(labelled_count) AS labelled FROM metric_snapshots WHERE model_id = ${modelId} AND segment_key = ''`,
        format: 'JSONEachRow',
      })
    ).json<{ labelled: string }>();
    return Number(rows[0]?.labelled ?? 0);
  } catch {
    return 0; // tables not created yet
  }
}

describe('monitor: poison records, configurations that cannot run, duplicates', () => {
  let monitor: MonitorProcess;
  let producer: Producer;
  let deadLetterConsumer: Consumer;
  const deadLetters: KafkaMessage[] = [];
  let alertConsumer: Consumer;
  let alerts: Alert[];

  beforeAll(async () => {
    await ensureTopics(kafka, topics, { partitions: 2 });
    await registerContracts(registry, topics);
    producer = kafka.producer();
    await producer.connect();
    deadLetterConsumer = kafka.consumer({ groupId: `dead-letters-${config.runId}` });
    await deadLetterConsumer.connect();
    await deadLetterConsumer.subscribe({ topics: [topics.deadLetter], fromBeginning: true });
    await deadLetterConsumer.run({ eachMessage: async ({ message }) => void deadLetters.push(message) });
    ({ consumer: alertConsumer, alerts } = await collectAlerts(kafka, registry, topics, `alerts-${config.runId}`));
    monitor = new MonitorProcess(
      monitorEnv(config, { MONITOR_GROUP_ID: `monitor-${config.runId}`, MONITOR_SNAPSHOT_INTERVAL_MS: '300', MONITOR_CHECKPOINT_INTERVAL_MS: '1000' }),
      await freePort(),
    );
    await monitor.startHealthy();
  });

  afterAll(async () => {
    await monitor.stop('SIGTERM');
    await Promise.all([producer.disconnect(), deadLetterConsumer.disconnect(), alertConsumer.disconnect()]);
    await clickhouse.close();
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
  });

  it('dead-letters a look-alike schema and an engine-invalid prediction; other and new models continue', async () => {
    // 'steady' is known before the poison: 20 labelled events.
    await send(
      producer,
      registry,
      topics,
      Array.from({ length: 20 }, (_, i) => event('steady', i, 'yes', 'yes')),
    );
    await eventually(
      () => labelledInClickHouse('steady'),
      (n) => n === 20,
      60_000,
    );

    // The look-alike: PredictionEvent's full name, but entityId ["null","long"] and tags map<long>.
    const contract = loadSchema('prediction-event');
    const lookalike = {
      ...contract,
      fields: contract.fields.map((f) => (f.name === 'entityId' ? { ...f, type: ['null', 'long'] } : f.name === 'tags' ? { ...f, type: { type: 'map', values: 'long' } } : f)),
    };
    const { id: lookalikeId } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(lookalike) }, { subject: `${config.topicPrefix}lookalike-value` });
    const poison = { ...event('steady', 1000, 'yes', 'yes').prediction, eventId: 'poison', entityId: 7, tags: { shard: 7 } };
    await producer.send({ topic: topics.predictions, acks: -1, messages: [{ key: 'steady', value: await registry.encode(lookalikeId, poison) }] });
    // A valid PredictionEvent that is no valid input of 'steady', a classification model: REGRESSION.
    const wrongTask = regression('steady', 1001, 3);
    await send(producer, registry, topics, [{ ...wrongTask, prediction: { ...wrongTask.prediction, eventId: 'wrong-task' } }], false);

    // After them: 20 more for 'steady' (40 in all) and a model never seen before.
    await send(
      producer,
      registry,
      topics,
      Array.from({ length: 20 }, (_, i) => event('steady', 20 + i, 'yes', 'yes')),
    );
    await send(
      producer,
      registry,
      topics,
      Array.from({ length: 10 }, (_, i) => event('newcomer', i, 'yes', 'no')),
    );
    await eventually(
      () => labelledInClickHouse('steady'),
      (n) => n === 40,
      60_000,
    );
    await eventually(
      () => labelledInClickHouse('newcomer'),
      (n) => n === 10,
      60_000,
    );

    await eventually(
      async () => deadLetters.length,
      (n) => n === 2,
      30_000,
    );
    const byReason = deadLetters.map((m) => ({
      reason: m.headers![DEAD_LETTER_HEADERS.reason]!.toString(),
      error: m.headers![DEAD_LETTER_HEADERS.error]!.toString(),
      refusedBy: m.headers!['vigil-dead-letter-refused-by']!.toString(),
    }));
    expect(byReason[0]).toEqual({
      reason: 'invalid-record',
      error: `writer schema ${lookalikeId}: cannot be read as the prediction-event contract: entityId: expected ["null","string"], found ["null","long"]; tags: expected {"type":"map","values":"string"}, found {"type":"map","values":"long"}`,
      refusedBy: 'monitor',
    });
    expect(byReason[1]).toEqual({ reason: 'invalid-record', error: "task: REGRESSION, but this model's predictions are CLASSIFICATION", refusedBy: 'monitor' });

    const health = await monitor.get<{ status: string; details: { monitor: { status: string; degraded: boolean; publishFailures: object; stalledPartitions: unknown[] } } }>(
      '/health',
    );
    expect(health.status).toBe(200);
    expect(health.body.details.monitor).toMatchObject({ status: 'up', degraded: false, publishFailures: {}, stalledPartitions: [] });
    expect(await monitor.metrics()).toMatch(/vigil_monitor_dead_letters_total 2\b/);
  });

  it('refuses a configuration that cannot run with 400 naming the field, and saves nothing', async () => {
    const bad = await monitor.put<{ message: string }>('/models/steady/config', { detectorParams: { delta: 5 } });
    expect(bad).toEqual({ status: 400, body: expect.objectContaining({ message: 'detectorParams: adwin: delta must be in (0, 1)' }) });
    // A regression model may not watch its |error| with DDM (0/1 errors only).
    await send(producer, registry, topics, [regression('regressor', 0, 1)], false);
    await eventually(
      async () => (await monitor.tryGet(`/models/regressor/metrics`))?.status,
      (status) => status === 200,
      30_000,
    );
    const ddm = await monitor.put<{ message: string }>('/models/regressor/config', { detector: 'ddm' });
    expect(ddm).toEqual({
      status: 400,
      body: expect.objectContaining({ message: "detector: ddm accepts only binary-error input, but this model's detector would watch its absolute-error" }),
    });
    // Nothing saved: both still have the defaults.
    expect((await monitor.get<{ detector: string; detectorParams: object }>('/models/steady/config')).body).toMatchObject({ detector: 'adwin', detectorParams: {} });
    expect((await monitor.get<{ detector: string }>('/models/regressor/config')).body).toMatchObject({ detector: 'adwin' });
    expect((await monitor.put('/models/steady/config', { detectorParams: { delta: 0.01 } })).status).toBe(200);
  });

  it('disables the detector of a stored configuration that no longer validates, with an alert, and keeps counting', async () => {
    // As if written before an upgrade: DDM for a model that turns out to be a regression.
    await clickhouse.insert({
      table: 'monitor_model_configs',
      values: [{ model_id: 'upgraded', config: JSON.stringify({ detector: 'ddm', detectorParams: { warningThreshold: 2 } }), updated_at_ms: Date.now() }],
      format: 'JSONEachRow',
    });
    const events = Array.from({ length: 5 }, (_, i) => regression('upgraded', i, 10, 12));
    await send(producer, registry, topics, events);
    await eventually(
      () => labelledInClickHouse('upgraded'),
      (n) => n === 5,
      60_000,
    );
    const disabled = await eventually(
      async () => alerts.filter((a) => a.modelId === 'upgraded'),
      (a) => a.length > 0,
      30_000,
    );
    expect(disabled.map((a) => [a.rule, a.kind, a.severity])).toEqual([['detector_disabled', 'DETECTOR', 'WARNING']]);
    const health = await monitor.get<{ details: { monitor: { status: string; degraded: boolean; stalledPartitions: unknown[] } } }>('/health');
    expect(health.body.details.monitor).toMatchObject({ status: 'up', degraded: false, stalledPartitions: [] });
  });

  it('counts each prediction once: the same one 3×, and one id again with another time', async () => {
    const events = Array.from({ length: 4 }, (_, i) => event('dups', i, 'yes', 'yes'));
    const again = { ...events[3], prediction: { ...events[3].prediction, eventTime: new Date(events[3].prediction.eventTime.getTime() + 3_600_000) } };
    // 7 records, 4 distinct event ids: p0 ×3, p1, p2, p3 ×2 (the second an hour later).
    await send(producer, registry, topics, [events[0], events[0], events[0], events[1], events[2], events[3], again], false);
    const metrics = await eventually(
      async () => (await monitor.tryGet<{ predictions: { duplicate: number }; groups: { segmentKey: string; predictionCount: number }[] }>('/models/dups/metrics'))?.body,
      (body) => body?.predictions?.duplicate === 3,
      30_000,
    );
    expect(metrics!.groups.find((g) => g.segmentKey === '')!.predictionCount).toBe(4);
    // The ClickHouse snapshot says the same.
    const rows = await eventually(
      async () =>
        (
          await clickhouse.query({
            query: sql`SELECT prediction_count, metric_values[indexOf(metric_names, 'predictions_duplicate')] AS duplicates
                       FROM metric_snapshots WHERE model_id = 'dups' AND segment_key = '' ORDER BY published_at DESC LIMIT 1`,
            format: 'JSONEachRow',
          })
        ).json<{ prediction_count: string; duplicates: number }>(),
      (r) => r.length === 1 && Number(r[0].duplicates) === 3,
      30_000,
    );
    expect(Number(rows[0].prediction_count)).toBe(4);
  });
});
