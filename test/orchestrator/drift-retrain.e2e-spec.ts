/**
 * A drift-only incident, through both real services: the monitor's dataset_drift episode
 * on an important feature persists (WARNING, then CRITICAL from its second alert: the
 * ALERT_RULES table), and the orchestrator's drift policy turns it into exactly one
 * RetrainRequested. No label is ever sent, so no performance rule can speak.
 */
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { Consumer, Producer } from 'kafkajs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { event, MonitorProcess, monitorEnv, prng, send } from '../monitor/support';
import { freePort } from '../support/service-process';
import { deleteTopics, dropDatabase, eventually, testInfrastructure } from '../support/stack';
import { collectRequests, OrchestratorProcess, ProducedRequest, sleep } from './support';

const config = testInfrastructure('drift_retrain');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);
const MODEL = 'drifting';

describe('drift-only incident → exactly one RetrainRequested (monitor + orchestrator processes)', () => {
  let monitor: MonitorProcess;
  let orchestrator: OrchestratorProcess;
  let producer: Producer;
  let requestConsumer: Consumer;
  let requests: ProducedRequest[];
  const policyDir = mkdtempSync(join(tmpdir(), 'vigil-drift-'));

  beforeAll(async () => {
    await ensureTopics(kafka, topics, { partitions: 2 });
    await registerContracts(registry, topics);
    const policyFile = join(policyDir, 'policies.json');
    writeFileSync(policyFile, JSON.stringify({ defaults: { retrain: { drift: { importantFeatures: ['amount'], consecutiveCritical: 2 } } } }));
    monitor = new MonitorProcess(
      monitorEnv(config, { MONITOR_GROUP_ID: `monitor-${config.runId}`, MONITOR_SNAPSHOT_INTERVAL_MS: '300', MONITOR_CHECKPOINT_INTERVAL_MS: '1000' }),
      await freePort(),
    );
    orchestrator = new OrchestratorProcess(config, await freePort(), { ORCHESTRATOR_POLICIES: policyFile });
    await monitor.startHealthy();
    await orchestrator.startAndWait();
    producer = kafka.producer();
    await producer.connect();
    ({ consumer: requestConsumer, requests } = await collectRequests(kafka, registry, topics, `requests-${config.runId}`));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([monitor?.stop(), orchestrator?.stop()]);
    await Promise.all([producer?.disconnect(), requestConsumer?.disconnect()]);
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
    rmSync(policyDir, { recursive: true, force: true });
  }, 60_000);

  it('opens one retrain incident with the drift evidence, and no second one while the drift lasts', async () => {
    // 400 predictions form the production reference; drift windows of 200. Share threshold 0.3:
    // amount alone is 1 of the 3 tested columns (amount, channel, @prediction). reAlertIntervalMs 0:
    // each window that still drifts repeats the episode's alert.
    const configured = await monitor.put(`/models/${MODEL}/config`, { referenceSize: 400, driftWindow: 200, driftShareThreshold: 0.3, reAlertIntervalMs: 0 });
    expect(configured.status).toBe(200);
    const rand = prng(5);
    const predictions = (from: number, count: number, shift: number) =>
      Array.from({ length: count }, (_, k) => event(MODEL, from + k, 'yes', 'yes', rand() * 100 + shift, rand() < 0.3 ? 'web' : 'app'));
    await send(producer, registry, topics, predictions(0, 400, 0), false);
    // 6 shifted windows: WARNING at the 2nd (driftPersistence 2), CRITICAL at the 3rd and 4th → the request, then 2 more.
    await send(producer, registry, topics, predictions(400, 1200, 50), false);
    await eventually(
      async () => requests.length,
      (n) => n >= 1,
      60_000,
    );
    // Later CRITICAL drift alerts of the same episode find the incident open.
    await sleep(3000);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request.topic).toBe('retrain');
    expect(request.value).toMatchObject({ modelId: MODEL, modelVersion: 'v1', reason: 'critical drift on important feature(s) amount in 2 consecutive observations' });
    expect(request.value.evidence.some((e) => e.feature === 'amount' && e.metric.startsWith('drift.'))).toBe(true);
  });
});
