/**
 * The traffic simulator as a command: `node -r ./bin/register-paths.js
 * dist/apps/simulator/src/main.js --scenario sudden-drift --rate 100 --duration 60`.
 * Prints one JSON line per progress report and a final line with the run's stats;
 * exits 1 when a send failed, 2 on bad arguments.
 */
import { loadInfrastructureConfig } from '@vigil/common';
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics } from '@vigil/messaging';
import { KafkaMalformedSink } from './malformed';
import { parseSimulatorArgs, SimulatorArguments, USAGE } from './options';
import { runSimulation } from './simulation';
import { connectVigil } from './connect';

const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function simulate(args: SimulatorArguments): Promise<number> {
  const config = loadInfrastructureConfig();
  const topics = topicMap(config.topicPrefix);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `${config.kafkaClientId}-simulator`, security: config.kafkaSecurity });
  await ensureTopics(kafka, topics, { partitions: args.partitions });
  const vigil = await connectVigil(config, kafka);
  const malformed = args.simulation.scenario.scenarios.includes('malformed')
    ? await KafkaMalformedSink.connect(kafka, createSchemaRegistry(config.schemaRegistry), topics)
    : undefined;
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());

  const { simulation } = args;
  print({ event: 'start', topicPrefix: config.topicPrefix, ...simulation });
  try {
    const stats = await runSimulation(simulation, vigil, {
      malformed,
      signal: stop.signal,
      onProgress: (progress) => print({ event: 'progress', ...progress }),
    });
    print({ event: 'done', ...stats });
    return stats.sendErrors > 0 ? 1 : 0;
  } finally {
    await malformed?.close();
    await vigil.close();
  }
}

async function main(): Promise<number> {
  let args: SimulatorArguments;
  try {
    args = parseSimulatorArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  return simulate(args);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`simulator failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
