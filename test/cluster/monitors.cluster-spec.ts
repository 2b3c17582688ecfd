/**
 * Monitor scale-out on the cluster topology (docs/scaling.md "Scale-out measured"):
 * three monitor processes in one consumer group share six partitions; the one owning the most
 * models is killed -9 and its models move to the other two with their checkpointed state.
 * The counts continue (no snapshot of a moved model goes back below its checkpoint) and no
 * label is lost (every model ends with all its predictions labelled, at the stream's exact
 * accuracy). Prints one line of figures.
 */
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { createClickHouse, sql } from '@vigil/storage';
import { Producer } from 'kafkajs';
import { deleteTopics, dropDatabase, eventually, testInfrastructure } from '../support/stack';
import { freePort, LabelledEvent, MonitorProcess, monitorEnv, prng, send, stream } from '../monitor/support';

const PARTITIONS = 6;
const MODELS = Array.from({ length: 12 }, (_, i) => `scale-${i}`);
/** Events per model before the kill and after it. */
const BEFORE = 200;
const AFTER = 100;

const config = testInfrastructure('cluster_monitors');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);
const clickhouse = createClickHouse(config.clickhouse);
const env = monitorEnv(config, {
  MONITOR_GROUP_ID: `monitor-${config.runId}`,
  MONITOR_SNAPSHOT_INTERVAL_MS: '500',
  MONITOR_CHECKPOINT_INTERVAL_MS: '1000',
});

interface Counts {
  predictions: number;
  labelled: number;
  accuracy: number;
}

/** The latest version-level snapshot of each model, from the Distributed table. */
async function latestSnapshots(): Promise<Map<string, Counts>> {
  const rows = await (
    await clickhouse.query({
      query: sql`SELECT model_id, argMax(prediction_count, (published_at, labelled_count)) AS predictions,
                        argMax(labelled_count, (published_at, labelled_count)) AS labelled,
                        argMax(metric_values[indexOf(metric_names, 'accuracy')], (published_at, labelled_count)) AS accuracy
                 FROM metric_snapshots WHERE segment_key = '' GROUP BY model_id`,
      format: 'JSONEachRow',
    })
  ).json<{ model_id: string; predictions: string; labelled: string; accuracy: number }>();
  return new Map(rows.map((r) => [r.model_id, { predictions: Number(r.predictions), labelled: Number(r.labelled), accuracy: r.accuracy }]));
}

/** The fewest labels any snapshot of each model counted after `since` (Unix seconds). */
async function fewestLabelledSince(since: number): Promise<Map<string, number>> {
  const rows = await (
    await clickhouse.query({
      query: sql`SELECT model_id, min(labelled_count) AS fewest FROM metric_snapshots
                 WHERE segment_key = '' AND toUnixTimestamp(published_at) > ${since} GROUP BY model_id`,
      format: 'JSONEachRow',
    })
  ).json<{ model_id: string; fewest: string }>();
  return new Map(rows.map((r) => [r.model_id, Number(r.fewest)]));
}

async function checkpointedLabels(): Promise<Map<string, number>> {
  const rows = await (
    await clickhouse.query({ query: sql`SELECT model_id, state FROM monitor_checkpoints FINAL`, format: 'JSONEachRow' })
  ).json<{ model_id: string; state: string }>();
  return new Map(
    rows.map((r) => {
      const state = JSON.parse(r.state) as { groups: { segmentKey: string; labelled: number }[] };
      return [r.model_id, state.groups.find((g) => g.segmentKey === '')!.labelled];
    }),
  );
}

const everyModel = (counts: Map<string, number>, n: number) => MODELS.every((m) => counts.get(m) === n);

