/**
 * Signed lifecycle webhooks from the real orchestrator (child process) to a local
 * receiver that fails twice per incident and then accepts, and to one that is always
 * down (its deliveries end in the dead-letter topic with the reason). The open incidents
 * also reach a real Alertmanager, and resolve there when the retrain is answered.
 */
import type { ModelDeployed, RetrainCompleted } from '@vigil/contracts';
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, DEAD_LETTER_HEADERS, ensureTopics, registerContracts } from '@vigil/messaging';
import { Consumer, KafkaMessage, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySignature } from '../../apps/orchestrator/src/core/webhook-signature';
import { criticalAlert, EventProducer, OrchestratorProcess } from '../orchestrator/support';
import { freePort } from '../support/service-process';
import { deleteTopics, dropDatabase, eventually, testInfrastructure } from '../support/stack';
import { AmAlert, ExternalServer, json, startAlertmanager, stopServer } from './support';

const config = testInfrastructure('webhooks');
const topics = topicMap(config.topicPrefix);
const MIN = 60_000;
const SECRET = `secret-${randomUUID()}`;
// 3 consecutive CRITICAL alerts open an incident (as in test/orchestrator).
const policies = { defaults: { retrain: { performance: { consecutiveCritical: 3, sustainedSeconds: 86400 }, cooldownSeconds: 0, maxPerDay: 10 } } };

function deployed(modelId: string): ModelDeployed {
  return { eventId: randomUUID(), modelId, version: 'v1', deployedAt: new Date(Date.now() - 48 * 60 * MIN), reason: 'initial', incidentId: null, artifactUri: null };
}

