/**
 * The story runner of `npm run demo` (scripts/demo.sh starts the services first):
 * `node -r ./bin/register-paths.js dist/apps/simulator/src/demo/main.js`.
 * Exit code 0 when the story ran to its end, 1 when a phase timed out or failed, 130 on Ctrl-C.
 */
import { loadInfrastructureConfig } from '@vigil/common';
import { topicMap } from '@vigil/contracts';
import { AvroDecoder, createKafka, createSchemaRegistry } from '@vigil/messaging';
import { Kafka } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { KafkaMalformedSink } from '../malformed';
import { DemoTimeoutError, LifecycleFeed } from './lifecycle-feed';
import { DEFAULT_STORY, Story } from './story';
import { connectVigil } from '../connect';

const print = (line: string) => process.stdout.write(`${line}\n`);

/** Topics of earlier demo runs (another prefix under `demo.`): each run uses fresh ones. */
async function deleteEarlierDemoTopics(kafka: Kafka, prefix: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const stale = (await admin.listTopics()).filter((t) => t.startsWith('demo.') && !t.startsWith(prefix));
    if (stale.length > 0) await admin.deleteTopics({ topics: stale, timeout: 30_000 });
    return stale.length;
  } finally {
    await admin.disconnect();
  }
}

/** The token in a file scripts/demo.sh wrote (0600), so it never appears in argv, env dumps or logs. */
function readTokenFile(variable: string, env: NodeJS.ProcessEnv): string {
  const path = env[variable];
  if (!path) throw new Error(`${variable} is not set: run the demo with npm run demo (scripts/demo.sh makes the API tokens)`);
  return readFileSync(path, 'utf8').trim();
}

async function main(): Promise<number> {
  const config = loadInfrastructureConfig();
  const topics = topicMap(config.topicPrefix);
  const env = process.env;
  const tokenFiles = { read: env.DEMO_API_READ_TOKEN_FILE ?? '', write: env.DEMO_API_WRITE_TOKEN_FILE ?? '' };
  const urls = {
    ingestor: env.DEMO_INGESTOR_URL ?? 'http://127.0.0.1:3001',
    monitor: env.DEMO_MONITOR_URL ?? 'http://127.0.0.1:3002',
    orchestrator: env.DEMO_ORCHESTRATOR_URL ?? 'http://127.0.0.1:3003',
    clickhouse: config.clickhouse.url.replace(/\/$/, ''),
    readToken: readTokenFile('DEMO_API_READ_TOKEN_FILE', env),
  };
  const settings = { ...DEFAULT_STORY, metricWindow: Number(env.MONITOR_METRIC_WINDOW ?? DEFAULT_STORY.metricWindow) };
  const interrupted = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupted.abort());

  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `${config.kafkaClientId}-demo`, security: config.kafkaSecurity });
  const deleted = await deleteEarlierDemoTopics(kafka, config.topicPrefix).catch(() => 0);
  if (deleted > 0) print(`[demo] deleted ${deleted} topics of earlier demo runs`);
  const registry = createSchemaRegistry(config.schemaRegistry);
  const vigil = await connectVigil(config, kafka);
  const malformed = await KafkaMalformedSink.connect(kafka, registry, topics);
  const feed = await LifecycleFeed.start(kafka, new AvroDecoder(registry), topics, `${config.topicPrefix}story`);
  print(`[demo] topics ${config.topicPrefix}*, ClickHouse database ${config.clickhouse.database}`);
  try {
    await new Story({ vigil, malformed, feed, urls, tokenFiles, database: config.clickhouse.database, settings, signal: interrupted.signal, print }).run();
    print('');
    print('[demo] the story ran to its end');
    return 0;
  } catch (error) {
    if (interrupted.signal.aborted) {
      print('[demo] interrupted');
      return 130;
    }
    print('');
    print(error instanceof DemoTimeoutError ? `[demo] FAILED: ${error.message}` : `[demo] FAILED: ${error instanceof Error ? error.stack : String(error)}`);
    return 1;
  } finally {
    await feed.stop().catch(() => undefined);
    await malformed.close().catch(() => undefined);
    await vigil.close().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    print(`[demo] could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
