/**
 * Fault tests on the cluster topology (docs/scaling.md "Fault tests"): an ingestor (a real child
 * process) consumes a steady stream of predictions while one node fails; each test counts
 * the events produced against the rows stored, distinct (what the analyst views count) and
 * physical (per replica), and prints one line of figures. Expected every time: 0 lost,
 * 0 duplicates visible to analysts, and the same ingestor process healthy at the end.
 */
import { topicMap, valueSubject } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { createClickHouse } from '@vigil/storage';
import { Producer } from 'kafkajs';
import { deleteTopics, dropDatabase, eventually, queryCount, testInfrastructure } from '../support/stack';
import { freePort, IngestorProcess, ingestorEnv, latestId, prediction } from '../ingest/support';
import { HttpAnswer, nodePid, queryReplica2, replicaUrls, setReplica2Link, startMissingNodes, stopNode } from './support';

/** Events per produce call and the pause between calls: ~400 events/s, a load 2 cores carry beside 7 servers. */
const CHUNK = 200;
const CHUNK_PAUSE_MS = 500;
const PARTITIONS = 3;
/** How long the stream runs before each fault: 10 chunks, ~2 000 events on the way. */
const STREAM_BEFORE_FAULT_MS = 5_000;

interface Figures {
  produced: number;
  distinct: number;
  analystRows: number;
  physical: number[];
}

/** One test's stream: its own database, topics, ingestor and producer. */
class FaultRun {
  readonly config;
  readonly topics;
  readonly kafka;
  private readonly registry;
  private readonly replicas: ReturnType<typeof createClickHouse>[];
  readonly ingestor: IngestorProcess[] = [];
  private producer: Producer | undefined;
  private produced = 0;
  private producing: Promise<void> | undefined;
  private stopProducing = false;
  sendRetries = 0;

  constructor(label: string) {
    this.config = testInfrastructure(label);
    this.topics = topicMap(this.config.topicPrefix);
    this.kafka = createKafka({ brokers: this.config.kafkaBrokers, clientId: `test-${this.config.runId}` });
    this.registry = createSchemaRegistry(this.config.schemaRegistry);
    this.replicas = replicaUrls().map((url) => createClickHouse({ ...this.config.clickhouse, url }));
  }

  /** `ingestors` processes in one group, started together, on `partitions` partitions. */
  async setUp(ingestors = 1, partitions = PARTITIONS): Promise<void> {
    await ensureTopics(this.kafka, this.topics, { partitions });
    await registerContracts(this.registry, this.topics);
    const started: IngestorProcess[] = [];
    for (let i = 0; i < ingestors; i++) started.push(await this.addIngestor());
    await Promise.all(started.map((ingestor) => ingestor.startHealthy()));
    this.producer = this.kafka.producer();
    await this.producer.connect();
  }

  /** One more ingestor of the run's group (not started). */
  async addIngestor(): Promise<IngestorProcess> {
    const env = ingestorEnv(this.config, { INGESTOR_GROUP_ID: `ingestor-${this.config.runId}`, INGEST_BATCH_MAX_ROWS: '500', INGEST_RETRY_MAX_MS: '2000' });
    const ingestor = new IngestorProcess(env, await freePort());
    this.ingestor.push(ingestor);
    return ingestor;
  }

