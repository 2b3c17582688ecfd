/**
 * End-to-end benchmark of the running services (docs/performance.md):
 * 1. sustained events/s through ingest + monitor, against a bare kafkajs consumer of the same records;
 * 2. label → updated metrics visible on the monitor's HTTP API (p50/p99);
 * 3. concept-drift onset → RetrainRequested on Kafka, and monitor alert → request.
 * The stack (Kafka, Apicurio, ClickHouse) must be up; the ingestor, monitor and
 * orchestrator run as child processes (ts-node) on a unique database and topic prefix,
 * all removed at the end.
 *
 *   npm run bench:e2e                       # 100 000 predictions + 100 000 labels
 *   BENCH_E2E_PREDICTIONS=20000 npm run bench:e2e
 */
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics } from '@vigil/messaging';
import { VigilClient } from '@vigil/sdk';
import { createClickHouse, sql } from '@vigil/storage';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { generateTraffic, runSimulation } from '../apps/simulator/src';
import { ServiceProcess } from '../test/support/service-process';
import { dropDatabase, eventually, testInfrastructure } from '../test/support/stack';
import { labelledCount, ModelMetrics, monitorSettings, orchestratorSettings, PipelineRecorder, ScenarioSink, sleep, startService, writePolicies } from '../test/e2e/support';
import { BenchRow, printBenchTable } from './table';
import { bareConsumerSeconds } from './bare-consumer';

const PREDICTIONS = Number(process.env.BENCH_E2E_PREDICTIONS ?? 100_000);
/** Models the load is spread over: every topic is keyed by model id, so one model is one partition. */
const MODELS = 6;
const LATENCY_SAMPLES = 250;
const DRIFT_EVENTS = 2400;
const DRIFT_RATE = 200;

