/**
 * Ingest throughput (not a test): pre-produces N predictions (~20 features each) to a
 * fresh topic, then measures (a) a bare kafkajs consumer that only reads them, (c) and (d)
 * the same consumer decoding each record with avsc / writing its row with the ingestor's
 * direct decoder, and (b) the ingestor end to end (in this process) until ClickHouse holds
 * all N. Prints events/s, CPU per event (this process, and ClickHouse's and Kafka's own
 * during (b)) and the ratios to (a), as a table (bench/table.ts).
 *
 * Prerequisites: the stack of `npm run infra:up` (Kafka, the registry, ClickHouse) on the
 * addresses of the environment (.env.example); the servers' CPU is read from
 * `.infra/run/<server>.pid` when the stack was started by infra/up.sh (else "n/a"). Linux.
 * On the cluster topology (docs/scaling.md): the four variables `npm run infra:status --
 * --cluster` prints (the servers' CPU then shows "n/a").
 *
 *   npm run bench:ingest                          # N = 500 000
 *   BENCH_EVENTS=100000 npm run bench:ingest
 *   BENCH_PROFILE=ingest.cpuprofile npm run bench:ingest   # + the CPU profile of (b), summarised
 *   BENCH_INSTANCES=1,2,4 npm run bench:ingest    # + (e) that many ingestor processes in one group
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadInfrastructureConfig } from '@vigil/common';
import { PredictionEvent, topicMap, valueSubject } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, KafkaBatchTransport, registerContracts, startBatchTransport } from '@vigil/messaging';
import { createClickHouse, identifier, migrate, sql } from '@vigil/storage';
import { ClickHouseClient } from '@clickhouse/client';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from 'avsc';
import { IngestorModule } from '../apps/ingestor/src/app.module';
import { directPredictionRow } from '../apps/ingestor/src/prediction-decoder';
import { predictionEvent } from '../test/support/events';
import { ProfileSummary, startProfile, stopProfile } from './cpu-profile';
import { loadAverage, processCpuSeconds } from './process-cpu';
import { BenchRow, printBenchTable } from './table';

const N = Number(process.env.BENCH_EVENTS ?? 500_000);
const PARTITIONS = Number(process.env.VIGIL_TOPIC_PARTITIONS ?? 6);
const MODELS = 12;
const runId = randomBytes(4).toString('hex');
const base = loadInfrastructureConfig();
const config = { ...base, topicPrefix: `bench.${runId}.`, clickhouse: { ...base.clickhouse, database: `vigil_bench_${runId}` } };
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `bench-${runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);

function event(i: number, start: number): PredictionEvent {
  const numericFeatures: Record<string, number | null> = {};
  for (let f = 0; f < 15; f++) numericFeatures[`num_${f}`] = f === 7 && i % 10 === 0 ? null : ((i * 31 + f * 17) % 1000) / 10;
  const categoricalFeatures: Record<string, string | null> = {};
  for (let f = 0; f < 5; f++) categoricalFeatures[`cat_${f}`] = `v${(i + f) % 7}`;
  return predictionEvent(i, {
    eventId: `${runId}-${i}`,
    modelId: `model-${i % MODELS}`,
    eventTime: new Date(start + i),
    entityId: `entity-${i}`,
    numericFeatures,
    categoricalFeatures,
    predictedClass: i % 3 === 0 ? 'fraud' : 'ok',
    scores: { fraud: (i % 100) / 100, ok: 1 - (i % 100) / 100 },
    latencyMs: (i % 250) / 10,
    tags: { country: ['FR', 'DE', 'US'][i % 3] },
  });
}

async function preProduce(): Promise<number> {
  const schemaId = await registry.getLatestSchemaId(valueSubject(topics.predictions));
  const producer = kafka.producer();
  await producer.connect();
  const start = Date.now() - N;
  let bytes = 0;
  const chunk = 5_000;
  for (let from = 0; from < N; from += chunk * 4) {
    const sends = [];
    for (let c = from; c < Math.min(N, from + chunk * 4); c += chunk) {
      const messages = [];
      for (let i = c; i < Math.min(N, c + chunk); i++) {
        const e = event(i, start);
        const value = await registry.encode(schemaId, e);
        bytes += value.length;
        messages.push({ key: e.modelId, value });
      }
      sends.push(producer.sendBatch({ topicMessages: [{ topic: topics.predictions, messages }], acks: 1 }));
    }
    await Promise.all(sends);
  }
  await producer.disconnect();
  return bytes / N;
}

/** Per-record work the consumer baselines do on top of reading. */
type RecordWork = (value: Buffer, partition: number, offset: string) => unknown;

