/**
 * State survives the process: a monitor SIGKILLed and restarted continues its counts from
 * the ClickHouse checkpoint (plus replay), and with two instances in one consumer group the
 * survivor of a SIGKILL takes over the other's partitions and continues its models.
 */
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { createClickHouse, sql } from '@vigil/storage';
import { Producer } from 'kafkajs';
import { deleteTopics, dropDatabase, eventually, testInfrastructure } from '../support/stack';
import { freePort, MonitorProcess, monitorEnv, prng, send, stream } from './support';

const config = testInfrastructure('monitor_failover');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);
const clickhouse = createClickHouse(config.clickhouse);
const env = monitorEnv(config, {
  MONITOR_GROUP_ID: `monitor-${config.runId}`,
  MONITOR_SNAPSHOT_INTERVAL_MS: '500',
  MONITOR_CHECKPOINT_INTERVAL_MS: '1000',
  // A production reference from the first 200 predictions, so the restart restores one.
  MONITOR_REFERENCE_SIZE: '200',
});

interface SnapshotRow {
  prediction_count: string;
  labelled_count: string;
  accuracy: number;
  published_at: string;
}

/** Every version-level snapshot of a model, oldest first. */
async function snapshots(modelId: string): Promise<SnapshotRow[]> {
  try {
    return await (
      await clickhouse.query({
        query: sql`SELECT prediction_count, labelled_count, metric_values[indexOf(metric_names, 'accuracy')] AS accuracy, toUnixTimestamp(published_at) AS published_at
                   FROM metric_snapshots WHERE model_id = ${modelId} AND segment_key = '' ORDER BY published_at, labelled_count`,
        format: 'JSONEachRow',
      })
    ).json<SnapshotRow>();
  } catch {
    return [];
  }
}

const latest = async (modelId: string) => (await snapshots(modelId)).at(-1);

/** The checkpoint's reference id and the stored references of the model (migration 080). */
async function checkpointReferences(modelId: string): Promise<{ inline: boolean; referenceId?: string; stored: { id: string; sha256: string }[] }> {
  const [row] = await (
    await clickhouse.query({ query: sql`SELECT state FROM monitor_checkpoints FINAL WHERE model_id = ${modelId}`, format: 'JSONEachRow' })
  ).json<{ state: string }>();
  const state = JSON.parse(row.state) as { reference: unknown; referenceId?: string };
  const stored = await (
    await clickhouse.query({
      query: sql`SELECT reference_id AS id, lower(hex(SHA256(summary))) AS sha256 FROM monitor_checkpoint_references FINAL WHERE model_id = ${modelId}`,
      format: 'JSONEachRow',
    })
  ).json<{ id: string; sha256: string }>();
  return { inline: state.reference !== null, referenceId: state.referenceId, stored };
}

async function checkpointedLabels(modelId: string): Promise<number> {
  try {
    const [row] = await (
      await clickhouse.query({ query: sql`SELECT state FROM monitor_checkpoints FINAL WHERE model_id = ${modelId}`, format: 'JSONEachRow' })
    ).json<{ state: string }>();
    const state = JSON.parse(row.state) as { groups: { segmentKey: string; labelled: number }[] };
    return state.groups.find((g) => g.segmentKey === '')!.labelled;
  } catch {
    return 0;
  }
}

