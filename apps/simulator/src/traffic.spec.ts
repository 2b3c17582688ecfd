import { conditionsAt, LAGGING_LABEL_FACTOR, Scenario, ScenarioSettings, SPIKE_LATENCY_FACTOR } from './scenarios';
import { generateTraffic, MalformedStep, PredictionStep, TrafficOptions, TrafficStep } from './traffic';
import { CARD_FRAUD_AMOUNT_MU } from './models';

function options(scenarios: Scenario[], overrides: Partial<TrafficOptions> = {}): TrafficOptions {
  let n = 0;
  const scenario: ScenarioSettings = { scenarios, changeAt: 0.5, spikeLength: 0.25, malformedShare: 0.05 };
  return {
    seed: 42,
    models: ['card-fraud', 'basket-value'],
    events: 4000,
    scenario,
    labelDelayMeanS: 60,
    labelMissingShare: 0.1,
    newId: () => `id-${++n}`,
    ...overrides,
  };
}

const all = (o: TrafficOptions) => [...generateTraffic(o)];
const predictions = (steps: TrafficStep[], modelId: string) => steps.filter((s): s is PredictionStep => s.kind === 'prediction' && s.prediction.modelId === modelId);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const before = (steps: PredictionStep[]) => steps.filter((s) => s.progress < 0.5);
const after = (steps: PredictionStep[]) => steps.filter((s) => s.progress >= 0.5);
const logAmount = (s: PredictionStep) => Math.log(s.prediction.numericFeatures!.amount!);
const accuracy = (steps: PredictionStep[]) => steps.filter((s) => s.correct).length / steps.length;

