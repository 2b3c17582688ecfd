/**
 * Catch-up on a backlog loses no label: with the whole labels topic in Kafka before its
 * predictions are read, kafkajs fetches the labels far ahead; the monitor pauses a labels
 * partition whose early labels reach MONITOR_LABEL_PAUSE_AT (5000, the default) and resumes
 * it as the predictions catch up. Without that, the label join kept 10 000 early labels per
 * model and evicted the rest as `unknown` (docs/performance.md, Findings). A labels
 * partition whose predictions never come must not stay paused (no deadlock).
 */
import { EventStream, topicMap, valueSubject } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { Producer } from 'kafkajs';
import { deleteTopics, dropDatabase, eventually, testInfrastructure } from '../support/stack';
import { freePort, LabelledEvent, MonitorProcess, monitorEnv, prng, stream } from './support';

const config = testInfrastructure('monitor_catchup');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);
const env = monitorEnv(config, {
  MONITOR_GROUP_ID: `monitor-${config.runId}`,
  MONITOR_SNAPSHOT_INTERVAL_MS: '500',
  MONITOR_CHECKPOINT_INTERVAL_MS: '1000',
});

interface ModelMetrics {
  labels: { unknown: number; waiting: number; joined: number; pendingPredictions: number };
  groups: { segmentKey: string; predictionCount: number; labelledCount: number; metrics: Record<string, number> }[];
}

/** Sum of a labelled Prometheus counter over its series. */
function total(metricsText: string, name: string): number {
  return metricsText
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('monitor catch-up on a backlog (real Kafka, registry, ClickHouse)', () => {
  let producer: Producer;
  const processes: MonitorProcess[] = [];

  async function startMonitor(): Promise<MonitorProcess> {
    const m = new MonitorProcess(env, await freePort());
    processes.push(m);
    await m.startHealthy();
    return m;
  }

  async function metricsOf(m: MonitorProcess, modelId: string): Promise<ModelMetrics | undefined> {
    const response = await m.tryGet<ModelMetrics>(`/models/${modelId}/metrics`);
    return response?.status === 200 ? response.body : undefined;
  }

  async function produce(stream: Extract<EventStream, 'predictions' | 'labels'>, events: LabelledEvent[]): Promise<void> {
    const topic = topics[stream];
    const schemaId = await registry.getLatestSchemaId(valueSubject(topic));
    for (let start = 0; start < events.length; start += 2000) {
      const values = events.slice(start, start + 2000).map((e) => (stream === 'predictions' ? e.prediction : e.label));
      const messages = await Promise.all(values.map(async (value) => ({ key: value.modelId, value: await registry.encode(schemaId, value) })));
      await producer.send({ topic, acks: -1, messages });
    }
  }

  beforeAll(async () => {
    await ensureTopics(kafka, topics, { partitions: 2 });
    await registerContracts(registry, topics);
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    for (const m of processes) await m.stop('SIGKILL');
    await producer.disconnect();
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
  });

  it('joins every label of a backlog whose labels are read far ahead of the predictions', async () => {
    // 30 000 labels, 3 × the join's 10 000 early labels per model, produced before their predictions.
    const count = 30_000;
    const events = stream('backlog', prng(7), 0, count, 0.8);
    const expectedAccuracy = events.slice(-500).filter((e) => e.prediction.predictedClass === e.label.trueClass).length / 500;
    await produce('labels', events);
    await produce('predictions', events);

    const monitor = await startMonitor();
    const done = await eventually(
      () => metricsOf(monitor, 'backlog'),
      (m) => m?.groups.find((g) => g.segmentKey === '')?.labelledCount === count,
      60_000,
    );
    const version = done!.groups.find((g) => g.segmentKey === '')!;
    expect(version.predictionCount).toBe(count);
    expect(done!.labels).toMatchObject({ unknown: 0, waiting: 0, joined: count, pendingPredictions: 0 });
    // The rolling window (metricWindow 500) holds the last 500 labelled predictions.
    expect(version.metrics.accuracy).toBeCloseTo(expectedAccuracy, 12);
    const metricsText = await monitor.metrics();
    const pauses = total(metricsText, 'vigil_monitor_label_pauses_total');
    expect(pauses).toBeGreaterThan(0);
    process.stdout.write(`catch-up: ${count} labels read ahead of their predictions, all joined; labels paused ${pauses} times\n`);
    await monitor.stop('SIGTERM');
  }, 180_000);

  it('does not hold labels back for predictions that never come', async () => {
    // 6000 labels of a model with no prediction in the topic: above the 5000 pause threshold.
    const count = 6_000;
    const events = stream('orphan', prng(8), 0, count, 0.8);
    await produce('labels', events);
    const monitor = await startMonitor();
    // The labels partition pauses at 5000 waiting labels (its predictions are assumed behind until they
    // show their lag) and resumes after MONITOR_LABEL_IDLE_MS (2 s) without predictions: all 6000 are read.
    const waiting = await eventually(
      () => metricsOf(monitor, 'orphan'),
      (m) => m?.labels.waiting === count,
      60_000,
    );
    expect(waiting!.labels.unknown).toBe(0);
    expect(total(await monitor.metrics(), 'vigil_monitor_label_pauses_total')).toBeGreaterThanOrEqual(1);

    // The predictions arrive late: every held label joins.
    await produce('predictions', events);
    const done = await eventually(
      () => metricsOf(monitor, 'orphan'),
      (m) => m?.groups.find((g) => g.segmentKey === '')?.labelledCount === count,
      60_000,
    );
    expect(done!.labels).toMatchObject({ unknown: 0, waiting: 0, joined: count });
    await monitor.stop('SIGTERM');
  }, 120_000);
});
