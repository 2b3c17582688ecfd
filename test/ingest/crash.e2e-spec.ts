/**
 * At-least-once without visible duplicates: the ingestor (a real child process) is
 * SIGKILLed while batches are being inserted, restarted, and the documented queries
 * still count every event exactly once.
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
    const base = Date.UTC(2026, 10, 20, 0, 0, 0);
    for (let start = 0; start < PREDICTIONS; start += 2_000) {
      const chunk = [];
      for (let i = start; i < start + 2_000; i++) {
        const model = `model-${i % 4}`;
        const event = prediction({ eventId: `p-${i}`, modelId: model, eventTime: new Date(base + i * 1_000), latencyMs: i % 100 });
        chunk.push({ key: model, value: await registry.encode(predictionId, event) });
      }
      await produce(producer, topics.predictions, chunk);
    }
    const labels = [];
    for (let i = 0; i < LABELS; i++) {
      const model = `model-${i % 4}`;
      const event = label({ eventId: `l-${i}`, predictionEventId: `p-${i}`, modelId: model, eventTime: new Date(base + i * 1_000 + 60_000) });
      labels.push({ key: model, value: await registry.encode(labelId, event) });
    }
    await produce(producer, topics.labels, labels);
    await producer.disconnect();

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
    await eventually(
      () => scalar('SELECT uniqExact(event_id) AS n FROM predictions'),
      (n) => n === PREDICTIONS,
      90_000,
    );
    await eventually(() => scalar('SELECT uniqExact(event_id) AS n FROM labels'), (n) => n === LABELS, 60_000);

    const coverage = (await (await clickhouse.query({ query: analystQuery('label_coverage'), format: 'JSONEachRow' })).json<{
      predictions: string;
      labelled: string;
    }>()).reduce((sum, r) => ({ p: sum.p + Number(r.predictions), l: sum.l + Number(r.labelled) }), { p: 0, l: 0 });
    expect(coverage).toEqual({ p: PREDICTIONS, l: LABELS });
    const latency = await (await clickhouse.query({ query: analystQuery('latency_quantiles'), format: 'JSONEachRow' })).json<{ predictions: string }>();
    expect(latency.reduce((sum, r) => sum + Number(r.predictions), 0)).toBe(PREDICTIONS);
    const delays = await (await clickhouse.query({ query: analystQuery('label_delay_distribution'), format: 'JSONEachRow' })).json<{
      labels: string;
      max_delay_s: number;
    }>();
    // Every label was sent 60 s after its prediction.
    expect(delays.reduce((sum, r) => sum + Number(r.labels), 0)).toBe(LABELS);
    expect(delays.map((r) => r.max_delay_s)).toEqual([60, 60, 60, 60]);
    const raw = await scalar('SELECT count() AS n FROM predictions');
    process.stdout.write(`crash test: ${beforeRestart} rows before the kill, ${raw} raw rows after replay, ${PREDICTIONS} distinct\n`);
  });
});
