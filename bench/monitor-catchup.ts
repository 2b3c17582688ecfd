/**
 * Monitor catch-up from Kafka (issue 12): CATCHUP_MODELS (default 10) models ×
 * CATCHUP_PREDICTIONS (default 50 000) predictions + as many labels each (100 000 records
 * per model) are produced up front through the SDK, then the monitor starts (child process,
 * ts-node, default configuration) and is timed from /health 200 until every label is
 * settled (GET /models/:id/metrics: labelledCount of the whole-version group + unknown).
 * Then two monitors in one consumer group on the same records (CATCHUP_PARTITIONS, default
 * 4, split between them). Baseline in the same run: a bare kafkajs consumer (no decoding,
 * no work) of the same records.
 *
 * Prerequisites: the stack up (npm run infra:up: Kafka, Apicurio, ClickHouse). Each phase
 * has its own consumer group and ClickHouse database (no checkpoint carried over); topics and
 * databases are deleted at the end.
 *
 *   npm run bench:catchup
 *   CATCHUP_PREDICTIONS=10000 npm run bench:catchup
 *   CATCHUP_CPU_PROF_DIR=/tmp/prof npm run bench:catchup   # the one-monitor phase under node --cpu-prof
 */
import type { InfrastructureConfig } from '@vigil/common';
import { topicMap } from '@vigil/contracts';
import { createKafka, ensureTopics } from '@vigil/messaging';
import { VigilClient } from '@vigil/sdk';
import { cpus, loadavg } from 'node:os';
import { generateTraffic } from '../apps/simulator/src';
import { freePort, ServiceProcess, serviceEnv } from '../test/support/service-process';
import { dropDatabase, eventually, testInfrastructure } from '../test/support/stack';
import { ModelMetrics, startService } from '../test/e2e/support';
import { BenchRow, printBenchTable } from './table';
import { bareConsumerSeconds } from './bare-consumer';

const MODELS = Number(process.env.CATCHUP_MODELS ?? 10);
const PREDICTIONS = Number(process.env.CATCHUP_PREDICTIONS ?? 50_000);
const PARTITIONS = Number(process.env.CATCHUP_PARTITIONS ?? 4);
const TOTAL_LABELS = MODELS * PREDICTIONS;
const RECORDS = 2 * TOTAL_LABELS;
const CPU_PROF_DIR = process.env.CATCHUP_CPU_PROF_DIR;

const config = testInfrastructure('bench_catchup');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `bench-${config.runId}` });
const services: ServiceProcess[] = [];
const databases: InfrastructureConfig[] = [];

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const modelId = (m: number) => `catchup-${m}`;

/** Every prediction of the simulator's steady card-fraud traffic, round-robin over the models, then every label. */
async function preProduce(sdk: VigilClient): Promise<void> {
  const labels: { predictionEventId: string; modelId: string; trueClass: string | null }[] = [];
  const traffic = generateTraffic({
    seed: 42,
    models: ['card-fraud'],
    events: TOTAL_LABELS,
    labelDelayMeanS: 0,
    labelMissingShare: 0,
    scenario: { scenarios: ['steady'], changeAt: 1, spikeLength: 0, malformedShare: 0 },
  });
  let pending: Promise<string>[] = [];
  let i = 0;
  for (const step of traffic) {
    if (step.kind !== 'prediction') continue;
    const model = modelId(i++ % MODELS);
    pending.push(sdk.recordPrediction({ ...step.prediction, modelId: model }));
    labels.push({ predictionEventId: step.prediction.eventId, modelId: model, trueClass: step.label!.trueClass });
    if (pending.length >= 5000) {
      await Promise.all(pending);
      pending = [];
    }
  }
  for (const label of labels) {
    pending.push(sdk.recordLabel(label));
    if (pending.length >= 5000) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  await sdk.flush();
}

/** Seconds a bare kafkajs consumer takes to read every record of both topics. */
const baselineSeconds = () => bareConsumerSeconds(kafka, { groupId: `bench-baseline-${config.runId}`, topics: [topics.predictions, topics.labels], expected: RECORDS });

/** Labels settled over all models, each read from whichever instance owns it (the others answer 404). */
async function settledLabels(monitors: ServiceProcess[]): Promise<number> {
  let settled = 0;
  for (let m = 0; m < MODELS; m++) {
    let best = 0;
    for (const monitor of monitors) {
      const answer = await monitor.tryGet<ModelMetrics>(`/models/${modelId(m)}/metrics`);
      if (answer?.status !== 200) continue;
      const labelled = answer.body.groups.find((g) => g.segmentKey === '')?.labelledCount ?? 0;
      best = Math.max(best, labelled + (answer.body.labels.unknown ?? 0));
    }
    settled += best;
  }
  return settled;
}

/** A monitor answering /health 200; under --cpu-prof (node refuses it in NODE_OPTIONS) when `profileDir` is set. */
async function startMonitor(phaseConfig: InfrastructureConfig, settings: Record<string, string>, profileDir: string | undefined): Promise<ServiceProcess> {
  if (!profileDir) return startService('monitor', phaseConfig, settings);
  const monitor = new ServiceProcess('monitor', serviceEnv(phaseConfig, settings), await freePort());
  monitor.start({}, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, 'apps/monitor/src/main.ts']);
  await eventually(
    async () => (monitor.running ? ((await monitor.tryGet('/health'))?.status ?? 0) : -1),
    (status) => status === 200 || status === -1,
    90_000,
  );
  if (!monitor.running) throw new Error(`monitor exited with ${await monitor.exited()}:\n${monitor.output}`);
  return monitor;
}