/** A phase's wall time and this process's CPU time (user + system) over it. */
interface Phase {
  seconds: number;
  cpuSeconds: number;
}

async function timed(run: () => Promise<void>): Promise<Phase> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await run();
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

/**
 * A kafkajs consumer reading every record, optionally doing `work` on each: nothing (a),
 * the avsc decode (c), or the ingestor's direct row writer (d), to show where the
 * ingestor's time goes.
 */
async function bareConsumer(label: string, work?: RecordWork): Promise<Phase> {
  const consumer = kafka.consumer({ groupId: `bench-${label}-${runId}`, maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 32 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic: topics.predictions, fromBeginning: true });
  const phase = await timed(async () => {
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          partitionsConsumedConcurrently: PARTITIONS,
          eachBatch: async ({ batch }) => {
            if (work) for (const m of batch.messages) if (m.value) work(m.value, batch.partition, m.offset);
            seen += batch.messages.length;
            if (seen >= N) resolve();
          },
        })
        .catch(reject);
    });
  });
  await consumer.disconnect();
  return phase;
}

/** CPU seconds of the stack's servers (from infra/up.sh's pid files), to show what ClickHouse and Kafka take of the 2 cores. */
const SERVERS = ['clickhouse', 'kafka'] as const;
function serverPid(name: string): number | undefined {
  try {
    return Number(readFileSync(join('.infra', 'run', `${name}.pid`), 'utf8').trim());
  } catch {
    return undefined;
  }
}
function serversCpu(): Record<string, number | undefined> {
  return Object.fromEntries(
    SERVERS.map((name) => [
      name,
      (() => {
        const pid = serverPid(name);
        return pid === undefined ? undefined : processCpuSeconds(pid);
      })(),
    ]),
  );
}

async function countPredictions(clickhouse: ClickHouseClient): Promise<number> {
  const result = await clickhouse.query({ query: 'SELECT count() AS n FROM predictions', format: 'JSONEachRow' });
  return Number((await result.json<{ n: string }>())[0].n);
}

/**
 * Polls ClickHouse until it holds all N; returns when the first rows showed and how many
 * there were then (the instances' start-up excluded from the steady rate). `onFirstRows`
 * runs at that first look, e.g. to read the instances' CPU so far.
 */
