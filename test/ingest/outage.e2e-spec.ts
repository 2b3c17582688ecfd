/**
 * Backpressure: ClickHouse goes away for 30 s mid-stream. The ingestor (child process)
 * pauses, reports `degraded` with HTTP 200, retries with capped backoff and, once
 * ClickHouse is back, lands every event. Uses a private clickhouse-server on free ports
 * (the shared one serves other tests), and checks that the server answering on them is
 * the one this test spawned before trusting any figure.
 */
import { topicMap, valueSubject } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { ClickHouseClient } from '@clickhouse/client';
import { createClickHouse } from '@vigil/storage';
import { PrivateClickHouse } from '../support/private-clickhouse';
import { eventually, testInfrastructure } from '../support/stack';
import { deleteTopics, freePort, IngestorProcess, ingestorEnv, latestId, prediction, produce } from './support';
import { nativeStackMissing } from '../support/native-stack';

const base = testInfrastructure('ingest_outage');
const kafka = createKafka({ brokers: base.kafkaBrokers, clientId: `test-${base.runId}` });
const registry = createSchemaRegistry(base.schemaRegistry);
const OUTAGE_MS = 30_000;
const BEFORE = 3_000;
const DURING = 3_000;

const nativeMissing = nativeStackMissing('test/ingest/outage', 'a clickhouse-server binary to stop and restart');

(nativeMissing ? describe.skip : describe)('ingestor during a ClickHouse outage', () => {
  let clickhouseServer: PrivateClickHouse;
  let clickhouse: ClickHouseClient;
  let ingestor: IngestorProcess;
  const topics = topicMap(base.topicPrefix);

  async function distinctPredictions(): Promise<number> {
    try {
      const result = await clickhouse.query({ query: 'SELECT uniqExact(event_id) AS n FROM predictions', format: 'JSONEachRow' });
      return Number((await result.json<{ n: string }>())[0].n);
    } catch {
      return -1;
    }
  }

  beforeAll(async () => {
    clickhouseServer = new PrivateClickHouse();
    await clickhouseServer.start();
    const config = { ...base, clickhouse: { ...base.clickhouse, url: clickhouseServer.url, user: 'default', password: '' } };
    clickhouse = createClickHouse(config.clickhouse);
    await ensureTopics(kafka, topics, { partitions: 2 });
    await registerContracts(registry, topics);
    ingestor = new IngestorProcess(
      ingestorEnv(config, { INGESTOR_GROUP_ID: `ingestor-${base.runId}`, INGEST_RETRY_INITIAL_MS: '200', INGEST_RETRY_MAX_MS: '2000' }),
      await freePort(),
    );
  });

  afterAll(async () => {
    await ingestor?.stop('SIGKILL');
    await clickhouse?.close();
    await clickhouseServer?.stop();
    clickhouseServer?.remove();
    await deleteTopics(kafka, base.topicPrefix);
  });

  it('pauses, reports degraded with HTTP 200 and lands every event once ClickHouse returns', async () => {
    const predictionId = await latestId(registry, valueSubject(topics.predictions));
    const producer = kafka.producer();
    await producer.connect();
    const send = async (from: number, n: number) => {
      const records = [];
      for (let i = from; i < from + n; i++) {
        const event = prediction({ eventId: `o-${i}`, modelId: `model-${i % 3}`, eventTime: new Date(Date.UTC(2026, 10, 25) + i) });
        records.push({ key: event.modelId, value: await registry.encode(predictionId, event) });
      }
      await produce(producer, topics.predictions, records);
    };

    ingestor.start();
    await send(0, BEFORE);
    await eventually(distinctPredictions, (n) => n === BEFORE, 60_000);

    await clickhouseServer.stop();
    const stoppedAt = Date.now();
    await send(BEFORE, DURING);
    const degraded = await eventually(
      () => ingestor.health(),
      (h) => h?.body.info?.ingestor?.degraded === true,
      20_000,
    );
    expect(degraded?.httpStatus).toBe(200);
    expect(degraded?.body.info?.ingestor).toMatchObject({ status: 'up', degraded: true, consumer: 'paused' });

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    await clickhouseServer.start();
    // Backoff is capped at 2 s, so the next retry comes within ~2 s of the restart.
    await eventually(distinctPredictions, (n) => n === BEFORE + DURING, 30_000);
    const recovered = await eventually(
      () => ingestor.health(),
      (h) => h?.body.info?.ingestor?.degraded === false,
      10_000,
    );
    expect(recovered?.body.info?.ingestor).toMatchObject({ status: 'up', consumer: 'running' });
    const metrics = await ingestor.metrics();
    expect(Number(/vigil_ingest_storage_retries_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
    await producer.disconnect();
  });
});
