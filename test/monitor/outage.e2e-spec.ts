/**
 * The monitor during a ClickHouse outage (a private clickhouse-server it alone uses): it
 * keeps consuming and serving live metrics, reports `degraded` with the storage failing,
 * retries its writes under the bounded retry policy (no chain per failed write), and once
 * ClickHouse is back its snapshots and checkpoint catch up with every event.
 */
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { createClickHouse, sql } from '@vigil/storage';
import { Producer } from 'kafkajs';
import { PrivateClickHouse } from '../support/private-clickhouse';
import { deleteTopics, eventually, testInfrastructure } from '../support/stack';
import { freePort, MonitorProcess, monitorEnv, prng, send, stream } from './support';
import { nativeStackMissing } from '../support/native-stack';

const base = testInfrastructure('monitor_outage');
const clickhouseServer = new PrivateClickHouse();
const kafka = createKafka({ brokers: base.kafkaBrokers, clientId: `test-${base.runId}` });
const registry = createSchemaRegistry(base.schemaRegistry);
const topics = topicMap(base.topicPrefix);
const MODEL = 'outage-model';

interface Health {
  status: string;
  details: { monitor: { status: string; degraded: boolean; storage: string } };
}

const nativeMissing = nativeStackMissing('test/monitor/outage', 'a clickhouse-server binary to stop and restart');

(nativeMissing ? describe.skip : describe)('monitor during a ClickHouse outage', () => {
  let monitor: MonitorProcess;
  let producer: Producer;
  let clickhouse: ReturnType<typeof createClickHouse>;

  async function storedLabelled(): Promise<number> {
    try {
      const rows = await (
        await clickhouse.query({
          query: sql`SELECT max(labelled_count) AS labelled FROM metric_snapshots WHERE model_id = ${MODEL} AND segment_key = ''`,
          format: 'JSONEachRow',
        })
      ).json<{ labelled: string }>();
      return Number(rows[0]?.labelled ?? 0);
    } catch {
      return -1;
    }
  }

  async function checkpointedLabelled(): Promise<number> {
    try {
      const [row] = await (
        await clickhouse.query({ query: sql`SELECT state FROM monitor_checkpoints FINAL WHERE model_id = ${MODEL}`, format: 'JSONEachRow' })
      ).json<{ state: string }>();
      const state = JSON.parse(row.state) as { groups: { segmentKey: string; labelled: number }[] };
      return state.groups.find((g) => g.segmentKey === '')!.labelled;
    } catch {
      return -1;
    }
  }

  const liveLabelled = async () =>
    (await monitor.tryGet<{ groups: { segmentKey: string; labelledCount: number }[] }>(`/models/${MODEL}/metrics`))?.body.groups?.find((g) => g.segmentKey === '')?.labelledCount ??
    0;

  const health = async () => (await monitor.tryGet<Health>('/health'))!;

  const retries = async (outcome: string) => {
    const line = (await monitor.metrics()).split('\n').find((l) => l.startsWith(`vigil_retries_total{operation="monitor.store-outputs",outcome="${outcome}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  beforeAll(async () => {
    await clickhouseServer.start();
    const config = { ...base, clickhouse: { ...base.clickhouse, url: clickhouseServer.url, user: 'default', password: '' } };
    clickhouse = createClickHouse(config.clickhouse);
    await ensureTopics(kafka, topics, { partitions: 2 });
    await registerContracts(registry, topics);
    producer = kafka.producer();
    await producer.connect();
    monitor = new MonitorProcess(
      monitorEnv(config, {
        MONITOR_GROUP_ID: `monitor-${config.runId}`,
        MONITOR_SNAPSHOT_INTERVAL_MS: '300',
        MONITOR_CHECKPOINT_INTERVAL_MS: '1000',
        MONITOR_STORAGE_RETRIES: '3',
        MONITOR_STORAGE_RETRY_INITIAL_MS: '100',
        MONITOR_STORAGE_RETRY_MAX_MS: '1000',
      }),
      await freePort(),
    );
    await monitor.startHealthy();
  });

  afterAll(async () => {
    await monitor?.stop('SIGTERM');
    await producer?.disconnect();
    await clickhouse?.close();
    await clickhouseServer.stop();
    clickhouseServer.remove();
    await deleteTopics(kafka, base.topicPrefix);
  });

  it('keeps serving, reports degraded, and catches up once ClickHouse is back', async () => {
    const rand = prng(21);
    await send(producer, registry, topics, stream(MODEL, rand, 0, 100, 0.9));
    await eventually(storedLabelled, (n) => n === 100, 60_000);

    await clickhouseServer.stop();
    await send(producer, registry, topics, stream(MODEL, rand, 100, 100, 0.9));
    // Consumption and the live view go on without ClickHouse.
    await eventually(liveLabelled, (n) => n === 200, 30_000);
    // Terminus reports a degraded component as up with `degraded: true`, and answers 200 (nothing to restart).
    const down = await eventually(health, (h) => h.body.details.monitor.degraded, 30_000);
    expect(down.status).toBe(200);
    expect(down.body.details.monitor.status).toBe('up');
    expect(down.body.details.monitor.storage).toBe('failing');
    await eventually(
      () => retries('retry'),
      (n) => n >= 1,
      30_000,
    );

    await clickhouseServer.start();
    // Every event reaches ClickHouse: the snapshot and the checkpoint cover all 200 labels.
    await eventually(storedLabelled, (n) => n === 200, 60_000);
    await eventually(checkpointedLabelled, (n) => n === 200, 60_000);
    const up = await eventually(health, (h) => !h.body.details.monitor.degraded, 30_000);
    expect(up.body.details.monitor.storage).toBe('up');
    // Writes that waited were retried by the one policy: some recovered, or gave up and were taken by the next writer.
    expect((await retries('recovered')) + (await retries('gave_up'))).toBeGreaterThanOrEqual(1);
  });
});