async function untilAllInserted(clickhouse: ClickHouseClient, onFirstRows?: () => void): Promise<{ firstRowsAt: bigint; firstRows: number }> {
  let first: { firstRowsAt: bigint; firstRows: number } | undefined;
  for (;;) {
    const n = await countPredictions(clickhouse);
    if (n > 0 && first === undefined) {
      first = { firstRowsAt: process.hrtime.bigint(), firstRows: n };
      onFirstRows?.();
    }
    if (n >= N) return first ?? { firstRowsAt: process.hrtime.bigint(), firstRows: 0 };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function ingestorEnvironment(database: string, groupId: string): NodeJS.ProcessEnv {
  return {
    KAFKA_BROKERS: config.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: config.schemaRegistry.url,
    CLICKHOUSE_URL: config.clickhouse.url,
    CLICKHOUSE_DATABASE: database,
    VIGIL_TOPIC_PREFIX: config.topicPrefix,
    VIGIL_TOPIC_PARTITIONS: String(PARTITIONS),
    INGESTOR_GROUP_ID: groupId,
  };
}

interface IngestRun extends Phase {
  startupSeconds: number;
  steadySeconds: number;
  firstRowsSeconds: number;
  joinedSeconds: number;
  joinedDetail: string;
  servers: Record<string, number | undefined>;
  profile?: ProfileSummary;
}

async function ingestorEndToEnd(): Promise<IngestRun> {
  Object.assign(process.env, ingestorEnvironment(config.clickhouse.database, `bench-ingestor-${runId}`));
  const clickhouse = createClickHouse(config.clickhouse);
  const serversBefore = serversCpu();
  const profiler = process.env.BENCH_PROFILE !== undefined ? await startProfile() : undefined;
  let startupSeconds = 0;
  let steadySeconds = 0;
  let firstRowsSeconds = 0;
  let joinedSeconds = 0;
  let joinedDetail = '';
  // The wall time ends when ClickHouse holds all N; the CPU time also counts the app's close (a few ms of CPU, seconds of waiting on kafkajs).
  let allInsertedSeconds = 0;
  let profile: ProfileSummary | undefined;
  const phase = await timed(async () => {
    const started = process.hrtime.bigint();
    // The HTTP side is created but never listens: the bench measures the Kafka transport's path.
    const app = await NestFactory.create(IngestorModule, { logger: ['error', 'warn'] });
    app.get(KafkaBatchTransport).on('consumer.group_join', ({ payload }) => {
      joinedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      joinedDetail = `${payload.duration} ms join`;
    });
    await startBatchTransport(app);
    startupSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const { firstRowsAt } = await untilAllInserted(clickhouse);
    steadySeconds = Number(process.hrtime.bigint() - firstRowsAt) / 1e9;
    firstRowsSeconds = Number(firstRowsAt - started) / 1e9;
    allInsertedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    profile = profiler && (await stopProfile(profiler, process.env.BENCH_PROFILE || undefined));
    await app.close();
  });
  const serversAfter = serversCpu();
  await clickhouse.close();
  const servers = Object.fromEntries(
    SERVERS.map((name) => [name, serversAfter[name] !== undefined && serversBefore[name] !== undefined ? serversAfter[name] - serversBefore[name] : undefined]),
  );
  return { ...phase, seconds: allInsertedSeconds, startupSeconds, steadySeconds, firstRowsSeconds, joinedSeconds, joinedDetail, servers, profile };
}

interface ScalingRun {
  instances: number;
  seconds: number;
  steadySeconds: number;
  childCpuSeconds: number;
  /** The instances' CPU per event stored from the first rows on: start-up and compile left out. */
  steadyCpuPerEvent: number;
}

/**
 * (e) `instances` ingestor processes (apps/ingestor/src/main.ts, as deployed) in one fresh
 * consumer group and database, reading the same topic: wall time from spawning them until
 * ClickHouse holds all N, and the steady part from the first rows on.
 */
async function ingestorInstances(instances: number): Promise<ScalingRun> {
  const database = `${config.clickhouse.database}_x${instances}`;
  scalingDatabases.push(database);
  await migrate({ ...config.clickhouse, database });
  const clickhouse = createClickHouse({ ...config.clickhouse, database });
  const environment = { ...process.env, ...ingestorEnvironment(database, `bench-ingestor-${runId}-x${instances}`), HTTP_PORT: '0', LOG_LEVEL: 'warn' };
  const started = process.hrtime.bigint();
  const children: ChildProcess[] = [];
  for (let i = 0; i < instances; i++) {
    children.push(
      spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/ingestor/src/main.ts'], {
        env: environment,
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
  }
  const childrenCpu = () => children.reduce((sum, child) => sum + (child.pid === undefined ? 0 : (processCpuSeconds(child.pid) ?? 0)), 0);
  try {
    let cpuAtFirstRows = 0;
    const { firstRowsAt, firstRows } = await untilAllInserted(clickhouse, () => (cpuAtFirstRows = childrenCpu()));
    const ended = process.hrtime.bigint();
    const childCpuSeconds = childrenCpu();
    return {
      instances,
      seconds: Number(ended - started) / 1e9,
      steadySeconds: Number(ended - firstRowsAt) / 1e9,
      childCpuSeconds,
      steadyCpuPerEvent: (childCpuSeconds - cpuAtFirstRows) / (N - firstRows),
    };
  } finally {
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : (child.once('exit', resolve), child.kill('SIGTERM'))))));
    await clickhouse.close();
  }
}

const scalingDatabases: string[] = [];

async function cleanUp(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
  const server = createClickHouse(config.clickhouse, 'default');
  for (const database of [config.clickhouse.database, ...scalingDatabases]) await server.command({ query: sql`DROP DATABASE IF EXISTS ${identifier(database)}` });
  await server.close();
}

const perSecond = (seconds: number): string => `${Math.round(N / seconds).toLocaleString('en-US')} events/s`;
const usPerEvent = (cpuSeconds: number): string => `${((cpuSeconds * 1e6) / N).toFixed(1)} µs CPU/event`;

