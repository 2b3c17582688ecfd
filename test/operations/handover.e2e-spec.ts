/**
 * Per-model series follow ownership: when a second monitor joins the group and takes
 * partitions over, the first stops exporting the models it handed over and the new owner
 * exports them, so summing a series across instances never counts a model twice.
 */
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { Producer } from 'kafkajs';
import { freePort, MonitorProcess, monitorEnv, prng, send, stream } from '../monitor/support';
import { deleteTopics, dropDatabase, eventually, testInfrastructure } from '../support/stack';

const config = testInfrastructure('handover');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);
const env = monitorEnv(config, {
  MONITOR_GROUP_ID: `monitor-${config.runId}`,
  MONITOR_SNAPSHOT_INTERVAL_MS: '500',
  MONITOR_CHECKPOINT_INTERVAL_MS: '1000',
  VIGIL_TOPIC_PARTITIONS: '4',
});
const MODELS = ['ho-a', 'ho-b', 'ho-c', 'ho-d', 'ho-e', 'ho-f'];

/** Models whose rolling accuracy an instance exports. */
async function exported(monitor: MonitorProcess): Promise<string[]> {
  const text = await monitor.metrics().catch(() => '');
  return MODELS.filter((m) => text.includes(`vigil_model_rolling_metric{model="${m}",version="v1",metric="accuracy"}`));
}

describe('per-model series on hand-over', () => {
  let producer: Producer;
  const monitors: MonitorProcess[] = [];

  beforeAll(async () => {
    await ensureTopics(kafka, topics, { partitions: 4 });
    await registerContracts(registry, topics);
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    for (const m of monitors) await m.stop('SIGTERM');
    await producer?.disconnect();
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
  });

  it('the old owner removes the series of the models it handed over; the new owner exports them', async () => {
    const a = new MonitorProcess(env, await freePort());
    monitors.push(a);
    await a.startHealthy();
    for (const [i, model] of MODELS.entries()) await send(producer, registry, topics, stream(model, prng(300 + i), 0, 100, 0.85));
    await eventually(
      () => exported(a),
      (list) => list.length === MODELS.length,
      60_000,
    );

    const b = new MonitorProcess(env, await freePort());
    monitors.push(b);
    await b.startHealthy();
    const partitionsOf = async (m: MonitorProcess) => (await m.tryGet<{ info: { monitor: { partitions: number[] } } }>('/health'))?.body.info.monitor.partitions ?? [];
    await eventually(
      async () => [(await partitionsOf(a)).length, (await partitionsOf(b)).length],
      ([x, y]) => x > 0 && y > 0 && x + y === 4,
      60_000,
    );
    // New events for every model: b restores the models of its partitions and publishes their snapshots.
    for (const [i, model] of MODELS.entries()) await send(producer, registry, topics, stream(model, prng(400 + i), 100, 50, 0.85));
    const [fromA, fromB] = await eventually(
      async () => [await exported(a), await exported(b)],
      ([x, y]) => x.length + y.length === MODELS.length && y.length > 0,
      60_000,
    );
    // Each model exported by exactly one instance.
    expect([...fromA, ...fromB].sort()).toEqual(MODELS);
    expect(fromA.filter((m) => fromB.includes(m))).toEqual([]);
    process.stdout.write(`hand-over: a exports ${fromA.join(',')}; b exports ${fromB.join(',')}\n`);
  });
});