describe('three monitors on the cluster, one killed -9', () => {
  let producer: Producer;
  const monitors: MonitorProcess[] = [];

  beforeAll(async () => {
    await ensureTopics(kafka, topics, { partitions: PARTITIONS });
    await registerContracts(registry, topics);
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    for (const m of monitors) await m.stop('SIGKILL');
    await producer.disconnect();
    await clickhouse.close();
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
  });

  it('moves the killed monitor’s models to the others with their state; counts continue, no label lost', async () => {
    for (let i = 0; i < 3; i++) {
      const m = new MonitorProcess(env, await freePort());
      monitors.push(m);
      await m.startHealthy();
    }
    const partitionsOf = async (m: MonitorProcess) => (await m.tryGet<{ info: { monitor: { partitions: number[] } } }>('/health'))?.body.info.monitor.partitions ?? [];
    // All three members in the group, the six partitions split between them.
    await eventually(
      async () => Promise.all(monitors.map(async (m) => (await partitionsOf(m)).length)),
      (sizes) => sizes.every((n) => n > 0) && sizes.reduce((a, b) => a + b, 0) === PARTITIONS,
      90_000,
    );

    const streams = new Map<string, LabelledEvent[]>(MODELS.map((model, i) => [model, stream(model, prng(300 + i), 0, BEFORE + AFTER, 0.85)]));
    for (const model of MODELS) await send(producer, registry, topics, streams.get(model)!.slice(0, BEFORE));
    await eventually(
      async () => new Map([...(await latestSnapshots())].map(([m, c]) => [m, c.labelled])),
      (counts) => everyModel(counts, BEFORE),
      120_000,
    );
    // The state the survivors restore: a checkpoint covering the first BEFORE events of every model.
    await eventually(checkpointedLabels, (counts) => everyModel(counts, BEFORE), 30_000);

    const owners = await Promise.all(
      monitors.map(async (m) =>
        (await Promise.all(MODELS.map(async (model) => ((await m.tryGet(`/models/${model}/metrics`))?.status === 200 ? model : null)))).filter((x): x is string => x !== null),
      ),
    );
    expect(owners.flat().sort()).toEqual([...MODELS].sort());
    const victim = owners.indexOf(owners.reduce((a, b) => (b.length > a.length ? b : a)));
    const moved = owners[victim];
    const killedAt = Date.now();
    await monitors[victim].stop('SIGKILL');
    const survivors = monitors.filter((_, i) => i !== victim);

    for (const model of MODELS) await send(producer, registry, topics, streams.get(model)!.slice(BEFORE));
    await eventually(
      async () => new Map([...(await latestSnapshots())].map(([m, c]) => [m, c.labelled])),
      (counts) => everyModel(counts, BEFORE + AFTER),
      180_000,
    );
    const caughtUpIn = Date.now() - killedAt;

    const final = await latestSnapshots();
    for (const model of MODELS) {
      const events = streams.get(model)!;
      // The stream's own accuracy over all BEFORE + AFTER events (the default window holds them all).
      const expected = events.filter((e) => e.prediction.predictedClass === e.label.trueClass).length / events.length;
      expect(final.get(model)!.predictions).toBe(BEFORE + AFTER);
      expect(final.get(model)!.labelled).toBe(BEFORE + AFTER);
      expect(final.get(model)!.accuracy).toBeCloseTo(expected, 12);
    }
    // The moved models continued from their checkpoints: no snapshot after the kill counted fewer than BEFORE labels.
    const fewest = await fewestLabelledSince(Math.floor(killedAt / 1000));
    for (const model of moved) expect(fewest.get(model)).toBeGreaterThanOrEqual(BEFORE);
    // The two survivors now hold every partition and serve every model live.
    const survivorPartitions = (await Promise.all(survivors.map(partitionsOf))).flat().sort();
    expect(survivorPartitions).toEqual(Array.from({ length: PARTITIONS }, (_, p) => p));
    for (const model of moved) {
      const answers = await Promise.all(survivors.map((m) => m.tryGet<{ groups: { segmentKey: string; labelledCount: number }[] }>(`/models/${model}/metrics`)));
      const serving = answers.filter((a) => a?.status === 200);
      expect(serving).toHaveLength(1);
      expect(serving[0]!.body.groups.find((g) => g.segmentKey === '')?.labelledCount).toBe(BEFORE + AFTER);
    }
    const labelsLost = MODELS.reduce((lost, model) => lost + (BEFORE + AFTER - final.get(model)!.labelled), 0);
    process.stdout.write(
      `[cluster scale-out] 3 monitors, ${MODELS.length} models on ${PARTITIONS} partitions, models per monitor ${owners.map((o) => o.length).join('/')}; ` +
        `monitor ${victim + 1} killed -9 with ${moved.length} models; every model at ${BEFORE + AFTER}/${BEFORE + AFTER} labelled ${Math.round(caughtUpIn / 1000)} s after the kill; ` +
        `fewest labels in a moved model's snapshot after the kill ${Math.min(...moved.map((m) => fewest.get(m) ?? 0))} (checkpoint ${BEFORE}); labels lost ${labelsLost}\n`,
    );
  }, 600_000);
});