async function main(): Promise<void> {
  await ensureTopics(kafka, topics, { partitions: PARTITIONS });
  await registerContracts(registry, topics);
  await migrate(config.clickhouse);
  try {
    const produceStart = Date.now();
    const meanBytes = await preProduce();
    console.log(`produced ${N} events (${meanBytes.toFixed(0)} bytes each, ${PARTITIONS} partitions) in ${((Date.now() - produceStart) / 1000).toFixed(1)} s`);
    const bare = await bareConsumer('bare');
    const writer = (await registry.getSchema(await registry.getLatestSchemaId(valueSubject(topics.predictions)))) as Type;
    const decodeOnly = await bareConsumer('avsc', (value) => writer.decode(value, 5));
    const now = Date.now();
    const rowsOnly = await bareConsumer('direct', (value, partition, offset) => directPredictionRow(value, 1, partition, offset, now));
    const loadBefore = loadAverage();
    const ingest = await ingestorEndToEnd();
    const ingestRate = N / ingest.seconds;
    const bareRate = N / bare.seconds;
    const serverCpu = (name: string): string => (ingest.servers[name] === undefined ? 'n/a' : `${ingest.servers[name]!.toFixed(2)} s CPU, ${usPerEvent(ingest.servers[name]!)}`);
    const rows: BenchRow[] = [
      ['(a) bare kafkajs consumer (baseline)', perSecond(bare.seconds), `${bare.seconds.toFixed(2)} s; ${usPerEvent(bare.cpuSeconds)}`],
      ['(c) bare + avsc decode', perSecond(decodeOnly.seconds), `${decodeOnly.seconds.toFixed(2)} s; ${usPerEvent(decodeOnly.cpuSeconds)}`],
      ['(d) bare + direct row writer (no ClickHouse)', perSecond(rowsOnly.seconds), `${rowsOnly.seconds.toFixed(2)} s; ${usPerEvent(rowsOnly.cpuSeconds)}`],
      [
        '(b) ingestor end to end',
        perSecond(ingest.seconds),
        `${ingest.seconds.toFixed(2)} s, of which start-up ${ingest.startupSeconds.toFixed(2)} s; ${usPerEvent(ingest.cpuSeconds)}`,
      ],
      [
        '(b) group joined / first rows in ClickHouse',
        `${ingest.joinedSeconds.toFixed(2)} s / ${ingest.firstRowsSeconds.toFixed(2)} s`,
        `after the app's creation (${ingest.joinedDetail})`,
      ],
      ['(b) steady, first rows to all N', perSecond(ingest.steadySeconds), `${ingest.steadySeconds.toFixed(2)} s`],
      ['b/a throughput (target >= 0.7)', (ingestRate / bareRate).toFixed(2), `ingest ${ingestRate >= 150_000 ? '>=' : '<'} 150k events/s target`],
      ['b/a CPU per event (target <= 2)', (ingest.cpuSeconds / bare.cpuSeconds).toFixed(2), 'this process, user + system'],
      ['ClickHouse server during (b)', serverCpu('clickhouse'), `${((ingest.servers.clickhouse ?? 0) / ingest.seconds).toFixed(2)} of 2 cores`],
      ['Kafka broker during (b)', serverCpu('kafka'), `${((ingest.servers.kafka ?? 0) / ingest.seconds).toFixed(2)} of 2 cores`],
    ];
    printBenchTable(`bench:ingest, ${N} events, ${PARTITIONS} partitions (load average before (b): ${loadBefore}, after: ${loadAverage()})`, rows);
    if (ingest.profile) {
      printBenchTable(`CPU profile of (b), ${(ingest.profile.totalMs / 1000).toFixed(2)} s sampled: self time by area`, ingest.profile.byArea);
      printBenchTable('CPU profile of (b): self time by function', ingest.profile.byFunction);
    }
    const counts = (process.env.BENCH_INSTANCES ?? '').split(',').filter(Boolean).map(Number);
    if (counts.length > 0) {
      const runs: ScalingRun[] = [];
      for (const instances of counts) runs.push(await ingestorInstances(instances));
      const first = runs[0];
      printBenchTable(
        `(e) ingestor processes in one consumer group, ${PARTITIONS} partitions (load average after: ${loadAverage()})`,
        runs.map((run) => [
          `${run.instances} instance(s)`,
          perSecond(run.steadySeconds),
          `steady ${(first.steadySeconds / run.steadySeconds).toFixed(2)}x of ${first.instances}; ` +
            // Events per CPU-second: what one instance with a core of its own would carry, whatever the cores free here.
            `steady ${(run.steadyCpuPerEvent * 1e6).toFixed(1)} µs CPU/event (${Math.round(1 / run.steadyCpuPerEvent).toLocaleString('en-US')} events per CPU-second, ` +
            `${(first.steadyCpuPerEvent / run.steadyCpuPerEvent).toFixed(2)}x of ${first.instances}); ` +
            `${run.seconds.toFixed(2)} s with start-up (${perSecond(run.seconds)}); ${usPerEvent(run.childCpuSeconds)} incl. start-up`,
        ]),
      );
    }
  } finally {
    await cleanUp();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
