/**
 * The orchestrator end to end, as a child process against the real Kafka, Apicurio
 * and ClickHouse: input events are produced as Avro with kafkajs, requests are read
 * back with a read_committed consumer, state is checked through the HTTP API.
 */
import type { MetricSnapshot, ModelDeployed, RetrainCompleted } from '@vigil/contracts';
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { createClickHouse, sql } from '@vigil/storage';
import { Consumer, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteTopics, dropDatabase, eventually, testInfrastructure } from '../support/stack';
import { freePort } from '../support/service-process';
import { collectRequests, criticalAlert, EventProducer, OrchestratorProcess, ProducedRequest, sleep } from './support';

const config = testInfrastructure('orchestrator');
const topics = topicMap(config.topicPrefix);
const MIN = 60_000;

// Test policy: 3 consecutive CRITICAL alerts; no cooldown so the closed-loop scenario can
// request again at once; rollback after ≥ 200 labelled each side, drop ≥ 0.03, p < 0.01.
const policies = {
  defaults: {
    retrain: { performance: { consecutiveCritical: 3, sustainedSeconds: 86400 }, cooldownSeconds: 0, maxPerDay: 10 },
    rollback: { probationSeconds: 3600, minSampleSize: 200, margin: 0.03, alpha: 0.01 },
  },
};

interface AuditRow {
  outcome: string;
  reasons: string[];
  source_event_id: string;
  incident_id: string | null;
}
interface IncidentView {
  incidentId: string;
  modelVersion: string;
  action: string;
  status: string;
  requestStatus: string;
  resolution: string;
  requestEventId: string;
}

function snapshot(modelId: string, version: string, windowStart: number, labelled: number, accuracy: number): MetricSnapshot {
  return {
    eventId: randomUUID(),
    modelId,
    modelVersion: version,
    segmentKey: '',
    segmentValue: '',
    windowStart: new Date(windowStart),
    windowEnd: new Date(windowStart + 5 * MIN),
    predictionCount: labelled,
    labelledCount: labelled,
    metrics: { accuracy },
  };
}

function deployed(modelId: string, version: string, deployedAt: Date, reason: string, incidentId: string | null = null): ModelDeployed {
  return { eventId: randomUUID(), modelId, version, deployedAt, reason, incidentId, artifactUri: `s3://models/${modelId}/${version}` };
}

