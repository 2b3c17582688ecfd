/**
 * Orchestrator catch-up throughput: metric snapshots produced up front, then the
 * orchestrator (child process, ts-node) starts; records/s = records consumed ÷ time from
 * "consumer running" until its group has committed every input offset. Baseline in the
 * same run: a bare kafkajs consumer (no decoding, no work) over the same records.
 *
 *   npm run bench:orchestrator
 *
 * THROUGHPUT_MODELS (default 50) models, each deployed once, then THROUGHPUT_WINDOWS
 * (default 200) snapshot windows per model of 1 whole-version + 3 segment snapshots:
 * 50 × (1 deployment + 200 × 4 snapshots) = 40 050 records, so the catch-up lasts seconds
 * rather than a few of the lag polls (200 ms apart) that stop its clock. Own database and topic prefix, deleted at the end.
 * THROUGHPUT_CPU_PROF_DIR runs the orchestrator under node --cpu-prof (refused in NODE_OPTIONS).
 *
 * Prerequisites: the stack up (npm run infra:up: Kafka, Apicurio, ClickHouse).
 */
import type { MetricSnapshot, ModelDeployed } from '@vigil/contracts';
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { createClickHouse } from '@vigil/storage';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { freePort } from '../test/support/service-process';
import { dropDatabase, eventually, testInfrastructure } from '../test/support/stack';
import { EventProducer, OrchestratorProcess } from '../test/orchestrator/support';
import { BenchRow, printBenchTable } from './table';
import { bareConsumerSeconds } from './bare-consumer';

const MODELS = Number(process.env.THROUGHPUT_MODELS ?? 50);
const WINDOWS = Number(process.env.THROUGHPUT_WINDOWS ?? 200);
const PARTITIONS = 6;
const CPU_PROF_DIR = process.env.THROUGHPUT_CPU_PROF_DIR;
const MIN = 60_000;

const config = testInfrastructure('orchestrator_throughput');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `throughput-${config.runId}` });

function snapshot(modelId: string, windowStart: number, segment: string): MetricSnapshot {
  return {
    eventId: randomUUID(),
    modelId,
    modelVersion: 'v1',
    segmentKey: segment === '' ? '' : 'country',
    segmentValue: segment,
    windowStart: new Date(windowStart),
    windowEnd: new Date(windowStart + 5 * MIN),
    predictionCount: 400,
    labelledCount: 400,
    metrics: { accuracy: 0.9 },
  };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Seconds a bare kafkajs consumer takes to read `expected` records of the orchestrator's inputs. */
const baselineSeconds = (expected: number) =>
  bareConsumerSeconds(kafka, { groupId: `bench-baseline-${config.runId}`, topics: [topics.metricSnapshots, topics.modelDeployed], expected });

/** Input records its group has not committed yet. */
async function lag(groupId: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const inputs = [topics.metricSnapshots, topics.modelDeployed];
    const committed = await admin.fetchOffsets({ groupId, topics: inputs });
    let behind = 0;
    for (const topic of inputs) {
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of await admin.fetchTopicOffsets(topic)) {
        const at = Number(done.find((p) => p.partition === end.partition)?.offset ?? '-1');
        behind += Number(end.high) - Math.max(at, Number(end.low));
      }
    }
    return behind;
  } finally {
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  const registry = createSchemaRegistry(config.schemaRegistry);
  await ensureTopics(kafka, topics, { partitions: PARTITIONS });
  const schemaIds = await registerContracts(registry, topics);
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const events = new EventProducer(producer, registry, topics, schemaIds);
  const start = Date.now() - 2 * 24 * 60 * MIN;
  const produceStart = Date.now();
  let records = 0;
  for (let m = 0; m < MODELS; m++) {
    const modelId = `throughput-${m}`;
    const deployment: ModelDeployed = { eventId: randomUUID(), modelId, version: 'v1', deployedAt: new Date(start), reason: 'initial', incidentId: null, artifactUri: null };
    await events.send('modelDeployed', modelId, [deployment]);
    const snapshots: MetricSnapshot[] = [];
    for (let w = 0; w < WINDOWS; w++) {
      for (const segment of ['', 'FR', 'DE', 'US']) snapshots.push(snapshot(modelId, start + MIN + w * 5 * MIN, segment));
    }
    await events.send('metricSnapshots', modelId, snapshots);
    records += 1 + snapshots.length;
  }
  await producer.disconnect();
  const produceS = (Date.now() - produceStart) / 1000;
  const baseline = await baselineSeconds(records);

  const orchestrator = new OrchestratorProcess(config, await freePort(), {});
  try {
    const spawned = Date.now();
    if (CPU_PROF_DIR) {
      orchestrator.start({}, ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`, 'apps/orchestrator/src/main.ts']);
      await eventually(
        async () => (await orchestrator.tryGet<{ details?: { kafka?: { consumer?: string } } }>('/health'))?.body.details?.kafka?.consumer ?? 'unreachable',
        (status) => status === 'running' || !orchestrator.running,
        60_000,
      );
      if (!orchestrator.running) throw new Error(`orchestrator exited with ${await orchestrator.exited()}:\n${orchestrator.output}`);
    } else {
      await orchestrator.startAndWait();
    }
    const running = Date.now();
    const loadAtStart = loadavg()[0];
    await eventually(
      () => lag(`orchestrator-${config.runId}`),
      (n) => n === 0,
      1_200_000,
    );
    const caughtUp = Date.now();
    const loadAtEnd = loadavg()[0];
    const seconds = (caughtUp - running) / 1000;
    const clickhouse = createClickHouse(config.clickhouse);
    const result = await clickhouse.query({ query: 'SELECT count() AS n FROM decision_audit', format: 'JSONEachRow' });
    const [{ n }] = await result.json<{ n: string }>();
    await clickhouse.close();
    const rows: BenchRow[] = [
      ['records produced up front', `${records}`, `${MODELS} models × (1 deployment + ${WINDOWS} windows × 4 snapshots), ${PARTITIONS} partitions, ${round(produceS)} s`],
      [
        'orchestrator catch-up',
        `${round(records / seconds, 0)} rec/s`,
        `${round(seconds)} s from consumer running to every offset committed; ${round((caughtUp - spawned) / 1000)} s from spawn`,
      ],
      ['bare kafkajs consumer (baseline)', `${round(records / baseline, 0)} rec/s`, `${round(baseline)} s, same records, no decoding`],
      ['ratio orchestrator / baseline', `${round(baseline / seconds, 3)}`, 'same run, same records'],
      ['decision_audit rows', `${Number(n)}`, 'decisions audited for these records'],
      ['load average (1 min)', `${loadAtStart.toFixed(2)} → ${loadAtEnd.toFixed(2)}`, `at the catch-up's start and end, ${cpus().length} cores`],
    ];
    printBenchTable(
      `Vigil orchestrator catch-up bench — ${new Date().toISOString()}, ${cpus().length} cores, load average (1 min) ${loadavg()[0].toFixed(2)}, Node ${process.version}`,
      rows,
    );
  } finally {
    await orchestrator.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
    // DROP DATABASE can outlast the client's 30 s timeout on a loaded 18.16; the server still finishes it.
    await dropDatabase(config).catch((error: unknown) => console.warn(`drop database ${config.clickhouse.database}: ${String(error)}`));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