interface Phase {
  seconds: number;
  startS: number;
  load: number;
  /** Models each instance owned at the end (its /health). */
  modelsOwned: number[];
}

/** `instances` monitors in one fresh group and database, timed from the last /health 200 until every label is settled. */
async function catchUp(instances: number): Promise<Phase> {
  const phaseConfig = { ...config, clickhouse: { ...config.clickhouse, database: `${config.clickhouse.database}_${instances}` } };
  databases.push(phaseConfig);
  const settings: Record<string, string> = { MONITOR_GROUP_ID: `monitor-${instances}-${config.runId}`, VIGIL_TOPIC_PARTITIONS: `${PARTITIONS}` };
  const spawned = Date.now();
  const monitors = await Promise.all(Array.from({ length: instances }, () => startMonitor(phaseConfig, settings, instances === 1 ? CPU_PROF_DIR : undefined)));
  services.push(...monitors);
  const up = Date.now();
  await eventually(
    () => settledLabels(monitors),
    (n) => n >= TOTAL_LABELS,
    1_800_000,
  );
  const seconds = (Date.now() - up) / 1000;
  const load = loadavg()[0];
  const modelsOwned: number[] = [];
  for (const monitor of monitors)
    modelsOwned.push((await monitor.tryGet<{ details?: { monitor?: { modelsOwned?: number } } }>('/health'))?.body.details?.monitor?.modelsOwned ?? 0);
  for (const monitor of monitors) await monitor.stop();
  return { seconds, startS: (up - spawned) / 1000, load, modelsOwned };
}

async function main(): Promise<void> {
  await ensureTopics(kafka, topics, { partitions: PARTITIONS });
  const sdk = await VigilClient.connect({
    brokers: config.kafkaBrokers,
    schemaRegistryUrl: config.schemaRegistry.url,
    topicPrefix: config.topicPrefix,
    clientId: `bench-sdk-${config.runId}`,
    batch: { maxMessages: 2000, lingerMs: 5, maxBuffered: 20_000 },
  });
  const produceStart = Date.now();
  try {
    await preProduce(sdk);
  } finally {
    await sdk.close();
  }
  const produceS = (Date.now() - produceStart) / 1000;
  console.error(`pre-produced ${RECORDS} records in ${round(produceS)} s`);
  const baseline = await baselineSeconds();
  const baselineLoad = loadavg()[0];
  console.error(`bare kafkajs consumer: ${round(baseline)} s`);
  const one = await catchUp(1);
  console.error(`one monitor: ${round(one.seconds)} s`);
  const two = await catchUp(2);
  const rate = (seconds: number) => `${round(RECORDS / seconds, 0)} rec/s`;
  const rows: BenchRow[] = [
    ['records produced up front', `${RECORDS}`, `${MODELS} models × (${PREDICTIONS} predictions + ${PREDICTIONS} labels), ${PARTITIONS} partitions, ${round(produceS)} s`],
    ['bare kafkajs consumer (baseline)', rate(baseline), `${round(baseline)} s, same records, no decoding; load ${baselineLoad.toFixed(2)}`],
    ['one monitor, every label settled', rate(one.seconds), `${round(one.seconds)} s from /health (start ${round(one.startS)} s); load ${one.load.toFixed(2)}`],
    ['two monitors, one group', rate(two.seconds), `${round(two.seconds)} s from both /health (start ${round(two.startS)} s); load ${two.load.toFixed(2)}`],
    ['ratio one monitor / baseline', `${round(baseline / one.seconds, 3)}`, 'same run, same records'],
    ['ratio two monitors / one', `${round(one.seconds / two.seconds, 2)}`, `goal ≥ 1.8; ${MODELS} models on ${PARTITIONS} partitions, owned ${two.modelsOwned.join(' + ')}`],
  ];
  printBenchTable(
    `Vigil monitor catch-up bench — ${new Date().toISOString()}, ${cpus().length} cores, load average (1 min) ${loadavg()[0].toFixed(2)}, Node ${process.version}`,
    rows,
  );
}

async function cleanUp(): Promise<void> {
  for (const service of services) await service.stop();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
  // DROP DATABASE can outlast the client's 30 s timeout on a loaded 18.16; the server still finishes it.
  for (const database of databases) await dropDatabase(database).catch((error: unknown) => console.warn(`drop database ${database.clickhouse.database}: ${String(error)}`));
}

main().then(cleanUp, async (error: unknown) => {
  console.error(error);
  for (const service of services) console.error(`--- ${service.app}\n${service.output.slice(-3000)}`);
  await cleanUp();
  process.exitCode = 1;
});