interface Delivery {
  path: string;
  incidentId: string;
  verified: boolean;
  status: number;
  body: { type: string; incidentId: string; modelId: string; event: { incidentId: string } };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

describe('signed lifecycle webhooks', () => {
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
  const registry = createSchemaRegistry(config.schemaRegistry);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-webhooks-'));
  const secretFile = join(dir, 'webhook.secret');
  const policyPath = join(dir, 'policies.json');
  const deliveries: Delivery[] = [];
  const deadLetters: KafkaMessage[] = [];
  let receiver: Server;
  let orchestrator: OrchestratorProcess;
  let producer: Producer;
  let deadLetterReader: Consumer;
  let events: EventProducer;
  let alertmanager: ExternalServer;

  beforeAll(async () => {
    writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
    writeFileSync(policyPath, JSON.stringify(policies));
    const attempts = new Map<string, number>();
    receiver = createServer((request, response) => {
      void readBody(request).then((raw) => {
        const incidentId = String(request.headers['idempotency-key']);
        const verified = verifySignature(SECRET, String(request.headers['vigil-signature']), raw, Math.floor(Date.now() / 1000));
        const path = request.url ?? '';
        const n = (attempts.get(`${path} ${incidentId}`) ?? 0) + 1;
        attempts.set(`${path} ${incidentId}`, n);
        // /flaky: 503 on the first two attempts of each incident, then 200. /down: always 503.
        const status = path === '/flaky' && n > 2 ? 200 : 503;
        deliveries.push({ path, incidentId, verified, status, body: JSON.parse(raw) as Delivery['body'] });
        response.writeHead(status).end();
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));

    alertmanager = await startAlertmanager(dir, `vigil-test-${config.runId}`);
    await ensureTopics(kafka, topics, { partitions: 2 });
    const schemaIds = await registerContracts(registry, topics);
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    events = new EventProducer(producer, registry, topics, schemaIds);
    deadLetterReader = kafka.consumer({ groupId: `test-dlq-${config.runId}`, readUncommitted: false });
    await deadLetterReader.connect();
    await deadLetterReader.subscribe({ topics: [topics.deadLetter], fromBeginning: true });
    await deadLetterReader.run({ eachMessage: async ({ message }) => void deadLetters.push(message) });

    orchestrator = new OrchestratorProcess(config, await freePort(), {
      ORCHESTRATOR_POLICIES: policyPath,
      ORCHESTRATOR_WEBHOOK_URLS: `http://127.0.0.1:${port}/flaky,http://127.0.0.1:${port}/down`,
      ORCHESTRATOR_WEBHOOK_SECRET_FILE: secretFile,
      // 3 retries from 50 ms up to 200 ms: the always-down receiver is dead-lettered within about a second.
      ORCHESTRATOR_WEBHOOK_RETRIES: '3',
      ORCHESTRATOR_WEBHOOK_RETRY_INITIAL_MS: '50',
      ORCHESTRATOR_WEBHOOK_RETRY_MAX_MS: '200',
      ALERTMANAGER_URL: alertmanager.url,
      ALERTMANAGER_RESEND_MS: '1000',
      LOG_LEVEL: 'log',
    });
    await orchestrator.startAndWait();
  });

  afterAll(async () => {
    await orchestrator?.stop();
    await stopServer(alertmanager);
    await deadLetterReader?.disconnect();
    await producer?.disconnect();
    await new Promise((resolve) => receiver?.close(resolve));
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers each incident once after two failures, signed, keyed by the incident id; dead-letters what never arrives', async () => {
    const models = ['wh-a', 'wh-b'];
    const since = new Date(Date.now() - 30 * MIN);
    for (const model of models) await events.send('modelDeployed', model, [deployed(model)]);
    // Let the deployments land before the alerts (topics are consumed independently).
    await eventually(
      () => orchestrator.get<{ decisions: unknown[] }>(`/models/wh-b/decisions`),
      (r) => r.body.decisions.length === 1,
    );
    for (const model of models)
      await events.send(
        'alerts',
        model,
        [1, 2, 3].map((n) => criticalAlert(model, 'v1', `${model}-a${n}`, since)),
      );

    const accepted = await eventually(
      async () => deliveries.filter((d) => d.status === 200),
      (d) => d.length === 2,
      60_000,
    );
    // The always-down destination: 1 try + 3 retries per incident, then a dead letter each.
    const dead = await eventually(
      async () => deadLetters.filter((m) => m.headers?.[DEAD_LETTER_HEADERS.reason]?.toString() === 'webhook_undelivered'),
      (d) => d.length === 2,
      30_000,
    );
    // Anything late (a wrong second delivery) has time to arrive before counting.
    await new Promise((r) => setTimeout(r, 1_500));

    expect(deliveries.every((d) => d.verified)).toBe(true);
    expect(
      deliveries
        .filter((d) => d.status === 200)
        .map((d) => d.body.modelId)
        .sort(),
    ).toEqual(models);
    for (const d of accepted) {
      expect(d.path).toBe('/flaky');
      expect(d.body.type).toBe('RetrainRequested');
      expect(d.incidentId).toBe(d.body.incidentId);
      expect(d.body.event.incidentId).toBe(d.incidentId);
      // Two 503s before the accepted attempt, for this incident only.
      expect(deliveries.filter((x) => x.path === '/flaky' && x.incidentId === d.incidentId).map((x) => x.status)).toEqual([503, 503, 200]);
    }
    expect(deliveries.filter((d) => d.path === '/down').length).toBe(2 * 4);
    expect(dead.map((m) => m.headers?.['idempotency-key']?.toString()).sort()).toEqual(accepted.map((d) => d.incidentId).sort());
    expect(dead.map((m) => JSON.parse(m.value!.toString()).type)).toEqual(['RetrainRequested', 'RetrainRequested']);

    const metrics = await orchestrator.metrics();
    expect(metrics).toMatch(/vigil_webhook_deliveries_total\{destination="127\.0\.0\.1:\d+\/flaky",outcome="delivered"\} 2/);
    // Two retried attempts per incident on /flaky.
    expect(metrics).toMatch(/vigil_webhook_deliveries_total\{destination="127\.0\.0\.1:\d+\/flaky",outcome="retried"\} 4/);
    expect(metrics).toMatch(/vigil_webhook_deliveries_total\{destination="127\.0\.0\.1:\d+\/down",outcome="undelivered"\} 2/);
    // The secret is in no log line, and its file is private.
    expect(orchestrator.output).not.toContain(SECRET);
    expect(statSync(secretFile).mode & 0o077).toBe(0);
  });

  it('posts each open incident to Alertmanager and resolves it when the retrain is answered', async () => {
    const lifecycle = await eventually(
      async () => ((await json<AmAlert[]>(`${alertmanager.url}/api/v2/alerts`)) ?? []).filter((a) => a.labels.alertname === 'VigilLifecycleRequest'),
      (list) => list.length === 2,
      30_000,
    );
    const delivered = deliveries.filter((d) => d.status === 200);
    expect(lifecycle.map((a) => a.labels.incident).sort()).toEqual(delivered.map((d) => d.incidentId).sort());
    for (const a of lifecycle) expect(a.labels).toMatchObject({ version: 'v1', rule: 'retrain_requested', severity: 'critical', service: 'vigil-orchestrator' });
    const a = delivered.find((d) => d.body.modelId === 'wh-a')!;
    const completed: RetrainCompleted = { eventId: randomUUID(), incidentId: a.incidentId, modelId: 'wh-a', newVersion: 'v2', completedAt: new Date(), succeeded: true };
    await events.send('retrainCompleted', 'wh-a', [completed]);
    // Resolved alerts leave Alertmanager's list of alerts; wh-b's incident stays open.
    const left = await eventually(
      async () => ((await json<AmAlert[]>(`${alertmanager.url}/api/v2/alerts`)) ?? []).filter((x) => x.labels.alertname === 'VigilLifecycleRequest'),
      (list) => list.length === 1,
      30_000,
    );
    expect(left[0].labels.model).toBe('wh-b');
    expect(await orchestrator.metrics()).toMatch(/vigil_model_open_incidents\{model="wh-b",version="v1",action="retrain"\} 1/);
  });
});