describe('monitor failover (real processes, SIGKILL)', () => {
  let producer: Producer;
  const processes: MonitorProcess[] = [];

  async function startMonitor(): Promise<MonitorProcess> {
    const m = new MonitorProcess(env, await freePort());
    processes.push(m);
    await m.startHealthy();
    return m;
  }

  beforeAll(async () => {
    await ensureTopics(kafka, topics, { partitions: 4 });
    await registerContracts(registry, topics);
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    for (const m of processes) await m.stop('SIGKILL');
    await producer.disconnect();
    await clickhouse.close();
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
  });

  it('continues the counts after SIGKILL and restart', async () => {
    const rand = prng(1);
    const first = stream('restart', rand, 0, 300, 0.8);
    const second = stream('restart', rand, 300, 200, 0.8);
    // Accuracy over all 500 from the generated stream itself (window 500 holds them all).
    const all = [...first, ...second];
    const expectedAccuracy = all.filter((e) => e.prediction.predictedClass === e.label.trueClass).length / all.length;

    const monitor = await startMonitor();
    await send(producer, registry, topics, first);
    await eventually(
      () => latest('restart'),
      (s) => Number(s?.labelled_count) === 300,
      60_000,
    );
    await eventually(
      () => checkpointedLabels('restart'),
      (n) => n === 300,
      10_000,
    );
    // The reference (the first 200 predictions) is stored once, apart, under the sha256 of its JSON.
    const references = await checkpointReferences('restart');
    expect(references.inline).toBe(false);
    expect(references.stored).toEqual([{ id: references.referenceId, sha256: references.referenceId }]);
    await monitor.stop('SIGKILL');
    const beforeKill = (await snapshots('restart')).length;

    await send(producer, registry, topics, second);
    const restarted = await startMonitor();
    const last = await eventually(
      () => latest('restart'),
      (s) => Number(s?.labelled_count) === 500,
      60_000,
    );
    expect(Number(last!.prediction_count)).toBe(500);
    expect(last!.accuracy).toBeCloseTo(expectedAccuracy, 12);
    // Every snapshot published after the restart continues from the checkpoint (≥ 300), none restarts from zero.
    const after = (await snapshots('restart')).slice(beforeKill);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.min(...after.map((s) => Number(s.labelled_count)))).toBeGreaterThanOrEqual(300);
    const live = await restarted.tryGet<{ groups: { segmentKey: string; labelledCount: number }[]; reference: { source: string; rows: number } }>('/models/restart/metrics');
    expect(live?.body.groups.find((g) => g.segmentKey === '')?.labelledCount).toBe(500);
    // The restored reference is the checkpointed one: MONITOR_REFERENCE_SIZE rows from production.
    expect(live?.body.reference).toEqual({ source: 'production', rows: 200 });
    process.stdout.write(`restart: snapshots after restart labelled ${after.map((s) => s.labelled_count).join(',')}\n`);
    await restarted.stop('SIGTERM');
  });

  it('lets a second instance take over the partitions of a killed one', async () => {
    const models = ['fo-a', 'fo-b', 'fo-c', 'fo-d', 'fo-e', 'fo-f'];
    // Whatever the previous test left running leaves the group first.
    for (const m of processes) await m.stop('SIGTERM');
    const a = await startMonitor();
    const b = await startMonitor();
    // Both members in the group: each reports at least one partition.
    const partitionsOf = async (m: MonitorProcess) => (await m.tryGet<{ info: { monitor: { partitions: number[] } } }>('/health'))?.body.info.monitor.partitions ?? [];
    await eventually(
      async () => [(await partitionsOf(a)).length, (await partitionsOf(b)).length],
      ([x, y]) => x > 0 && y > 0 && x + y === 4,
      60_000,
    );
    for (const [i, model] of models.entries()) await send(producer, registry, topics, stream(model, prng(100 + i), 0, 200, 0.85));
    for (const model of models)
      await eventually(
        () => latest(model),
        (s) => Number(s?.labelled_count) === 200,
        60_000,
      );
    const ownedByA = (await Promise.all(models.map(async (m) => ((await a.tryGet(`/models/${m}/metrics`))?.status === 200 ? m : null)))).filter((m): m is string => m !== null);
    // Let a checkpoint cover the first 200 of every model before the kill.
    for (const model of models)
      await eventually(
        () => checkpointedLabels(model),
        (n) => n === 200,
        10_000,
      );
    await a.stop('SIGKILL');

    for (const [i, model] of models.entries()) await send(producer, registry, topics, stream(model, prng(200 + i), 200, 100, 0.85));
    // b notices after the session timeout (10 s), restores a's models from their checkpoints and replays.
    for (const model of models)
      await eventually(
        () => latest(model),
        (s) => Number(s?.labelled_count) === 300,
        90_000,
      );
    for (const model of models) {
      const live = await b.tryGet<{ groups: { segmentKey: string; labelledCount: number; predictionCount: number }[] }>(`/models/${model}/metrics`);
      expect(live?.status).toBe(200);
      const g = live!.body.groups.find((x) => x.segmentKey === '')!;
      expect([g.predictionCount, g.labelledCount]).toEqual([300, 300]);
    }
    expect(await partitionsOf(b)).toEqual([0, 1, 2, 3]);
    process.stdout.write(`failover: a owned ${ownedByA.join(',') || 'none'}; b now serves all ${models.length} models with 300/300\n`);
    expect(ownedByA.length).toBeGreaterThan(0);
    await b.stop('SIGTERM');
  });
});
