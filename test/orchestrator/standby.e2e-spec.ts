/**
 * Two orchestrator processes with the same configuration against the real Kafka, Apicurio
 * and ClickHouse: one is active, the other a hot standby (docs/orchestrator.md "Active and
 * standby"). kill -9 of the active, and a pause of it beyond the session timeout, hand the
 * work to the standby; every incident yields exactly one request, read back read_committed,
 * and every incident row in ClickHouse is produced.
 */
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { createClickHouse, sql } from '@vigil/storage';
import { Consumer, Producer } from 'kafkajs';
import { hostname } from 'node:os';
import { freePort } from '../support/service-process';
import { deleteTopics, dropDatabase, eventually, queryRows, testInfrastructure } from '../support/stack';
import { collectRequests, criticalAlert, EventProducer, OrchestratorProcess, ProducedRequest, RoleHealth, roleOf, sleep } from './support';

const config = testInfrastructure('orchestrator_standby');
const topics = topicMap(config.topicPrefix);
/** ORCHESTRATOR_SESSION_TIMEOUT_MS of both processes (test/orchestrator/support.ts): the broker's minimum session. */
const SESSION_TIMEOUT_MS = 6_000;
/**
 * Beyond the session timeout, a takeover is: the lease group's rebalance, the producer's
 * InitProducerId (fencing), the state reload, recovery and the lifecycle group's join. 15 s
 * covers them on the 2-core machine shared with other jobs (measured below, and printed).
 */
const TAKEOVER_MARGIN_MS = 15_000;
/** How long the counts must stay put once a request arrived: ten heartbeat intervals of the processes (600 ms each). */
const SETTLE_MS = 6_000;

interface Standby503 {
  message: string;
  role: string;
  active: string | null;
}