describe('lifecycle orchestrator', () => {
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
  const registry = createSchemaRegistry(config.schemaRegistry);
  const policyDir = mkdtempSync(join(tmpdir(), 'vigil-orchestrator-'));
  const policyPath = join(policyDir, 'policies.json');
  let orchestrator: OrchestratorProcess;
  let producer: Producer;
  let events: EventProducer;
  let reader: Consumer;
  let requests: ProducedRequest[];

  const requestsFor = (modelId: string) => requests.filter((r) => r.value.modelId === modelId);
  const decisions = async (modelId: string) => (await orchestrator.get<{ decisions: AuditRow[] }>(`/models/${modelId}/decisions?limit=1000`)).body.decisions;
  const incidents = async (modelId: string) => (await orchestrator.get<{ incidents: IncidentView[] }>(`/models/${modelId}/incidents`)).body.incidents;
  const outcomes = async (modelId: string) => (await decisions(modelId)).map((d) => d.outcome).sort();

  beforeAll(async () => {
    writeFileSync(policyPath, JSON.stringify(policies));
    await ensureTopics(kafka, topics, { partitions: 2 });
    const schemaIds = await registerContracts(registry, topics);
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    events = new EventProducer(producer, registry, topics, schemaIds);
    ({ consumer: reader, requests } = await collectRequests(kafka, registry, topics, `test-reader-${config.runId}`));
    orchestrator = new OrchestratorProcess(config, await freePort(), { ORCHESTRATOR_POLICIES: policyPath });
    await orchestrator.startAndWait();
  });

  afterAll(async () => {
    await orchestrator?.stop();
    await reader?.disconnect();
    await producer?.disconnect();
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
    rmSync(policyDir, { recursive: true, force: true });
  });

  it('turns sustained accuracy alerts into exactly one RetrainRequested, through duplicates and a kill -9', async () => {
    const model = 'm-sustained';
    const since = new Date(Date.now() - 30 * MIN);
    const [a1, a2, a3, a4] = [1, 2, 3, 4].map((n) => criticalAlert(model, 'v1', `${model}-a${n}`, since));
    await events.send('modelDeployed', model, [deployed(model, 'v1', new Date(Date.now() - 48 * 60 * MIN), 'initial')]);
    // Topics are consumed independently: let the deployment land before the alerts.
    await eventually(
      () => outcomes(model),
      (o) => o.length === 1,
    );
    await events.send('alerts', model, [a1, a1, a2]);
    // deployment_recorded + 2 evidence_recorded + 1 duplicate_event.
    await eventually(
      () => outcomes(model),
      (o) => o.length === 4,
    );
    expect(await outcomes(model)).toEqual(['deployment_recorded', 'duplicate_event', 'evidence_recorded', 'evidence_recorded']);

    await orchestrator.kill();
    await orchestrator.startAndWait();
    // Redelivered/duplicated a1, a2, then the third observation, then more of the same.
    await events.send('alerts', model, [a1, a2, a3, a3, a4]);
    await eventually(
      () => Promise.resolve(requestsFor(model)),
      (r) => r.length >= 1,
    );
    // Let any (wrong) second request arrive before counting.
    await eventually(
      () => outcomes(model),
      (o) => o.filter((x) => x !== 'duplicate_event').length >= 5 && o.length >= 9,
    );
    await sleep(2000);

    expect(requestsFor(model)).toHaveLength(1);
    const [request] = requestsFor(model);
    expect(request.topic).toBe('retrain');
    const retrain = request.value as import('@vigil/contracts').RetrainRequested;
    expect(retrain).toMatchObject({ modelId: model, modelVersion: 'v1', reason: '3 consecutive CRITICAL performance observations (policy: 3)', policy: 'builtin+file:defaults' });
    // One evidence entry per counted alert (a1, a2, a3), as the monitor sent them.
    expect(retrain.evidence).toHaveLength(3);
    expect(retrain.evidence[0]).toMatchObject({ metric: 'accuracy', value: 0.62, threshold: 0.8, baseline: 0.91, sampleSize: 400 });

    const [incident] = await incidents(model);
    expect(incident).toMatchObject({ incidentId: retrain.incidentId, status: 'open', requestStatus: 'produced', requestEventId: retrain.eventId, action: 'retrain' });
    const audit = await decisions(model);
    // deployment, a1, dup a1, a2 before the kill; a1, a2 (dups), a3 (request), a3 dup, a4 (incident open) after.
    // If the kill landed before the last batch's transaction committed, that batch is redelivered too:
    // more duplicate_event rows, never another decision.
    expect(
      audit
        .map((d) => d.outcome)
        .filter((o) => o !== 'duplicate_event')
        .sort(),
    ).toEqual(['deployment_recorded', 'evidence_recorded', 'evidence_recorded', 'incident_already_open', 'retrain_requested']);
    expect(audit.filter((d) => d.outcome === 'duplicate_event').length).toBeGreaterThanOrEqual(4);
    const requested = audit.find((d) => d.outcome === 'retrain_requested')!;
    expect(requested).toMatchObject({ source_event_id: a3.alertId, incident_id: retrain.incidentId, reasons: ['3 consecutive CRITICAL performance observations (policy: 3)'] });
    expect(audit.find((d) => d.outcome === 'incident_already_open')!.reasons[0]).toContain(`incident ${retrain.incidentId}`);
  });

  it('asks to roll back a deployment that performs significantly worse than the previous version', async () => {
    const model = 'm-rollback';
    const now = Date.now();
    const v2At = now - 20 * MIN;
    await events.send('modelDeployed', model, [deployed(model, 'v1', new Date(now - 5 * 60 * MIN), 'initial')]);
    // v1 before v2: 2 × 200 labelled at 0.90 → 360/400.
    await events.send('metricSnapshots', model, [snapshot(model, 'v1', v2At - 15 * MIN, 200, 0.9), snapshot(model, 'v1', v2At - 10 * MIN, 200, 0.9)]);
    await eventually(
      () => outcomes(model),
      (o) => o.length === 3,
    );
    await events.send('modelDeployed', model, [deployed(model, 'v2', new Date(v2At), 'retrain')]);
    await eventually(
      () => outcomes(model),
      (o) => o.length === 4,
    );
    // v2: 300 labelled at 0.80 → 240/300: z = 3.741657, one-sided p = 9.14e-5 (z-test.spec.ts) < 0.01, drop 0.10 ≥ 0.03.
    await events.send('metricSnapshots', model, [snapshot(model, 'v2', v2At + MIN, 300, 0.8)]);
    await eventually(
      () => Promise.resolve(requestsFor(model)),
      (r) => r.length >= 1,
    );

    const [request] = requestsFor(model);
    expect(request.topic).toBe('rollback');
    expect(request.value).toMatchObject({ modelId: model, fromVersion: 'v2', toVersion: 'v1' });
    expect(request.value.reason).toContain('drop 0.1, z=3.7417, one-sided p=0.0000914');
    expect(request.value.evidence.map((e) => [e.metric, e.value, e.sampleSize])).toEqual([
      ['accuracy', 0.8, 300],
      ['accuracy_baseline', 0.9, 400],
      ['two_proportion_z_p_value', expect.closeTo(9.1405e-5, 8), 700],
    ]);

    // The deployer answers: v1 back (reason rollback, naming the incident) → incident closed.
    await events.send('modelDeployed', model, [deployed(model, 'v1', new Date(), 'rollback', request.value.incidentId)]);
    await eventually(
      () => incidents(model),
      (list) => list[0]?.status === 'closed',
    );
    expect((await incidents(model))[0]).toMatchObject({ incidentId: request.value.incidentId, resolution: 'deployment of v1 (rollback)', action: 'rollback' });
    const champion = await orchestrator.get<{ champion: { version: string; reason: string }; previous: { version: string } }>(`/models/${model}`);
    expect(champion.body).toMatchObject({ champion: { version: 'v1', reason: 'rollback' }, previous: { version: 'v2' } });
  });

  it('closes the incident on RetrainCompleted + ModelDeployed, and a later degradation opens a new one', async () => {
    const model = 'm-loop';
    const since = new Date(Date.now() - 10 * MIN);
    await events.send('modelDeployed', model, [deployed(model, 'v1', new Date(Date.now() - 48 * 60 * MIN), 'initial')]);
    await eventually(
      () => outcomes(model),
      (o) => o.length === 1,
    );
    await events.send(
      'alerts',
      model,
      [1, 2, 3].map((n) => criticalAlert(model, 'v1', `${model}-v1-a${n}`, since)),
    );
    await eventually(
      () => Promise.resolve(requestsFor(model)),
      (r) => r.length === 1,
    );
    const first = requestsFor(model)[0].value;

    const completed: RetrainCompleted = { eventId: randomUUID(), incidentId: first.incidentId, modelId: model, newVersion: 'v2', completedAt: new Date(), succeeded: true };
    await events.send('retrainCompleted', model, [completed]);
    await eventually(
      () => incidents(model),
      (list) => list[0]?.status === 'closed',
    );
    expect((await incidents(model))[0].resolution).toBe('retrain completed (new version v2)');
    await events.send('modelDeployed', model, [deployed(model, 'v2', new Date(), 'retrain', first.incidentId)]);
    await eventually(
      () => outcomes(model),
      (o) => o.filter((x) => x === 'deployment_recorded').length === 2,
    );

    // v2 degrades later: a new incident on v2, a new request.
    await events.send(
      'alerts',
      model,
      [1, 2, 3].map((n) => criticalAlert(model, 'v2', `${model}-v2-a${n}`, new Date())),
    );
    await eventually(
      () => Promise.resolve(requestsFor(model)),
      (r) => r.length === 2,
    );
    const second = requestsFor(model)[1].value as import('@vigil/contracts').RetrainRequested;
    expect(second.modelVersion).toBe('v2');
    expect(second.incidentId).not.toBe(first.incidentId);
    const list = await incidents(model);
    expect(list.map((i) => [i.modelVersion, i.status])).toEqual([
      ['v1', 'closed'],
      ['v2', 'open'],
    ]);
    const audit = await decisions(model);
    expect(audit.filter((d) => d.outcome === 'incident_closed').map((d) => d.reasons[0])).toEqual(['incident on v1 closed by retrain completed (new version v2)']);
  });

  it('answers "what was in production on date X" from the deployment history', async () => {
    const model = 'm-history';
    await events.send('modelDeployed', model, [
      deployed(model, 'v1', new Date('2026-01-01T00:00:00Z'), 'initial'),
      deployed(model, 'v2', new Date('2026-02-01T00:00:00Z'), 'retrain'),
    ]);
    const viaHttp = await orchestrator.send<{ deployment: { version: string } }>('POST', `/models/${model}/deployments`, {
      version: 'v1',
      deployedAt: '2026-02-03T12:00:00Z',
      reason: 'rollback',
    });
    expect(viaHttp.status).toBe(201);
    await orchestrator.send('POST', `/models/${model}/deployments`, { version: 'v3', deployedAt: '2026-03-01T00:00:00Z', reason: 'retrain' });
    await eventually(
      async () => (await orchestrator.get<{ deployments: unknown[] }>(`/models/${model}/history`)).body.deployments,
      (d) => d.length === 4,
    );

    const at = async (iso: string) => orchestrator.get<{ version?: string; reason?: string }>(`/models/${model}/champion?at=${iso}`);
    expect((await at('2025-12-31T23:59:59Z')).status).toBe(404);
    expect((await at('2026-01-01T00:00:00Z')).body.version).toBe('v1');
    expect((await at('2026-02-02T00:00:00Z')).body.version).toBe('v2');
    expect((await at('2026-02-03T12:00:00Z')).body).toMatchObject({ version: 'v1', reason: 'rollback' });
    expect((await at('2026-02-28T23:59:59.999Z')).body.version).toBe('v1');
    expect((await at('2026-03-01T00:00:00Z')).body.version).toBe('v3');
    expect((await at('not-a-date')).status).toBe(400);
    const history = await orchestrator.get<{ deployments: { version: string; reason: string }[] }>(`/models/${model}/history`);
    expect(history.body.deployments.map((d) => `${d.version}:${d.reason}`)).toEqual(['v1:initial', 'v2:retrain', 'v1:rollback', 'v3:retrain']);
  });

  it('validates and applies a policy override over HTTP', async () => {
    const model = 'm-policy';
    const bad = await orchestrator.send<{ message: string }>('PUT', `/models/${model}/policy`, { retrain: { maxPerDay: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('"retrain.maxPerDay" must be greater than or equal to 0');
    const ok = await orchestrator.send<{ name: string; policy: { retrain: { enabled: boolean } } }>('PUT', `/models/${model}/policy`, { retrain: { enabled: false } });
    expect(ok.body).toMatchObject({ name: 'builtin+file:defaults+api:m-policy', policy: { retrain: { enabled: false } } });
    await events.send(
      'alerts',
      model,
      [1, 2, 3].map((n) => criticalAlert(model, 'v1', `${model}-a${n}`, new Date())),
    );
    await eventually(
      () => outcomes(model),
      (o) => o.length === 3,
    );
    const audit = await decisions(model);
    expect(audit.find((d) => d.outcome === 'no_action')!.reasons).toEqual(['3 consecutive CRITICAL performance observations (policy: 3)', 'retrain is disabled by the policy']);
    expect(requestsFor(model)).toHaveLength(0);
  });

  const requestStatusInClickHouse = async (modelId: string) => {
    const clickhouse = createClickHouse(config.clickhouse);
    try {
      const result = await clickhouse.query({ query: sql`SELECT request_status FROM incidents FINAL WHERE model_id = ${modelId}`, format: 'JSONEachRow' });
      return (await result.json<{ request_status: string }>()).map((r) => r.request_status);
    } finally {
      await clickhouse.close();
    }
  };

  it('produces the request exactly once when the process dies between persisting the incident and producing', async () => {
    const model = 'm-crash-persisted';
    await orchestrator.stop();
    await orchestrator.startAndWait({}, 'exit-after-persist');
    await events.send(
      'alerts',
      model,
      [1, 2, 3].map((n) => criticalAlert(model, 'v1', `${model}-a${n}`, new Date())),
    );
    expect(await orchestrator.exited()).toBe(137);
    // Persisted first: the incident exists, its request is pending and not on Kafka.
    expect(await requestStatusInClickHouse(model)).toEqual(['pending']);
    await sleep(1000);
    expect(requestsFor(model)).toHaveLength(0);

    await orchestrator.startAndWait();
    // The pending incident is recovered at start and committed together with the offset after
    // the alert that opened it; a later alert finds the incident open.
    await eventually(
      () => Promise.resolve(requestsFor(model)),
      (r) => r.length >= 1,
    );
    await eventually(
      () => incidents(model),
      (list) => list[0]?.requestStatus === 'produced',
    );
    await events.send('alerts', model, [criticalAlert(model, 'v1', `${model}-a4`, new Date())]);
    await eventually(
      () => outcomes(model),
      (o) => o.includes('incident_already_open'),
    );
    await sleep(2000);
    expect(requestsFor(model)).toHaveLength(1);
    expect(requestsFor(model)[0].value.incidentId).toBe((await incidents(model))[0].incidentId);
    // a1–a3 were decided (and audited) before the exit and never redelivered: the recovery
    // transaction committed the offset after a3 with the request.
    expect(await outcomes(model)).toEqual(['evidence_recorded', 'evidence_recorded', 'incident_already_open', 'retrain_requested']);
  });

  it('does not produce the request again when the process dies after the transaction committed', async () => {
    const model = 'm-crash-committed';
    await orchestrator.stop();
    await orchestrator.startAndWait({}, 'exit-after-produce');
    await events.send(
      'alerts',
      model,
      [1, 2, 3].map((n) => criticalAlert(model, 'v1', `${model}-a${n}`, new Date())),
    );
    expect(await orchestrator.exited()).toBe(137);
    // On Kafka (committed together with the alert offsets) but still pending in ClickHouse.
    await eventually(
      () => Promise.resolve(requestsFor(model)),
      (r) => r.length === 1,
    );
    expect(await requestStatusInClickHouse(model)).toEqual(['pending']);

    await orchestrator.startAndWait();
    // Recovery sees the committed offset past the opening alert: marks it produced, sends nothing.
    await eventually(
      () => requestStatusInClickHouse(model),
      (s) => s[0] === 'produced',
    );
    await events.send('alerts', model, [criticalAlert(model, 'v1', `${model}-a4`, new Date())]);
    await eventually(
      () => outcomes(model),
      (o) => o.includes('incident_already_open'),
    );
    await sleep(2000);
    expect(requestsFor(model)).toHaveLength(1);
    const metrics = await (await fetch(`${orchestrator.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_orchestrator_decisions_total\{action="retrain",outcome="incident_already_open"\} 1/);
  });

  it('dead-letters an undecodable record and keeps deciding', async () => {
    const model = 'm-garbage';
    await producer.send({ topic: topics.alerts, messages: [{ key: model, value: Buffer.from('not avro at all') }] });
    await events.send('alerts', model, [criticalAlert(model, 'v1', `${model}-a1`, new Date())]);
    await eventually(
      () => outcomes(model),
      (o) => o.length === 1,
    );
    expect(await outcomes(model)).toEqual(['evidence_recorded']);

    const letters: { reason: string; topic: string; value: string }[] = [];
    const deadLetters = kafka.consumer({ groupId: `test-dead-letters-${config.runId}`, readUncommitted: false });
    await deadLetters.connect();
    await deadLetters.subscribe({ topic: topics.deadLetter, fromBeginning: true });
    await deadLetters.run({
      eachMessage: async ({ message }) => {
        letters.push({
          reason: String(message.headers?.['vigil-dead-letter-reason']),
          topic: String(message.headers?.['vigil-dead-letter-source-topic']),
          value: message.value!.toString(),
        });
      },
    });
    try {
      await eventually(
        () => Promise.resolve(letters),
        (l) => l.length >= 1,
      );
      expect(letters).toEqual([{ reason: 'undecodable', topic: topics.alerts, value: 'not avro at all' }]);
    } finally {
      await deadLetters.disconnect();
    }
  });

  it('dead-letters snapshots with non-finite metrics or negative sizes, naming the field, and keeps deciding', async () => {
    const model = 'm-nonfinite';
    const bad = [
      { ...snapshot(model, 'v1', Date.now(), 300, Number.NaN) },
      { ...snapshot(model, 'v1', Date.now(), 300, 0.9), metrics: { accuracy: Number.POSITIVE_INFINITY } },
      { ...snapshot(model, 'v1', Date.now(), 300, 0.9), labelledCount: -5 },
    ];
    await events.send('metricSnapshots', model, bad);
    await events.send('alerts', model, [criticalAlert(model, 'v1', `${model}-a1`, new Date())]);
    // Only the alert is decided: the three snapshots never reach the engine.
    await eventually(
      () => outcomes(model),
      (o) => o.length === 1,
    );
    expect(await outcomes(model)).toEqual(['evidence_recorded']);

    const letters: { reason: string; error: string }[] = [];
    const deadLetters = kafka.consumer({ groupId: `test-nonfinite-${config.runId}`, readUncommitted: false });
    await deadLetters.connect();
    await deadLetters.subscribe({ topic: topics.deadLetter, fromBeginning: true });
    await deadLetters.run({
      eachMessage: async ({ message }) => {
        if (String(message.headers?.['vigil-dead-letter-source-topic']) !== topics.metricSnapshots) return;
        letters.push({ reason: String(message.headers?.['vigil-dead-letter-reason']), error: String(message.headers?.['vigil-dead-letter-error']) });
      },
    });
    try {
      await eventually(
        () => Promise.resolve(letters),
        (l) => l.length >= 3,
      );
      expect(letters).toEqual([
        { reason: 'invalid-record', error: 'metrics.accuracy: must be a finite number, got NaN' },
        { reason: 'invalid-record', error: 'metrics.accuracy: must be a finite number, got Infinity' },
        { reason: 'invalid-record', error: 'labelledCount: must be a non-negative integer, got -5' },
      ]);
    } finally {
      await deadLetters.disconnect();
    }
  });
});
