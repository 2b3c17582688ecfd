/**
 * The orchestrator during a ClickHouse outage (a private clickhouse-server it alone uses):
 * its consumer does not crash; a batch's writes are retried under the bounded retry
 * policy with heartbeats, /health says `storage: degraded`, and once ClickHouse is back the
 * alerts sent meanwhile are decided and the retrain request is produced exactly once.
 */
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { Consumer, Producer } from 'kafkajs';
import { freePort } from '../support/service-process';
import { PrivateClickHouse } from '../support/private-clickhouse';
import { deleteTopics, eventually, testInfrastructure } from '../support/stack';
import { collectRequests, criticalAlert, EventProducer, OrchestratorProcess, ProducedRequest, sleep } from './support';
import { nativeStackMissing } from '../support/native-stack';

const base = testInfrastructure('orchestrator_outage');
const clickhouseServer = new PrivateClickHouse();
const kafka = createKafka({ brokers: base.kafkaBrokers, clientId: `test-${base.runId}` });
const registry = createSchemaRegistry(base.schemaRegistry);
const topics = topicMap(base.topicPrefix);
const MODEL = 'outage-model';

interface Health {
  details: { kafka: { consumer: string }; storage: { status: string; degraded: boolean } };
}

const nativeMissing = nativeStackMissing('test/orchestrator/outage', 'a clickhouse-server binary to stop and restart');

(nativeMissing ? describe.skip : describe)('orchestrator during a ClickHouse outage', () => {
  let orchestrator: OrchestratorProcess;
  let producer: Producer;
  let events: EventProducer;
  let reader: Consumer;
  let requests: ProducedRequest[];

  beforeAll(async () => {
    await clickhouseServer.start();
    const config = { ...base, clickhouse: { ...base.clickhouse, url: clickhouseServer.url, user: 'default', password: '' } };
    await ensureTopics(kafka, topics, { partitions: 2 });
    const schemaIds = await registerContracts(registry, topics);
    producer = kafka.producer();
    await producer.connect();
    events = new EventProducer(producer, registry, topics, schemaIds);
    ({ consumer: reader, requests } = await collectRequests(kafka, registry, topics, `reader-${config.runId}`));
    orchestrator = new OrchestratorProcess(config, await freePort(), {});
    await orchestrator.startAndWait();
  }, 120_000);

  afterAll(async () => {
    await orchestrator?.stop();
    await Promise.all([producer?.disconnect(), reader?.disconnect()]);
    await clickhouseServer.stop();
    clickhouseServer.remove();
    await deleteTopics(kafka, base.topicPrefix);
  });

  it('keeps its consumer through the outage and decides every alert once ClickHouse is back', async () => {
    await clickhouseServer.stop();
    // Built-in policy: 3 consecutive CRITICAL alerts open one incident.
    await events.send(
      'alerts',
      MODEL,
      [1, 2, 3].map((n) => criticalAlert(MODEL, 'v1', `${MODEL}-a${n}`)),
    );
    const waiting = await eventually(
      async () => (await orchestrator.tryGet<Health>('/health'))?.body.details,
      (d) => d?.storage?.degraded === true,
      30_000,
    );
    expect(waiting!.kafka.consumer).toBe('running');
    // Longer than a kafkajs restart cycle would take; the process and its consumer are still there.
    await sleep(5_000);
    expect(orchestrator.running).toBe(true);
    expect((await orchestrator.get<Health>('/health')).body.details.kafka.consumer).toBe('running');
    expect(requests).toHaveLength(0);

    await clickhouseServer.start();
    await eventually(
      async () => requests.length,
      (n) => n === 1,
      90_000,
    );
    await eventually(
      async () => (await orchestrator.tryGet<Health>('/health'))?.body.details.storage?.degraded,
      (degraded) => degraded === false,
      30_000,
    );
    await sleep(2_000);
    expect(requests).toHaveLength(1);
    expect(requests[0].value).toMatchObject({ modelId: MODEL, reason: '3 consecutive CRITICAL performance observations (policy: 3)' });
    const metrics = await orchestrator.metrics();
    expect(metrics).toMatch(/vigil_retries_total\{operation="orchestrator.persist-batch",outcome="retry"\} [1-9]/);
  });
});