  /** Produces chunks until stopped; a send that fails is sent again (same event ids). */
  startProducing(): void {
    this.producing = (async () => {
      const schemaId = await latestId(this.registry, valueSubject(this.topics.predictions));
      const base = Date.UTC(2026, 10, 20);
      while (!this.stopProducing) {
        const messages = [];
        for (let i = this.produced; i < this.produced + CHUNK; i++) {
          const model = `model-${i % 6}`;
          const event = prediction({ eventId: `p-${i}`, modelId: model, eventTime: new Date(base + i * 10) });
          messages.push({ key: model, value: await this.registry.encode(schemaId, event) });
        }
        for (;;) {
          try {
            await this.producer!.send({ topic: this.topics.predictions, acks: -1, messages });
            break;
          } catch {
            this.sendRetries++;
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
        this.produced += CHUNK;
        await new Promise((resolve) => setTimeout(resolve, CHUNK_PAUSE_MS));
      }
    })();
  }

  async stopProducingAndSettle(): Promise<Figures> {
    this.stopProducing = true;
    await this.producing;
    const produced = this.produced;
    // Every replica holds every event once replication has caught up.
    for (const replica of this.replicas) {
      await eventually(
        () => queryCount(replica, 'SELECT uniqExact(event_id) AS n FROM predictions_local').catch(() => -1),
        (n) => n === produced,
        180_000,
      );
    }
    const [first] = this.replicas;
    return {
      produced,
      distinct: await queryCount(first, 'SELECT uniqExact(event_id) AS n FROM unique_predictions'),
      analystRows: await queryCount(first, 'SELECT count() AS n FROM unique_predictions'),
      physical: await Promise.all(this.replicas.map((r) => queryCount(r, 'SELECT count() AS n FROM predictions_local'))),
    };
  }

  /** Inserts the first ingestor retried (vigil_ingest_storage_retries_total). */
  async insertRetries(): Promise<number> {
    const line = (await this.ingestor[0].metrics()).split('\n').find((l) => l.startsWith('vigil_ingest_storage_retries_total'));
    return Number(line?.split(' ')[1] ?? 0);
  }

  /** Each ingestor still the process it started as, answering /health with 200. */
  async ingestorsHealthy(): Promise<boolean[]> {
    return Promise.all(this.ingestor.map(async (i) => i.running && (await i.tryGet('/health'))?.status === 200));
  }

  async tearDown(): Promise<void> {
    this.stopProducing = true;
    await this.producing?.catch(() => undefined);
    await this.producer?.disconnect();
    for (const ingestor of this.ingestor) await ingestor.stop('SIGKILL');
    for (const replica of this.replicas) await replica.close();
    await deleteTopics(this.kafka, this.config.topicPrefix);
    await dropDatabase(this.config);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The sum of a Prometheus counter's series in a /metrics text. */
const metricSum = (text: string, name: string): number =>
  text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);

function report(fault: string, figures: Figures, run: FaultRun, extra: string): void {
  process.stdout.write(
    `[cluster fault] ${fault}: produced ${figures.produced}, stored distinct ${figures.distinct}, lost ${figures.produced - figures.distinct}, ` +
      `analyst rows ${figures.analystRows} (duplicates visible ${figures.analystRows - figures.distinct}), physical rows per replica ${figures.physical.join('/')}, ` +
      `producer sends retried ${run.sendRetries}; ${extra}\n`,
  );
}

function expectExact(figures: Figures): void {
  expect(figures.distinct).toBe(figures.produced);
  expect(figures.analystRows).toBe(figures.produced);
}

/**
 * One outage while ingesting: 10 s of stream, `node` stopped with SIGTERM for `downMs`, every
 * node started again, `afterMs` more stream, then the stream stopped and the stores settled.
 */
async function outage(run: FaultRun, node: string, downMs: number, afterMs: number) {
  await run.setUp();
  run.startProducing();
  await sleep(STREAM_BEFORE_FAULT_MS);
  await stopNode(node, 'SIGTERM');
  const stoppedAt = Date.now();
  await sleep(downMs);
  startMissingNodes();
  const down = Date.now() - stoppedAt;
  await sleep(afterMs);
  const figures = await run.stopProducingAndSettle();
  const settled = Date.now() - stoppedAt - down;
  return { figures, down, settled, healthy: await run.ingestorsHealthy(), retries: await run.insertRetries() };
}

describe('faults on the cluster', () => {
  let run: FaultRun;

  afterEach(async () => {
    await run.tearDown();
    // The next test starts on a whole cluster whatever this one left stopped.
    startMissingNodes();
  });

  it('kill -9 of the broker leading partition 0, then its restart', async () => {
    run = new FaultRun('cluster_broker');
    await run.setUp();
    run.startProducing();
    await sleep(STREAM_BEFORE_FAULT_MS);
    const admin = run.kafka.admin();
    await admin.connect();
    const leader = async () => (await admin.fetchTopicMetadata({ topics: [run.topics.predictions] })).topics[0].partitions.find((p) => p.partitionId === 0)!.leader;
    const victim = await leader();
    const killedAt = Date.now();
    await stopNode(`kafka-${victim}`, 'SIGKILL');
    await sleep(15_000);
    const newLeader = await leader();
    startMissingNodes();
    const restartedIn = Date.now() - killedAt;
    // Back in every in-sync replica set: all three copies of each partition again.
    const rejoined = await eventually(
      async () => (await admin.fetchTopicMetadata({ topics: [run.topics.predictions] })).topics[0].partitions.every((p) => p.isr.length === 3),
      (ok) => ok,
      120_000,
    );
    await admin.disconnect();
    await sleep(5_000);
    const figures = await run.stopProducingAndSettle();
    const healthy = await run.ingestorsHealthy();
    report(
      `kill -9 kafka-${victim} (leader of partition 0)`,
      figures,
      run,
      `partition 0 led by broker ${newLeader} meanwhile, broker restarted after ${Math.round(restartedIn / 1000)} s and back in every ISR (${rejoined}), ingestor healthy without restart: ${healthy}`,
    );
    expect(newLeader).not.toBe(victim);
    expectExact(figures);
    expect(healthy).toEqual([true]);
  }, 420_000);

  it('a ClickHouse replica stopped for 60 s while ingesting', async () => {
    run = new FaultRun('cluster_replica');
    // Replica 2: the ingestor writes through replica 1, whose Distributed table stores locally.
    const { figures, down, settled, healthy, retries } = await outage(run, 'clickhouse-2', 60_000, 5_000);
    report(
      'clickhouse-2 stopped',
      figures,
      run,
      `down ${Math.round(down / 1000)} s, ${retries} inserts retried, replica 2 found holding every event ${Math.round(settled / 1000)} s after its restart (first look; the stream ran 5 s of that), ingestor healthy without restart: ${healthy}`,
    );
    expectExact(figures);
    expect(healthy).toEqual([true]);
  }, 420_000);

  it('the ClickHouse replica the ingestor writes through stopped for 60 s', async () => {
    run = new FaultRun('cluster_own_replica');
    // Replica 1 is CLICKHOUSE_URL: the ingestor's inserts fail, it pauses and retries, commits nothing.
    const { figures, down, healthy, retries } = await outage(run, 'clickhouse-1', 60_000, 5_000);
    report("clickhouse-1 (the ingestor's) stopped", figures, run, `down ${Math.round(down / 1000)} s, ${retries} inserts retried, ingestor healthy without restart: ${healthy}`);
    expectExact(figures);
    expect(retries).toBeGreaterThan(0);
    expect(healthy).toEqual([true]);
  }, 420_000);

  it('four ingestors in one group, one killed -9 mid-stream', async () => {
    run = new FaultRun('cluster_ingestors');
    // Four partitions: one each while all four run.
    await run.setUp(4, 4);
    run.startProducing();
    await sleep(STREAM_BEFORE_FAULT_MS);
    await run.ingestor[3].kill();
    // The survivors get the dead member's partition once the group's session times out.
    await sleep(15_000);
    const figures = await run.stopProducingAndSettle();
    const healthy = await run.ingestorsHealthy();
    report('ingestor 4 of 4 killed -9', figures, run, `surviving ingestors healthy: ${healthy.slice(0, 3).join('/')}, killed one running: ${healthy[3]}`);
    expectExact(figures);
    expect(healthy).toEqual([true, true, true, false]);
  }, 420_000);

  it('an ingestor killed -9 between its insert and its commit: the replay is the same block, stored once', async () => {
    run = new FaultRun('cluster_replay');
    await run.setUp();
    const replica1 = createClickHouse(run.config.clickhouse);
    // Server-wide: blocks a replicated table dropped as already stored (taken as a difference).
    const duplicateBlocks = () => queryCount(replica1, "SELECT sum(value) AS n FROM system.events WHERE event = 'DuplicatedInsertedBlocks'");
    const duplicatesBefore = await duplicateBlocks();
    run.startProducing();
    await sleep(STREAM_BEFORE_FAULT_MS);
    const brokers = ['kafka-1', 'kafka-2', 'kafka-3'].map(nodePid);
    const ownReplica = nodePid('clickhouse-1');
    // Replica 1 frozen: the next flush writes its intent down, then its insert waits.
    process.kill(ownReplica, 'SIGSTOP');
    await sleep(3_000);
    // Kafka frozen, replica 1 thawed: the insert lands and its commit cannot be made.
    for (const pid of brokers) process.kill(pid, 'SIGSTOP');
    process.kill(ownReplica, 'SIGCONT');
    await sleep(3_000);
    await run.ingestor[0].kill();
    for (const pid of brokers) process.kill(pid, 'SIGCONT');
    // The next owner of the partitions reads the intents and sends the same blocks again.
    const successor = await run.addIngestor();
    await successor.startHealthy();
    await sleep(5_000);
    const figures = await run.stopProducingAndSettle();
    const replayed = metricSum(await successor.metrics(), 'vigil_ingest_replayed_blocks_total');
    const dropped = (await duplicateBlocks()) - duplicatesBefore;
    await replica1.close();
    const healthy = await run.ingestorsHealthy();
    report(
      'ingestor killed -9 between insert and commit',
      figures,
      run,
      `spans replayed from their intents by the successor ${replayed}, blocks replica 1 dropped as duplicates ${dropped}, successor healthy: ${healthy[1]}`,
    );
    expectExact(figures);
    // No replayed row reached the disk: every replica holds each event exactly once.
    expect(figures.physical).toEqual(figures.physical.map(() => figures.produced));
    expect(replayed).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);
    expect(healthy).toEqual([false, true]);
  }, 420_000);

  it('ZooKeeper restarted while ingesting', async () => {
    run = new FaultRun('cluster_zookeeper');
    // Replicated tables are read-only without ZooKeeper: inserts fail and the ingestor retries.
    const { figures, down, healthy, retries } = await outage(run, 'zookeeper', 10_000, 10_000);
    report('zookeeper restarted', figures, run, `down ${Math.round(down / 1000)} s, ${retries} inserts retried, ingestor healthy without restart: ${healthy}`);
    // The fault was felt: replicated tables refused inserts while ZooKeeper was away.
    expect(retries).toBeGreaterThan(0);
    expectExact(figures);
    expect(healthy).toEqual([true]);
  }, 420_000);

  it('clickhouse-2 partitioned from ZooKeeper and replica 1 for 60 s, then healed', async () => {
    run = new FaultRun('cluster_partition');
    await run.setUp();
    const { database, cluster, user, password } = run.config.clickhouse;
    const credentials = { user, password };
    const replica1 = createClickHouse(run.config.clickhouse);
    // A replicated table of the test's own for replica 2's writers to try: the stream's tables get only the stream.
    await replica1.command({
      query: `CREATE TABLE ${database}.partition_probe ON CLUSTER ${cluster} (n UInt32) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/${database}/partition_probe', '{replica}') ORDER BY n`,
    });
    const replica2Pid = nodePid('clickhouse-2');
    const readonly = `SELECT is_readonly FROM system.replicas WHERE database = '${database}' AND table = 'predictions_local'`;
    run.startProducing();
    await sleep(STREAM_BEFORE_FAULT_MS);
    setReplica2Link('down');
    const cutAt = Date.now();
    // What replica 2's clients see, every ~5 s: from this host, and from its own side of the cut.
    const samples: { at: number; host: HttpAnswer; read: HttpAnswer; readonly: HttpAnswer; write: HttpAnswer; replica1Rows: number }[] = [];
    while (Date.now() - cutAt < 60_000) {
      const at = Date.now() - cutAt;
      const [host, read, ro, write] = await Promise.all([
        queryReplica2('host', 'SELECT 1', credentials, 5),
        queryReplica2('replica2-side', `SELECT count() FROM ${database}.predictions_local`, credentials, 5),
        queryReplica2('replica2-side', readonly, credentials, 5),
        queryReplica2('replica2-side', `INSERT INTO ${database}.partition_probe VALUES (${samples.length})`, credentials, 15),
      ]);
      const replica1Rows = await queryCount(replica1, 'SELECT count() AS n FROM predictions_local');
      samples.push({ at, host, read, readonly: ro, write, replica1Rows });
      await sleep(Math.max(0, at + 5_000 - (Date.now() - cutAt)));
    }
    setReplica2Link('up');
    const healedAt = Date.now();
    await eventually(
      () => queryReplica2('host', readonly, credentials, 5),
      (a) => a.ok && a.text === '0',
      120_000,
    );
    const writableIn = Date.now() - healedAt;
    await sleep(5_000);
    const figures = await run.stopProducingAndSettle();
    const settled = Date.now() - healedAt;
    await replica1.close();
    const healthy = await run.ingestorsHealthy();
    const last = samples[samples.length - 1];
    const firstReadonly = samples.find((s) => s.readonly.ok && s.readonly.text === '1');
    const firstWriteError = samples.find((s) => !s.write.ok);
    const hostErrors = new Set(samples.filter((s) => !s.host.ok).map((s) => s.host.text.replace(/after \d+ ms/, 'after … ms')));
    const seconds = (ms: number) => Math.round(ms / 1000);
    report(
      'clickhouse-2 partitioned',
      figures,
      run,
      `cut ${seconds(healedAt - cutAt)} s (${samples.length} samples); from this host replica 2 answered ${samples.filter((s) => s.host.ok).length} of them (${[...hostErrors].join(' | ')}); ` +
        `on its side reads answered ${samples.filter((s) => s.read.ok).length}, its rows ${samples.map((s) => s.read.text).join('→')} while replica 1 went ${samples[0].replica1Rows}→${last.replica1Rows}; ` +
        `read-only from ${firstReadonly ? `${seconds(firstReadonly.at)} s` : 'never'}, inserts refused ${samples.filter((s) => !s.write.ok).length} of ${samples.length}` +
        `${firstWriteError ? ` (first at ${seconds(firstWriteError.at)} s in ${seconds(firstWriteError.write.ms)} s: ${firstWriteError.write.text.slice(0, 120)})` : ''}; ` +
        `after the heal writable in ${seconds(writableIn)} s and holding every event ${seconds(settled)} s after it (first look; the stream ran 5 s of that), ` +
        `same clickhouse-2 process: ${nodePid('clickhouse-2') === replica2Pid}, ingestor healthy without restart: ${healthy}`,
    );
    expectExact(figures);
    expect(healthy).toEqual([true]);
    expect(nodePid('clickhouse-2')).toBe(replica2Pid);
    // The cut was real: this host never reached replica 2, its own side always did and saw stale rows.
    expect(samples.filter((s) => s.host.ok)).toEqual([]);
    expect(samples.filter((s) => !s.read.ok)).toEqual([]);
    expect(Number(last.read.text)).toBeLessThan(last.replica1Rows);
    expect(firstWriteError).toBeDefined();
  }, 420_000);
});