const config = testInfrastructure('bench_e2e');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `bench-${config.runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);
const clickhouse = createClickHouse(config.clickhouse);
const policies = writePolicies();
const services: ServiceProcess[] = [];

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Waits for a group of acknowledgements; the SDK's buffer bounds what is in flight anyway. */
async function settled(pending: Promise<string>[]): Promise<Promise<string>[]> {
  await Promise.all(pending);
  return [];
}

/** Pre-produces the load through the SDK: every prediction of the simulator's steady card-fraud traffic, then every label. */
async function preProduce(sdk: VigilClient): Promise<{ latencyPredictions: string[] }> {
  const labels: { predictionEventId: string; modelId: string; trueClass: string | null }[] = [];
  let i = 0;
  const traffic = generateTraffic({
    seed: 42,
    models: ['card-fraud'],
    events: PREDICTIONS,
    labelDelayMeanS: 0,
    labelMissingShare: 0,
    scenario: { scenarios: ['steady'], changeAt: 1, spikeLength: 0, malformedShare: 0 },
  });
  let pending: Promise<string>[] = [];
  for (const step of traffic) {
    if (step.kind !== 'prediction') continue;
    const modelId = `bench-${i++ % MODELS}`;
    pending.push(sdk.recordPrediction({ ...step.prediction, modelId }));
    labels.push({ predictionEventId: step.prediction.eventId, modelId, trueClass: step.label!.trueClass });
    if (pending.length >= 5000) pending = await settled(pending);
  }
  for (const label of labels) {
    pending.push(sdk.recordLabel(label));
    if (pending.length >= 5000) pending = await settled(pending);
  }
  // Predictions the latency probe labels one by one later.
  const latencyPredictions: string[] = [];
  for (const step of generateTraffic({
    seed: 7,
    models: ['card-fraud'],
    events: LATENCY_SAMPLES,
    labelDelayMeanS: 0,
    labelMissingShare: 0,
    scenario: { scenarios: ['steady'], changeAt: 1, spikeLength: 0, malformedShare: 0 },
  })) {
    if (step.kind !== 'prediction') continue;
    latencyPredictions.push(await sdk.recordPrediction({ ...step.prediction, modelId: 'bench-latency' }));
  }
  await Promise.all(pending);
  await sdk.flush();
  return { latencyPredictions };
}

async function storedEvents(): Promise<number> {
  try {
    const [row] = await (
      await clickhouse.query({
        query: sql`SELECT (SELECT uniqExact(event_id) FROM predictions WHERE model_id LIKE 'bench-%' AND model_id != 'bench-latency') + (SELECT uniqExact(event_id) FROM labels WHERE model_id LIKE 'bench-%' AND model_id != 'bench-latency') AS n`,
        format: 'JSONEachRow',
      })
    ).json<{ n: string }>();
    return Number(row.n);
  } catch {
    return 0;
  }
}

/**
 * Labels the monitor has settled, summed over the bench models: joined (labelledCount) or
 * given up as unknown (an early label evicted or expired before its prediction was read).
 */
async function monitoredLabels(monitor: ServiceProcess): Promise<{ labelled: number; unknown: number }> {
  const total = { labelled: 0, unknown: 0 };
  for (let m = 0; m < MODELS; m++) {
    const answer = await monitor.tryGet<ModelMetrics>(`/models/bench-${m}/metrics`);
    if (answer?.status !== 200) continue;
    total.labelled += answer.body.groups.find((g) => g.segmentKey === '')?.labelledCount ?? 0;
    total.unknown += answer.body.labels.unknown ?? 0;
  }
  return total;
}

/** The bare consumer over the same records, the latency probes' records left out. */
const baselineSeconds = (expected: number) =>
  bareConsumerSeconds(kafka, {
    groupId: `bench-baseline-${config.runId}`,
    topics: [topics.predictions, topics.labels],
    expected,
    counts: (m) => m.key?.toString() !== 'bench-latency',
  });

const orchestratorInputs = () => [topics.alerts, topics.metricSnapshots, topics.modelDeployed, topics.retrainCompleted];

/**
 * The orchestrator's backlog before it starts: each input partition's end offset now. The
 * monitor keeps publishing snapshots meanwhile, so "lag 0" is a moving target; catch-up is
 * done when the group has committed up to these ends, whatever came after.
 */
async function backlogEnds(): Promise<{ ends: Map<string, number>; records: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map<string, number>();
    let records = 0;
    for (const topic of orchestratorInputs()) {
      for (const end of await admin.fetchTopicOffsets(topic)) {
        // An empty partition has nothing to commit (its group offset stays -1).
        if (Number(end.high) === Number(end.low)) continue;
        ends.set(`${topic}:${end.partition}`, Number(end.high));
        records += Number(end.high) - Number(end.low);
      }
    }
    return { ends, records };
  } finally {
    await admin.disconnect();
  }
}

/** Whether the group has committed every input partition up to `ends`. */
async function committedUpTo(groupId: string, ends: Map<string, number>): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics: orchestratorInputs() });
    for (const { topic, partitions } of committed) {
      for (const { partition, offset } of partitions) {
        const end = ends.get(`${topic}:${partition}`);
        if (end !== undefined && Number(offset) < end) return false;
      }
    }
    return true;
  } finally {
    await admin.disconnect();
  }
}

async function labelLatencies(monitor: ServiceProcess, sdk: VigilClient, predictionIds: string[]): Promise<number[]> {
  const samples: number[] = [];
  for (const predictionEventId of predictionIds) {
    const before = await labelledCount(monitor, 'bench-latency');
    const sentAt = performance.now();
    await Promise.all([sdk.recordLabel({ predictionEventId, modelId: 'bench-latency', trueClass: 'legit' }), sdk.flush()]);
    for (;;) {
      if ((await labelledCount(monitor, 'bench-latency')) > before) break;
      if (performance.now() - sentAt > 10_000) throw new Error(`label of ${predictionEventId} not counted within 10 s`);
      await sleep(5);
    }
    samples.push(performance.now() - sentAt);
  }
  return samples.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const summary: BenchRow[] = [];
  await ensureTopics(kafka, topics, { partitions: 6 });
  const sdk = await VigilClient.connect({
    brokers: config.kafkaBrokers,
    schemaRegistryUrl: config.schemaRegistry.url,
    topicPrefix: config.topicPrefix,
    clientId: `bench-sdk-${config.runId}`,
    batch: { maxMessages: 2000, lingerMs: 5, maxBuffered: 20_000 },
  });
  try {
    const produceStart = Date.now();
    const { latencyPredictions } = await preProduce(sdk);
    const events = 2 * PREDICTIONS;
    console.error(`pre-produced ${events} events in ${round((Date.now() - produceStart) / 1000)} s`);

    const baseline = await baselineSeconds(events);
    console.error(`bare kafkajs consumer: ${round(baseline)} s`);

    // (1) the services start on a full backlog; time counts from the moment both answer /health.
    const spawned = Date.now();
    const healthy: Record<string, number> = {};
    const started = async (app: 'ingestor' | 'monitor', settings: Record<string, string>) => {
      const service = await startService(app, config, settings);
      healthy[app] = Date.now();
      return service;
    };
    const [ingestor, monitor] = await Promise.all([
      started('ingestor', { INGESTOR_GROUP_ID: `ingestor-${config.runId}` }),
      started('monitor', monitorSettings(`monitor-${config.runId}`)),
    ]);
    services.push(ingestor, monitor);
    const up = Math.min(healthy.ingestor, healthy.monitor);
    let ingestDone = 0;
    let monitorDone = 0;
    let settled = { labelled: 0, unknown: 0 };
    await eventually(
      async () => {
        if (!monitorDone) {
          settled = await monitoredLabels(monitor);
          if (settled.labelled + settled.unknown >= PREDICTIONS) monitorDone = Date.now();
        }
        if (!ingestDone && (await storedEvents()) >= events) ingestDone = Date.now();
        return ingestDone && monitorDone;
      },
      (done) => done > 0,
      600_000,
    );
    // Each service from the moment it answered /health (it may consume a little before).
    const ingestS = (ingestDone - healthy.ingestor) / 1000;
    const monitorS = (monitorDone - healthy.monitor) / 1000;
    const bothS = (Math.max(ingestDone, monitorDone) - up) / 1000;
    summary.push(
      ['services start (spawn → /health 200)', `${round((Math.max(healthy.ingestor, healthy.monitor) - spawned) / 1000)} s`, 'ts-node, both in parallel'],
      [`ingest ${events} events → ClickHouse`, `${round(events / ingestS, 0)} ev/s`, `${round(ingestS)} s`],
      [`monitor ${PREDICTIONS} labels settled (+ predictions)`, `${round(events / monitorS, 0)} ev/s`, `${round(monitorS)} s`],
      ['labels the monitor could not join (unknown)', `${settled.unknown}`, `of ${PREDICTIONS}; labelled ${settled.labelled}`],
      ['ingest + monitor, all done', `${round(events / bothS, 0)} ev/s`, `${round(bothS)} s`],
      ['bare kafkajs consumer (baseline)', `${round(events / baseline, 0)} ev/s`, `${round(baseline)} s`],
      ['ratio pipeline / baseline', `${round(baseline / bothS, 2)}`, 'same run, same records'],
    );

    // (2) label → updated metrics visible.
    const latencies = await labelLatencies(monitor, sdk, latencyPredictions);
    summary.push([
      `label → labelledCount+1 on GET (n=${latencies.length})`,
      `p50 ${round(quantile(latencies, 0.5))} ms`,
      `p99 ${round(quantile(latencies, 0.99))} ms, max ${round(latencies.at(-1)!)} ms`,
    ]);

    // (3) concept drift onset → RetrainRequested.
    // The orchestrator starts on every snapshot and alert the throughput phase published:
    // the backlog is pinned (end offsets) before it is spawned, and timed from the spawn.
    const groupId = `orchestrator-${config.runId}`;
    const backlog = await backlogEnds();
    const orchestratorSpawned = Date.now();
    const orchestrator = await startService('orchestrator', config, orchestratorSettings(config.runId, policies.file));
    services.push(orchestrator);
    const orchestratorHealthy = Date.now();
    const recorder = await PipelineRecorder.start(kafka, registry, topics, `bench-recorder-${config.runId}`);
    await eventually(
      () => committedUpTo(groupId, backlog.ends),
      (done) => done,
      600_000,
    );
    const spawnS = (Date.now() - orchestratorSpawned) / 1000;
    const healthyS = (Date.now() - orchestratorHealthy) / 1000;
    summary.push([
      'orchestrator catch-up (alerts, snapshots, deployments)',
      // From spawn (ts-node start-up included) a lower bound; bench:orchestrator measures a backlog large enough for a rate.
      `≥ ${round(backlog.records / spawnS, 0)} rec/s`,
      `${backlog.records} records pinned before spawn, committed ${round(spawnS)} s after spawn (${round(healthyS)} s after /health; bench:orchestrator for a rate)`,
    ]);
    const modelId = 'bench-drift';
    const sink = new ScenarioSink(sdk, modelId, DRIFT_EVENTS / 2);
    await runSimulation(
      {
        seed: 42,
        models: ['card-fraud'],
        events: DRIFT_EVENTS,
        rate: DRIFT_RATE,
        timeScale: 600,
        labelDelayMeanS: 30,
        labelMissingShare: 0,
        progressIntervalMs: 60_000,
        scenario: { scenarios: ['concept-drift'], changeAt: 0.5, spikeLength: 0, malformedShare: 0 },
      },
      sink,
    );
    const [request] = await eventually(
      async () => recorder.retrainsOf(modelId),
      (r) => r.length > 0,
      60_000,
    );
    const alert = recorder.alertsOf(modelId).find((a) => a.value.severity === 'CRITICAL');
    await recorder.stop();
    summary.push([
      `drift onset → RetrainRequested (${DRIFT_RATE} ev/s)`,
      `${round((request.at - sink.onsetAt!) / 1000, 2)} s`,
      `${sink.labelsAfterOnsetBy(request.at)} labelled events after onset`,
    ]);
    summary.push([
      `monitor alert (${alert?.value.rule ?? 'none'}) → request`,
      alert ? `${round((request.at - alert.at) / 1000, 2)} s` : 'n/a',
      alert ? `alert ${round((alert.at - sink.onsetAt!) / 1000, 2)} s after onset` : '',
    ]);
  } finally {
    await sdk.close();
  }

  printBenchTable(
    `Vigil end-to-end bench — ${new Date().toISOString()}, ${cpus().length} cores, load average (1 min) ${loadavg()[0].toFixed(2)}, Node ${process.version}, ${PREDICTIONS} predictions + ${PREDICTIONS} labels`,
    summary,
  );
}

async function cleanUp(): Promise<void> {
  for (const service of services) await service.stop();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
  await clickhouse.close();
  // DROP DATABASE can outlast the client's 30 s timeout on a loaded 18.16; the server still
  // finishes it, and the figures are printed by then (as in bench:orchestrator).
  await dropDatabase(config).catch((error: unknown) => console.warn(`drop database ${config.clickhouse.database}: ${String(error)}`));
  rmSync(policies.dir, { recursive: true, force: true });
}

main().then(cleanUp, async (error: unknown) => {
  console.error(error);
  for (const service of services) console.error(`--- ${service.app}\n${service.output.slice(-3000)}`);
  await cleanUp();
  process.exitCode = 1;
});
