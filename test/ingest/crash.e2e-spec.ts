/**
 * At-least-once without visible duplicates: the ingestor (a real child process) is
 * SIGKILLed while batches are being inserted, restarted, and the documented queries
 * and a plain count() on the analyst views (unique_predictions, unique_labels) still
 * count every event exactly once.
 */
import { topicMap, valueSubject } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { createClickHouse } from '@vigil/storage';
import { dropDatabase, eventually, testInfrastructure } from '../support/stack';
import { analystQuery, deleteTopics, freePort, IngestorProcess, ingestorEnv, label, latestId, prediction, produce } from './support';

const config = testInfrastructure('ingest_crash');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);
const clickhouse = createClickHouse(config.clickhouse);

/** 20 000 predictions over 2 partitions, one label for each of the first 5 000. */
const PREDICTIONS = 20_000;
const LABELS = 5_000;

async function scalar(query: string): Promise<number> {
  try {
    const [row] = await (await clickhouse.query({ query, format: 'JSONEachRow' })).json<{ n: string }>();
    return Number(row.n);
  } catch {
    return 0; // tables not created yet
  }
}

/** Records of `topics` the group has not committed yet (high watermark minus committed offset, summed). */
async function lag(groupId: string, topicNames: string[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let behind = 0;
    const committed = await admin.fetchOffsets({ groupId, topics: topicNames });
    for (const topic of topicNames) {
      const ends = await admin.fetchTopicOffsets(topic);
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const at = Number(done.find((p) => p.partition === end.partition)?.offset ?? -1);
        behind += Number(end.high) - Math.max(at, 0);
      }
    }
    return behind;
  } finally {
    await admin.disconnect();
  }
}

describe('ingestor crash and replay', () => {
  let ingestor: IngestorProcess;

  beforeAll(async () => {
    await ensureTopics(kafka, topics, { partitions: 2 });
    await registerContracts(registry, topics);
    ingestor = new IngestorProcess(
      // Small inserts so the kill lands between many insert/commit pairs.
      ingestorEnv(config, { INGESTOR_GROUP_ID: `ingestor-${config.runId}`, INGEST_BATCH_MAX_ROWS: '500', INGEST_FETCH_MAX_BYTES_PER_PARTITION: '65536' }),
      await freePort(),
    );
  });

  afterAll(async () => {
    await ingestor.stop('SIGKILL');
    await clickhouse.close();
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
  });

  it('counts every event once after a SIGKILL mid-stream and a restart', async () => {
    const predictionId = await latestId(registry, valueSubject(topics.predictions));
    const labelId = await latestId(registry, valueSubject(topics.labels));
    const producer = kafka.producer();
    await producer.connect();
    const resent: { key: string; value: Buffer }[] = [];
    const base = Date.UTC(2026, 10, 20, 0, 0, 0);
    for (let start = 0; start < PREDICTIONS; start += 2_000) {
      const chunk = [];
      for (let i = start; i < start + 2_000; i++) {
        const model = `model-${i % 4}`;
        const event = prediction({ eventId: `p-${i}`, modelId: model, eventTime: new Date(base + i * 1_000), latencyMs: i % 100 });
        chunk.push({ key: model, value: await registry.encode(predictionId, event) });
      }
      await produce(producer, topics.predictions, chunk);
      if (start === 0) resent.push(...chunk);
    }
    const labels = [];
    for (let i = 0; i < LABELS; i++) {
      const model = `model-${i % 4}`;
      const event = label({ eventId: `l-${i}`, predictionEventId: `p-${i}`, modelId: model, eventTime: new Date(base + i * 1_000 + 60_000) });
      labels.push({ key: model, value: await registry.encode(labelId, event) });
    }
    await produce(producer, topics.labels, labels);

    ingestor.start();
    // Polled tightly and killed right after the first rows appear: most likely between
    // an insert and the commit of its offsets, the window that produces replays.
    const deadline = Date.now() + 60_000;
    while ((await scalar('SELECT count() AS n FROM predictions')) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await ingestor.stop('SIGKILL');
    const beforeRestart = await scalar('SELECT count() AS n FROM predictions');
    expect(beforeRestart).toBeLessThan(PREDICTIONS); // killed mid-stream, not after

    ingestor.start();
    // Replays a kill may or may not have caused, made certain: the first 2 000 predictions
    // and 1 000 labels sent again, byte for byte, as a producer retrying would.
    await produce(producer, topics.predictions, resent);
    await produce(producer, topics.labels, labels.slice(0, 1_000));
    await producer.disconnect();
    await eventually(
      () => scalar('SELECT uniqExact(event_id) AS n FROM predictions'),
      (n) => n === PREDICTIONS,
      90_000,
    );
    await eventually(
      () => scalar('SELECT uniqExact(event_id) AS n FROM labels'),
      (n) => n === LABELS,
      60_000,
    );
    // Every record, resent ones included, inserted and committed: the group has no lag left.
    await eventually(
      () => lag(`ingestor-${config.runId}`, [topics.predictions, topics.labels]),
      (n) => n === 0,
      60_000,
    );

    const coverage = (
      await (
        await clickhouse.query({ query: analystQuery('label_coverage'), format: 'JSONEachRow' })
      ).json<{
        predictions: string;
        labelled: string;
      }>()
    ).reduce((sum, r) => ({ p: sum.p + Number(r.predictions), l: sum.l + Number(r.labelled) }), { p: 0, l: 0 });
    expect(coverage).toEqual({ p: PREDICTIONS, l: LABELS });
    const latency = await (await clickhouse.query({ query: analystQuery('latency_quantiles'), format: 'JSONEachRow' })).json<{ predictions: string }>();
    expect(latency.reduce((sum, r) => sum + Number(r.predictions), 0)).toBe(PREDICTIONS);
    const delays = await (
      await clickhouse.query({ query: analystQuery('label_delay_distribution'), format: 'JSONEachRow' })
    ).json<{
      labels: string;
      max_delay_s: number;
    }>();
    // Every label was sent 60 s after its prediction.
    expect(delays.reduce((sum, r) => sum + Number(r.labels), 0)).toBe(LABELS);
    expect(delays.map((r) => r.max_delay_s)).toEqual([60, 60, 60, 60]);
    const raw = await scalar('SELECT count() AS n FROM predictions');
    const rawLabels = await scalar('SELECT count() AS n FROM labels');
    // The analyst views: a plain count() is the distinct count, replays or not, merged or not.
    expect(await scalar('SELECT count() AS n FROM unique_predictions')).toBe(PREDICTIONS);
    expect(await scalar('SELECT count() AS n FROM unique_labels')).toBe(LABELS);
    expect(await scalar('SELECT count() - uniqExact(event_id) AS n FROM unique_predictions')).toBe(0);
    process.stdout.write(
      `crash test: ${beforeRestart} rows before the kill; after replay ${raw} raw prediction rows and ${rawLabels} raw label rows ` +
        `for ${PREDICTIONS} / ${LABELS} distinct; unique_predictions and unique_labels count() exact\n`,
    );
  });
});
