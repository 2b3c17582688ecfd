/**
 * Backpressure: ClickHouse goes away for 30 s mid-stream. The ingestor (child process)
 * pauses, reports `degraded` with HTTP 200, retries with capped backoff and, once
 * ClickHouse is back, lands every event. Uses a private clickhouse-server on free ports
 * (the shared one serves other tests), and checks that the server answering on them is
 * the one this test spawned before trusting any figure.
 */
import { topicMap, valueSubject } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { ClickHouseClient } from '@clickhouse/client';
import { createClickHouse } from '@vigil/storage';
import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, testInfrastructure } from '../support/stack';
import { deleteTopics, freePort, IngestorProcess, ingestorEnv, latestId, prediction, produce, REPO } from './support';

const base = testInfrastructure('ingest_outage');
const kafka = createKafka({ brokers: base.kafkaBrokers, clientId: `test-${base.runId}` });
const registry = createSchemaRegistry(base.schemaRegistry);
const OUTAGE_MS = 30_000;
const BEFORE = 3_000;
const DURING = 3_000;

/**
 * A throwaway clickhouse-server from infra/clickhouse/*.template in a temp dir, on free
 * ports. Its user_files folder holds a random token: reading it back through
 * `file()` over HTTP proves the server answering is this one (another server on the
 * port, or our server failing to bind, fails the test instead of passing silently).
 */
class PrivateClickHouse {
  private readonly dir = mkdtempSync(join(tmpdir(), 'vigil-ch-'));
  private readonly token = randomBytes(8).toString('hex');
  private server: ChildProcess | undefined;

  private constructor(readonly httpPort: number, tcpPort: number, interserverPort: number) {
    const data = join(this.dir, 'data');
    for (const sub of ['tmp', 'user_files', 'format_schemas']) mkdirSync(join(data, sub), { recursive: true });
    writeFileSync(join(data, 'user_files', 'identity.tsv'), `${this.token}\n`);
    const fill = (template: string) =>
      readFileSync(join(REPO, 'infra', 'clickhouse', template), 'utf8')
        .replaceAll('@LOG_DIR@', this.dir)
        .replaceAll('@DATA_DIR@', data)
        .replaceAll('@CONF_DIR@', this.dir)
        .replaceAll('@HTTP_PORT@', String(httpPort))
        .replaceAll('@TCP_PORT@', String(tcpPort))
        .replaceAll('@INTERSERVER_PORT@', String(interserverPort))
        .replaceAll('@USER@', 'default')
        // SHA-256 of the empty password (users.xml.template stores only hashes).
        .replaceAll('@PASSWORD_SHA256@', createHash('sha256').update('').digest('hex'));
    writeFileSync(join(this.dir, 'config.xml'), fill('config.xml.template'));
    writeFileSync(join(this.dir, 'users.xml'), fill('users.xml.template'));
  }

  static async create(): Promise<PrivateClickHouse> {
    return new PrivateClickHouse(await freePort(), await freePort(), await freePort());
  }

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  async start(): Promise<void> {
    const server = spawn('clickhouse-server', [`--config-file=${join(this.dir, 'config.xml')}`], { stdio: 'ignore' });
    this.server = server;
    const exited = new Promise<never>((_, reject) =>
      server.once('exit', (code, signal) => reject(new Error(`private clickhouse-server exited during start (code ${code}, signal ${signal}); see ${this.dir}`))),
    );
    const answered = eventually(
      () => this.identity().then((token) => token, () => undefined),
      (token) => token !== undefined,
      30_000,
    );
    const token = await Promise.race([answered, exited]);
    server.removeAllListeners('exit');
    if (token !== this.token) throw new Error(`the server on port ${this.httpPort} is not the one this test spawned`);
  }

  /** The token from this server's own user_files, read through the HTTP port. */
  private async identity(): Promise<string> {
    const query = "SELECT token FROM file('identity.tsv', 'TSV', 'token String')";
    const response = await fetch(this.url, { method: 'POST', body: query });
    if (!response.ok) throw new Error(await response.text());
    return (await response.text()).trim();
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('ingestor during a ClickHouse outage', () => {
  let clickhouseServer: PrivateClickHouse;
  let clickhouse: ClickHouseClient;
  let ingestor: IngestorProcess;
  const topics = topicMap(base.topicPrefix);

  async function distinctPredictions(): Promise<number> {
    try {
      const result = await clickhouse.query({ query: 'SELECT uniqExact(event_id) AS n FROM predictions', format: 'JSONEachRow' });
      return Number((await result.json<{ n: string }>())[0].n);
    } catch {
      return -1;
    }
  }

  beforeAll(async () => {
    clickhouseServer = await PrivateClickHouse.create();
    await clickhouseServer.start();
    const config = { ...base, clickhouse: { ...base.clickhouse, url: clickhouseServer.url, user: 'default', password: '' } };
    clickhouse = createClickHouse(config.clickhouse);
    await ensureTopics(kafka, topics, { partitions: 2 });
    await registerContracts(registry, topics);
    ingestor = new IngestorProcess(
      ingestorEnv(config, { INGESTOR_GROUP_ID: `ingestor-${base.runId}`, INGEST_RETRY_INITIAL_MS: '200', INGEST_RETRY_MAX_MS: '2000' }),
      await freePort(),
    );
  });

  afterAll(async () => {
    await ingestor?.stop('SIGKILL');
    await clickhouse?.close();
    await clickhouseServer?.stop();
    clickhouseServer?.remove();
    await deleteTopics(kafka, base.topicPrefix);
  });

  it('pauses, reports degraded with HTTP 200 and lands every event once ClickHouse returns', async () => {
    const predictionId = await latestId(registry, valueSubject(topics.predictions));
    const producer = kafka.producer();
    await producer.connect();
    const send = async (from: number, n: number) => {
      const records = [];
      for (let i = from; i < from + n; i++) {
        const event = prediction({ eventId: `o-${i}`, modelId: `model-${i % 3}`, eventTime: new Date(Date.UTC(2026, 10, 25) + i) });
        records.push({ key: event.modelId, value: await registry.encode(predictionId, event) });
      }
      await produce(producer, topics.predictions, records);
    };

    ingestor.start();
    await send(0, BEFORE);
    await eventually(distinctPredictions, (n) => n === BEFORE, 60_000);

    await clickhouseServer.stop();
    const stoppedAt = Date.now();
    await send(BEFORE, DURING);
    const degraded = await eventually(
      () => ingestor.health(),
      (h) => h?.body.info?.ingestor?.degraded === true,
      20_000,
    );
    expect(degraded?.httpStatus).toBe(200);
    expect(degraded?.body.info?.ingestor).toMatchObject({ status: 'up', degraded: true, consumer: 'paused' });

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    await clickhouseServer.start();
    // Backoff is capped at 2 s, so the next retry comes within ~2 s of the restart.
    await eventually(distinctPredictions, (n) => n === BEFORE + DURING, 30_000);
    const recovered = await eventually(() => ingestor.health(), (h) => h?.body.info?.ingestor?.degraded === false, 10_000);
    expect(recovered?.body.info?.ingestor).toMatchObject({ status: 'up', consumer: 'running' });
    const metrics = await ingestor.metrics();
    expect(Number(/vigil_ingest_storage_retries_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
    await producer.disconnect();
  });
});
