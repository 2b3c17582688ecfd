import { parseArgs } from 'node:util';
import { MODELS } from './models';
import { parseScenarios, SCENARIOS } from './scenarios';
import { SimulationOptions } from './simulation';

export interface SimulatorArguments {
  simulation: SimulationOptions;
  /** Partitions of topics the simulator creates when they are missing. */
  partitions: number;
  help: boolean;
}

export const USAGE = `vigil simulator: publishes realistic model traffic through @vigil/sdk

  --scenario LIST        comma-separated: ${SCENARIOS.join(', ')} (default steady)
  --rate N               predictions per second, all models together; 0 = unthrottled (default 50)
  --duration S           run length in seconds; events = rate x duration (default 60)
  --events N             number of predictions instead of --duration
  --seed N               seed of every random draw (default 42)
  --models LIST          comma-separated: ${Object.keys(MODELS).join(', ')} (default all)
  --time-scale N         simulated seconds per wall second for label delays (default 600)
  --label-delay S        mean label delay in simulated seconds, exponential (default 1800)
  --label-missing P      share of labels that never arrive (default 0.1)
  --change-at P          share of the run at which drift, deployment or spike starts (default 0.5)
  --spike-length P       share of the run a latency spike lasts (default 0.25)
  --malformed-share P    share of records replaced by malformed ones under "malformed" (default 0.05)
  --progress-interval S  seconds between progress lines (default 2)
  --partitions N         partitions of topics created when missing (default 3)

Connection from the environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, VIGIL_TOPIC_PREFIX.`;

function number(text: string | undefined, flag: string, fallback: number, check: (n: number) => boolean, expected: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) {
    throw new Error(`--${flag}: expected ${expected}, got "${text}"`);
  }
  return value;
}

const share = (n: number) => n >= 0 && n <= 1;
const positive = (n: number) => n > 0;
const nonNegative = (n: number) => n >= 0;
const positiveInteger = (n: number) => Number.isInteger(n) && n > 0;

export function parseSimulatorArgs(argv: string[]): SimulatorArguments {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      scenario: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      events: { type: 'string' },
      seed: { type: 'string' },
      models: { type: 'string' },
      'time-scale': { type: 'string' },
      'label-delay': { type: 'string' },
      'label-missing': { type: 'string' },
      'change-at': { type: 'string' },
      'spike-length': { type: 'string' },
      'malformed-share': { type: 'string' },
      'progress-interval': { type: 'string' },
      partitions: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const rate = number(values.rate, 'rate', 50, nonNegative, 'a number >= 0');
  const models = (values.models ?? Object.keys(MODELS).join(','))
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m);
  for (const model of models) {
    if (!MODELS[model]) throw new Error(`--models: unknown model "${model}"; known: ${Object.keys(MODELS).join(', ')}`);
  }
  let events: number;
  if (values.events !== undefined) {
    if (values.duration !== undefined) throw new Error('--events and --duration exclude each other');
    events = number(values.events, 'events', 0, positiveInteger, 'a positive integer');
  } else {
    const duration = number(values.duration, 'duration', 60, positive, 'a positive number of seconds');
    if (rate === 0) throw new Error('--rate 0 (unthrottled) needs --events');
    events = Math.max(1, Math.round(rate * duration));
  }
  return {
    help: values.help ?? false,
    partitions: number(values.partitions, 'partitions', 3, positiveInteger, 'a positive integer'),
    simulation: {
      seed: number(values.seed, 'seed', 42, Number.isInteger, 'an integer'),
      models,
      events,
      rate,
      timeScale: number(values['time-scale'], 'time-scale', 600, positive, 'a positive number'),
      labelDelayMeanS: number(values['label-delay'], 'label-delay', 1800, nonNegative, 'a number of seconds >= 0'),
      labelMissingShare: number(values['label-missing'], 'label-missing', 0.1, share, 'a share between 0 and 1'),
      progressIntervalMs: 1000 * number(values['progress-interval'], 'progress-interval', 2, positive, 'a positive number of seconds'),
      scenario: {
        scenarios: parseScenarios(values.scenario ?? 'steady'),
        changeAt: number(values['change-at'], 'change-at', 0.5, share, 'a share between 0 and 1'),
        spikeLength: number(values['spike-length'], 'spike-length', 0.25, share, 'a share between 0 and 1'),
        malformedShare: number(values['malformed-share'], 'malformed-share', 0.05, share, 'a share between 0 and 1'),
      },
    },
  };
}
