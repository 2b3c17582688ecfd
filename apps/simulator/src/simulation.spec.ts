import { LabelInput, ModelDeployedInput, PredictionInput } from '@vigil/sdk';
import { Clock, MalformedSink, runSimulation, SimulationOptions, SimulationSink } from './simulation';
import { MalformedKind } from './traffic';

/** Time moves only when the simulation sleeps, so a run of minutes takes milliseconds. */
class FakeClock implements Clock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
}

class RecordingSink implements SimulationSink {
  readonly sent: { at: number; kind: string; input: PredictionInput | LabelInput | ModelDeployedInput }[] = [];
  flushes = 0;
  constructor(private readonly clock: FakeClock) {}
  async recordPrediction(input: PredictionInput): Promise<string> {
    this.sent.push({ at: this.clock.t, kind: 'prediction', input });
    return input.eventId!;
  }
  async recordLabel(input: LabelInput): Promise<string> {
    this.sent.push({ at: this.clock.t, kind: 'label', input });
    return input.eventId!;
  }
  async recordModelDeployed(input: ModelDeployedInput): Promise<string> {
    this.sent.push({ at: this.clock.t, kind: 'deployment', input });
    return 'd';
  }
  async flush(): Promise<void> {
    this.flushes += 1;
  }
}

function options(overrides: Partial<SimulationOptions> = {}): SimulationOptions {
  let n = 0;
  return {
    seed: 7,
    models: ['card-fraud', 'basket-value'],
    events: 200,
    rate: 10,
    timeScale: 60,
    progressIntervalMs: 5_000,
    labelDelayMeanS: 120,
    labelMissingShare: 0.2,
    newId: () => `id-${++n}`,
    scenario: { scenarios: ['steady'], changeAt: 0.5, spikeLength: 0.25, malformedShare: 0.05 },
    ...overrides,
  };
}

describe('runSimulation', () => {
  it('paces predictions at the rate and sends each label after its scaled delay', async () => {
    const clock = new FakeClock();
    const sink = new RecordingSink(clock);
    const progress: number[] = [];
    const stats = await runSimulation(options(), sink, { clock, onProgress: (p) => progress.push(p.predictions) });

    const predictions = sink.sent.filter((s) => s.kind === 'prediction');
    const labels = sink.sent.filter((s) => s.kind === 'label');
    expect(sink.sent.slice(0, 2).map((s) => s.kind)).toEqual(['deployment', 'deployment']);
    // Rate 10/s: prediction i leaves at start + 100 i ms.
    expect(predictions.map((p) => p.at - 1_000_000)).toEqual(predictions.map((_, i) => 100 * i));
    // Each label comes after its prediction: delay = exponential(120 s simulated) / time scale 60, so >= 0.
    const sentAt = new Map(predictions.map((p) => [(p.input as PredictionInput).eventId, p.at]));
    for (const label of labels) {
      expect(label.at).toBeGreaterThanOrEqual(sentAt.get((label.input as LabelInput).predictionEventId)!);
    }
    expect(labels.map((l) => l.at)).toEqual([...labels.map((l) => l.at)].sort((a, b) => a - b));
    expect(stats.predictions).toBe(200);
    expect(stats.labels + stats.labelsWithheld).toBe(200);
    expect(stats.labels).toBe(labels.length);
    expect(stats.labelsAbandoned).toBe(0);
    expect(stats.models['card-fraud'].predictions + stats.models['basket-value'].predictions).toBe(200);
    expect(stats.models['card-fraud'].deployments).toEqual(['v1']);
    expect(stats.models['card-fraud'].quality.before.accuracy).toEqual(expect.any(Number));
    expect(stats.models['basket-value'].quality.after.meanAbsoluteError).toEqual(expect.any(Number));
    // The run lasts until the last label: 20 s of predictions plus the tail of the delays.
    expect(stats.elapsedS).toBeGreaterThanOrEqual(19.9);
    expect(stats.elapsedS).toBe((clock.t - 1_000_000) / 1000);
    // Progress every 5 simulated-wall seconds while 200 predictions go out over 20 s.
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(stats.sendErrors).toBe(0);
  });

  it('counts failed sends instead of stopping', async () => {
    const clock = new FakeClock();
    const sink = new RecordingSink(clock);
    sink.recordLabel = async () => {
      throw new Error('broker unavailable');
    };
    const stats = await runSimulation(options({ rate: 0 }), sink, { clock });
    expect(stats.sendErrors).toBe(stats.labels);
    expect(stats.firstSendError).toBe('broker unavailable');
  });

  it('sends malformed records through the raw sink', async () => {
    const clock = new FakeClock();
    const kinds: MalformedKind[] = [];
    const malformed: MalformedSink = { send: async (kind) => void kinds.push(kind) };
    const stats = await runSimulation(
      options({ events: 1000, rate: 0, scenario: { scenarios: ['malformed'], changeAt: 0.5, spikeLength: 0.25, malformedShare: 0.1 } }),
      new RecordingSink(clock),
      { clock, malformed },
    );
    expect(kinds).toHaveLength(stats.malformed);
    expect(stats.malformed + stats.predictions).toBe(1000);
    // 10 % of 1000, binomial sd 9.5.
    expect(Math.abs(stats.malformed - 100)).toBeLessThan(30);
    await expect(
      runSimulation(options({ scenario: { scenarios: ['malformed'], changeAt: 0.5, spikeLength: 0.25, malformedShare: 0.1 } }), new RecordingSink(clock), { clock }),
    ).rejects.toThrow('needs a MalformedSink');
  });

  it('stops on abort, abandoning labels still due', async () => {
    const clock = new FakeClock();
    const stop = new AbortController();
    const sink = new RecordingSink(clock);
    const stats = await runSimulation(options({ labelMissingShare: 0, timeScale: 1 }), sink, {
      clock,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.predictions >= 50) stop.abort();
      },
    });
    expect(stats.predictions).toBeLessThan(200);
    expect(stats.labelsAbandoned).toBeGreaterThan(0);
    expect(stats.labels + stats.labelsAbandoned).toBe(stats.predictions);
  });
});
