/**
 * CBPE on the real stack (Kafka, registry, ClickHouse, the monitor as a process): a
 * calibrated model's inputs shift while their labels have not come yet. The estimated
 * accuracy alert is published before any label-based alert can be, its estimate is in
 * the snapshots analysts read, and once the labels come the realised accuracy agrees.
 */
import { Alert, ALERT_RULES, isAlertRule, topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { createClickHouse, sql } from '@vigil/storage';
import { Consumer, Producer } from 'kafkajs';
import { covariateShiftStream, scoresOf } from '../support/scored-stream';
import { deleteTopics, dropDatabase, eventually, testInfrastructure } from '../support/stack';
import { collectAlerts, event, freePort, LabelledEvent, MonitorProcess, monitorEnv, send, sendLabels } from './support';

const config = testInfrastructure('estimation');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);
const clickhouse = createClickHouse(config.clickhouse);

const MODEL = 'chargebacks';
const ONSET = 7000;
/** Labels of predictions 0 … 3999 come with the stationary traffic (the default estimationReferenceSize is 2 000). */
const LABELLED_BEFORE_SHIFT = 4000;
const N = 10_000;
const needsLabels = (a: Alert) => isAlertRule(a.rule) && ALERT_RULES[a.rule].needsLabels;

describe('CBPE in the running monitor, labels lagging (real Kafka, registry, ClickHouse)', () => {
  let monitor: MonitorProcess;
  let producer: Producer;
  let alertConsumer: Consumer;
  let alerts: Alert[];
  const events: LabelledEvent[] = covariateShiftStream(31, N, ONSET).map((e, i) => {
    const base = event(MODEL, i, e.predictedClass, e.trueClass);
    return { prediction: { ...base.prediction, numericFeatures: {}, categoricalFeatures: {}, scores: scoresOf(e) }, label: base.label };
  });

  const versionMetrics = async () => {
    const response = await monitor.tryGet<{ groups: { segmentKey: string; labelledCount: number; metrics: Record<string, number> }[] }>(`/models/${MODEL}/metrics`);
    return response?.status === 200 ? response.body.groups.find((g) => g.segmentKey === '') : undefined;
  };

  beforeAll(async () => {
    await ensureTopics(kafka, topics, { partitions: 2 });
    await registerContracts(registry, topics);
    producer = kafka.producer();
    await producer.connect();
    ({ consumer: alertConsumer, alerts } = await collectAlerts(kafka, registry, topics, `alerts-${config.runId}`));
    monitor = new MonitorProcess(
      monitorEnv(config, { MONITOR_GROUP_ID: `monitor-${config.runId}`, MONITOR_SNAPSHOT_INTERVAL_MS: '500', MONITOR_CHECKPOINT_INTERVAL_MS: '1000' }),
      await freePort(),
    );
    await monitor.startHealthy();
  });

  afterAll(async () => {
    await monitor.stop('SIGTERM');
    await Promise.all([producer.disconnect(), alertConsumer.disconnect()]);
    await clickhouse.close();
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
  });

  it('alerts on the estimated accuracy while the shifted predictions wait for labels, then the labels confirm it', async () => {
    // Stationary traffic with the labels of its first 4 000 predictions: the calibration (2 000 labels) completes.
    await send(producer, registry, topics, events.slice(0, ONSET), false);
    await sendLabels(producer, registry, topics, events.slice(0, LABELLED_BEFORE_SHIFT));
    await eventually(versionMetrics, (g) => g?.labelledCount === LABELLED_BEFORE_SHIFT, 90_000);
    expect(alerts.filter((a) => a.modelId === MODEL)).toEqual([]);

    // The shift, with no label: 3 000 predictions, 6 estimation windows of 500.
    await send(producer, registry, topics, events.slice(ONSET), false);
    const estimated = await eventually(
      async () => alerts.find((a) => a.modelId === MODEL && a.rule === 'estimated_accuracy_drop'),
      (a) => a !== undefined,
      90_000,
    );
    expect(alerts.filter((a) => a.modelId === MODEL && needsLabels(a))).toEqual([]);
    expect(estimated!.evidence[0]).toMatchObject({ metric: 'estimated_accuracy', sampleSize: 500 });
    // Threshold = the calibration reference's realised accuracy − maxEstimatedAccuracyDrop (0.1, the default).
    expect(estimated!.evidence[0].threshold).toBeCloseTo(estimated!.evidence[0].baseline! - 0.1, 12);

    // Analysts read the estimate and its band from the snapshots.
    const [snapshot] = await eventually(
      async () => {
        try {
          const result = await clickhouse.query({
            query: sql`SELECT metric_values[indexOf(metric_names, 'estimated_accuracy')] AS value,
                              metric_values[indexOf(metric_names, 'estimated_accuracy_lower')] AS lower,
                              metric_values[indexOf(metric_names, 'estimated_accuracy_upper')] AS upper
                       FROM metric_snapshots WHERE model_id = ${MODEL} AND segment_key = '' AND has(metric_names, 'estimated_accuracy')
                       ORDER BY window_end DESC, prediction_count DESC LIMIT 1`,
            format: 'JSONEachRow',
          });
          return await result.json<{ value: number; lower: number; upper: number }>();
        } catch {
          return [];
        }
      },
      (r) => r.length === 1 && r[0].value < estimated!.evidence[0].threshold!,
      60_000,
    );
    expect(snapshot.lower).toBeLessThan(snapshot.value);
    expect(snapshot.upper).toBeGreaterThan(snapshot.value);

    // The labels come: the realised metric follows, after the estimate.
    await sendLabels(producer, registry, topics, events.slice(LABELLED_BEFORE_SHIFT));
    const labelled = await eventually(
      async () => alerts.find((a) => a.modelId === MODEL && needsLabels(a)),
      (a) => a !== undefined,
      90_000,
    );
    expect(alerts.indexOf(labelled!)).toBeGreaterThan(alerts.indexOf(estimated!));
    // The realised accuracy of the 3 000 shifted predictions, from the test's own data, lies in the estimate's
    // ±3-sampling-error band widened by 3 standard errors of that realised share (sqrt(0.25 / 3000) = 0.0091).
    const shifted = events.slice(ONSET);
    const realised = shifted.filter((e) => e.prediction.predictedClass === e.label.trueClass).length / shifted.length;
    expect(realised).toBeGreaterThan(snapshot.lower - 3 * 0.0092);
    expect(realised).toBeLessThan(snapshot.upper + 3 * 0.0092);
  });
});