describe('generateTraffic', () => {
  it('is reproducible: one seed, one sequence of events', () => {
    const first = all(options(['steady']));
    expect(all(options(['steady']))).toEqual(first);
    expect(all(options(['steady'], { seed: 43 }))).not.toEqual(first);
    // Two models in turn: 4000 events, 2000 each, after one initial deployment per model.
    expect(first.slice(0, 2)).toEqual([
      { kind: 'deployment', deployment: { modelId: 'card-fraud', version: 'v1', reason: 'initial' } },
      { kind: 'deployment', deployment: { modelId: 'basket-value', version: 'v1', reason: 'initial' } },
    ]);
    expect(predictions(first, 'card-fraud')).toHaveLength(2000);
  });

  it('describes card-fraud requests with the six features and scores summing to 1', () => {
    const [step] = predictions(all(options(['steady'], { events: 10 })), 'card-fraud');
    expect(Object.keys(step.prediction.numericFeatures!).sort()).toEqual(['amount', 'card_age_days', 'distance_km', 'hour']);
    expect(Object.keys(step.prediction.categoricalFeatures!).sort()).toEqual(['country', 'merchant_category']);
    const { fraud, legit } = step.prediction.scores!;
    expect(fraud + legit).toBeCloseTo(1, 6);
    expect(step.prediction.predictedClass).toBe(fraud >= 0.5 ? 'fraud' : 'legit');
  });

  it('shifts the feature distribution exactly at the change point under sudden drift', () => {
    expect(conditionsAt(0.4999, options(['sudden-drift']).scenario).featureShift).toBe(0);
    expect(conditionsAt(0.5, options(['sudden-drift']).scenario).featureShift).toBe(1);
    const fraud = predictions(all(options(['sudden-drift'])), 'card-fraud');
    // changeAt 0.5 of 4000 events = index 2000, the first shifted event.
    expect(after(fraud)[0].index).toBe(2000);
    // ln(amount) ~ N(3.6, 1) before and N(3.6 + 0.9, 1) after; SE of each mean over 1000 events = 0.032.
    expect(Math.abs(mean(before(fraud).map(logAmount)) - CARD_FRAUD_AMOUNT_MU)).toBeLessThan(0.1);
    expect(Math.abs(mean(after(fraud).map(logAmount)) - (CARD_FRAUD_AMOUNT_MU + 0.9))).toBeLessThan(0.1);
  });

  it('ramps the shift from the change point to the end under gradual drift', () => {
    const settings = options(['gradual-drift']).scenario;
    expect([0.25, 0.5, 0.75, 1].map((p) => conditionsAt(p, settings).featureShift)).toEqual([0, 0, 0.5, 1]);
  });

  it('continues a lifecycle: a retrained version fits the drifted world, named as the demo asks', () => {
    const lifecycle = { servingVersion: 'v2', retrained: true, badVersion: 'v3', announce: false };
    const steps = all(
      options(['concept-drift', 'bad-deployment'], { lifecycle, scenario: { scenarios: ['concept-drift', 'bad-deployment'], changeAt: 0.5, spikeLength: 0, malformedShare: 0 } }),
    );
    const fraud = predictions(steps, 'card-fraud');
    // No initial announcement; the only deployments are the switch to the bad version.
    expect(steps.filter((s) => s.kind === 'deployment').map((s) => s.kind === 'deployment' && s.deployment.version)).toEqual(['v3', 'v3']);
    expect(new Set(before(fraud).map((s) => s.prediction.modelVersion))).toEqual(new Set(['v2']));
    expect(new Set(after(fraud).map((s) => s.prediction.modelVersion))).toEqual(new Set(['v3']));
    // Scored with the drifted process's own logit, v2 beats v1's ~0.71 on the drifted world.
    const retrainedOnDrift = predictions(all(options(['concept-drift'], { lifecycle: { retrained: true } })), 'card-fraud');
    const v1OnDrift = predictions(all(options(['concept-drift'])), 'card-fraud');
    expect(accuracy(after(retrainedOnDrift))).toBeGreaterThan(accuracy(after(v1OnDrift)) + 0.05);
    // The bad version (~0.52 here) is far below either good one.
    expect(accuracy(after(fraud))).toBeLessThan(0.6);
  });

  it('changes the truth but not the features under concept drift', () => {
    const steady = predictions(all(options(['steady'])), 'card-fraud');
    const drifted = predictions(all(options(['concept-drift'])), 'card-fraud');
    // Same draws in the same order: the requests are identical, event for event.
    expect(drifted.map((s) => s.prediction.numericFeatures)).toEqual(steady.map((s) => s.prediction.numericFeatures));
    expect(drifted.map((s) => s.prediction.categoricalFeatures)).toEqual(steady.map((s) => s.prediction.categoricalFeatures));
    // ...so the feature means before and after the change agree within sampling error (SE 0.045 for the difference).
    expect(Math.abs(mean(before(drifted).map(logAmount)) - mean(after(drifted).map(logAmount)))).toBeLessThan(0.15);
    const truthChanged = after(drifted).filter((s, i) => s.label?.trueClass !== after(steady)[i].label?.trueClass).length;
    expect(truthChanged).toBeGreaterThan(100);
    expect(before(drifted).map((s) => s.label)).toEqual(before(steady).map((s) => s.label));
    // The v1 model matches the reference process (accuracy ~0.88) and not the drifted one (~0.71).
    expect(accuracy(before(drifted))).toBeGreaterThan(0.85);
    expect(accuracy(after(drifted))).toBeLessThan(0.78);
  });

  it('moves inputs to where the serving model is unsure under uncertain shift, the truth still following its scores', () => {
    // The serving model is the truth's own logit, so it is calibrated: its expected accuracy is mean(max(p, 1 − p)).
    const expectedAccuracy = (xs: PredictionStep[]) => mean(xs.map((s) => Math.max(s.prediction.scores!.fraud, s.prediction.scores!.legit)));
    // The reference model in its world, and the retrained one in the drifted world (both from the change point on).
    for (const [lifecycle, world] of [
      [{ retrained: false }, ['steady']],
      [{ retrained: true }, ['concept-drift']],
    ] as const) {
      const run = (scenarios: Scenario[]) => after(predictions(all(options(scenarios, { events: 12_000, lifecycle })), 'card-fraud'));
      const [served, shifted] = [run([...world]), run([...world, 'uncertain-shift'])];
      expect({ lifecycle, fell: expectedAccuracy(shifted) < expectedAccuracy(served) - 0.15 }).toEqual({ lifecycle, fell: true });
      // P(y | x) unchanged: realised accuracy within 3 SE of the calibrated expectation (SE = sqrt(0.25 / 3000) = 0.0091 at most).
      for (const part of [served, shifted]) expect(Math.abs(accuracy(part) - expectedAccuracy(part))).toBeLessThan(3 * 0.0092);
    }
  });

  it('multiplies label delays after the change point under lagging labels', () => {
    const sent = predictions(all(options(['lagging-labels'])), 'card-fraud');
    const delay = (xs: PredictionStep[]) => mean(xs.flatMap((s) => (s.label ? [s.label.delayS] : [])));
    // Exponential with mean 60 s, then 60 × LAGGING_LABEL_FACTOR; SE of each mean over ~900 labels = mean / 30.
    expect(Math.abs(delay(before(sent)) - 60)).toBeLessThan(4 * (60 / 30));
    expect(Math.abs(delay(after(sent)) - 60 * LAGGING_LABEL_FACTOR)).toBeLessThan(4 * ((60 * LAGGING_LABEL_FACTOR) / 30));
  });

  it('announces the bad version and serves much worse predictions from it', () => {
    const steps = all(options(['bad-deployment']));
    const deployments = steps.flatMap((s, i) => (s.kind === 'deployment' ? [{ i, ...s.deployment }] : []));
    expect(deployments.map((d) => `${d.modelId}:${d.version}:${d.reason}`)).toEqual([
      'card-fraud:v1:initial',
      'basket-value:v1:initial',
      'card-fraud:v2:manual',
      'basket-value:v2:manual',
    ]);
    const fraud = predictions(steps, 'card-fraud');
    expect(new Set(before(fraud).map((s) => s.prediction.modelVersion))).toEqual(new Set(['v1']));
    expect(new Set(after(fraud).map((s) => s.prediction.modelVersion))).toEqual(new Set(['v2']));
    expect(accuracy(after(fraud))).toBeLessThan(accuracy(before(fraud)) - 0.3);
    const basket = predictions(steps, 'basket-value');
    const mae = (xs: PredictionStep[]) => mean(xs.map((s) => s.absoluteError!));
    // v1 predicts the expected value: MAE = noise sd 6 x sqrt(2/pi) = 4.79; v2 halves every prediction.
    expect(Math.abs(mae(before(basket)) - 4.79)).toBeLessThan(0.5);
    expect(mae(after(basket))).toBeGreaterThan(20);
  });

  it('multiplies latency during the spike only', () => {
    const fraud = predictions(all(options(['latency-spike'])), 'card-fraud');
    const latency = (lo: number, hi: number) => median(fraud.filter((s) => s.progress >= lo && s.progress < hi).map((s) => s.prediction.latencyMs));
    // Median serving latency 8 ms, x12 from 0.5 to 0.5 + 0.25 of the run.
    expect(Math.abs(latency(0, 0.5) - 8)).toBeLessThan(0.5);
    expect(Math.abs(latency(0.5, 0.75) - 8 * SPIKE_LATENCY_FACTOR)).toBeLessThan(8);
    expect(Math.abs(latency(0.75, 1) - 8)).toBeLessThan(0.5);
  });

  it('withholds the configured share of labels and replaces the malformed share', () => {
    const steps = all(options(['malformed']));
    const malformed = steps.filter((s): s is MalformedStep => s.kind === 'malformed');
    const sent = steps.filter((s): s is PredictionStep => s.kind === 'prediction');
    // 5 % of 4000 = 200 expected, binomial sd 14.
    expect(Math.abs(malformed.length - 200)).toBeLessThan(50);
    expect(new Set(malformed.map((m) => m.malformed))).toEqual(new Set(['garbage-bytes', 'unknown-schema', 'nan-latency']));
    // 10 % missing labels, binomial sd ~19 over ~3800 predictions.
    expect(Math.abs(sent.filter((s) => s.label === null).length / sent.length - 0.1)).toBeLessThan(0.02);
    // Label delays are exponential with mean 60 simulated seconds: SE 60 / sqrt(3400) = 1.0.
    expect(Math.abs(mean(sent.flatMap((s) => (s.label ? [s.label.delayS] : []))) - 60)).toBeLessThan(4);
  });

  it('refuses unknown models', () => {
    expect(() => all(options(['steady'], { models: ['nope'] }))).toThrow('unknown model "nope"');
  });
});