describe('orchestrator hot standby', () => {
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
  const registry = createSchemaRegistry(config.schemaRegistry);
  const clickhouse = createClickHouse(config.clickhouse);
  let a: OrchestratorProcess;
  let b: OrchestratorProcess;
  let producer: Producer;
  let events: EventProducer;
  let reader: Consumer;
  let requests: ProducedRequest[];

  const requestsFor = (modelId: string) => requests.filter((r) => r.value.modelId === modelId);
  const waitForRole = (orchestrator: OrchestratorProcess, done: (h: RoleHealth) => boolean, timeoutMs = 60_000) =>
    eventually(
      () => roleOf(orchestrator),
      (h) => done(h) || !orchestrator.running,
      timeoutMs,
    );
  const isActive = (h: RoleHealth) => h.role === 'active' && h.consumer === 'running';
  const isStandby = (h: RoleHealth) => h.role === 'standby' && h.consumer === 'standby';

  /** Opens one incident and waits for its request; then checks that no second one follows. */
  async function incidentYieldsOneRequest(modelId: string): Promise<void> {
    await events.send(
      'alerts',
      modelId,
      [1, 2, 3].map((n) => criticalAlert(modelId, 'v1', `${modelId}-a${n}`)),
    );
    await eventually(
      async () => requestsFor(modelId).length,
      (n) => n >= 1,
      90_000,
    );
    await sleep(SETTLE_MS);
    expect(requestsFor(modelId)).toHaveLength(1);
  }

  beforeAll(async () => {
    await ensureTopics(kafka, topics, { partitions: 2 });
    const schemaIds = await registerContracts(registry, topics);
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    events = new EventProducer(producer, registry, topics, schemaIds);
    ({ consumer: reader, requests } = await collectRequests(kafka, registry, topics, `test-reader-${config.runId}`));
    // One configuration (group, transactional id, topics, database) for both, as two replicas of one deployment.
    a = new OrchestratorProcess(config, await freePort(), {});
    b = new OrchestratorProcess(config, await freePort(), {});
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await reader?.disconnect();
    await producer?.disconnect();
    await clickhouse.close();
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
  });

  it('started at once, exactly one of two instances becomes active', async () => {
    a.start();
    b.start();
    const [ha, hb] = await Promise.all([waitForRole(a, (h) => isActive(h) || isStandby(h)), waitForRole(b, (h) => isActive(h) || isStandby(h))]);
    expect([ha.role, hb.role].sort()).toEqual(['active', 'standby']);
    // And it stays so: sampled every 200 ms over two session timeouts, never both active.
    const until = Date.now() + 2 * SESSION_TIMEOUT_MS;
    while (Date.now() < until) {
      const [ra, rb] = await Promise.all([roleOf(a), roleOf(b)]);
      expect([ra.role, rb.role].filter((r) => r === 'active')).toHaveLength(1);
      await sleep(200);
    }
    // A graceful stop of both (SIGTERM: each leaves its groups).
    await Promise.all([a.stop(), b.stop()]);
  });

  it('a standby takes over within the session timeout after kill -9, and every incident has exactly one request', async () => {
    await a.startAndWait();
    expect(isActive(await roleOf(a))).toBe(true);
    b.start();
    expect(isStandby(await waitForRole(b, isStandby))).toBe(true);
    // The standby's models API refuses with the active instance's name (its hostname and HTTP port).
    const refused = await b.get<Standby503>('/models/m-any/incidents');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ role: 'standby', active: `${hostname()}:${a.port}` });
    expect(await b.metrics()).toMatch(/vigil_orchestrator_role\{role="standby"\} 1/);
    expect(await a.metrics()).toMatch(/vigil_orchestrator_role\{role="active"\} 1/);

    await incidentYieldsOneRequest('m-before-kill');
    expect(isStandby(await roleOf(b))).toBe(true);

    const killedAt = Date.now();
    await a.kill();
    // Sent while no instance is active: the new active decides them.
    await events.send(
      'alerts',
      'm-during-takeover',
      [1, 2, 3].map((n) => criticalAlert('m-during-takeover', 'v1', `m-during-takeover-a${n}`)),
    );
    expect(isActive(await waitForRole(b, isActive, SESSION_TIMEOUT_MS + TAKEOVER_MARGIN_MS + 5_000))).toBe(true);
    const takeoverMs = Date.now() - killedAt;
    console.log(`standby takeover after kill -9 of the active: ${takeoverMs} ms (session timeout ${SESSION_TIMEOUT_MS} ms)`);
    expect(takeoverMs).toBeLessThan(SESSION_TIMEOUT_MS + TAKEOVER_MARGIN_MS);
    await eventually(
      async () => requestsFor('m-during-takeover').length,
      (n) => n >= 1,
      60_000,
    );
    await incidentYieldsOneRequest('m-after-kill');
    expect(requestsFor('m-during-takeover')).toHaveLength(1);

    // A supervisor restarts the killed one: it comes back as the standby.
    a.start();
    expect(isStandby(await waitForRole(a, isStandby))).toBe(true);
  });

  it('an active paused beyond the session timeout is replaced, and exits when it resumes', async () => {
    expect(isActive(await roleOf(b))).toBe(true);
    const pausedAt = Date.now();
    b.signal('SIGSTOP');
    expect(isActive(await waitForRole(a, isActive, SESSION_TIMEOUT_MS + TAKEOVER_MARGIN_MS + 5_000))).toBe(true);
    console.log(`standby takeover from a paused active: ${Date.now() - pausedAt} ms (session timeout ${SESSION_TIMEOUT_MS} ms)`);
    b.signal('SIGCONT');
    // It finds its lease gone (no heartbeat for a session timeout, or a rebalance without it) and exits 1.
    expect(await b.exited()).toBe(1);
    expect(b.output).toMatch(/orchestrator lost the lease: exiting/);
    console.log(`the paused active on resuming: ${/"reason":"([^"]*)"/.exec(b.output)?.[1] ?? 'no reason logged'}`);
    await incidentYieldsOneRequest('m-after-pause');
  });

  it('read back read_committed and from ClickHouse: each incident exactly one request, none lost', async () => {
    const models = ['m-before-kill', 'm-during-takeover', 'm-after-kill', 'm-after-pause'];
    const incidents = await queryRows<{ model_id: string; incident_id: string; request_status: string; request_event_id: string }>(
      clickhouse,
      // The ORDER BY outside the FINAL read: 18.16 refuses it on a subset read FINAL through two shards (docs/scaling.md "Two shards").
      sql`SELECT * FROM (SELECT model_id, incident_id, request_status, request_event_id FROM incidents FINAL) ORDER BY model_id`,
    );
    // One incident per model (3 alerts each, the built-in policy's 3 consecutive CRITICAL), all produced.
    expect(incidents.map((i) => i.model_id).sort()).toEqual([...models].sort());
    expect(incidents.every((i) => i.request_status === 'produced')).toBe(true);
    // Every request on Kafka is one incident's, once: as many requests as incidents, the same event ids.
    expect(requests.map((r) => r.value.eventId).sort()).toEqual(incidents.map((i) => i.request_event_id).sort());
    expect(requests.map((r) => r.value.incidentId).sort()).toEqual(incidents.map((i) => i.incident_id).sort());
  });
});
