/**
 * Scenarios say how the world changes during a run. Each is a function of progress
 * (the share of the run's events already generated), so a change happens at the same
 * event index whatever the rate.
 */
export const SCENARIOS = ['steady', 'gradual-drift', 'sudden-drift', 'uncertain-shift', 'concept-drift', 'lagging-labels', 'bad-deployment', 'latency-spike', 'malformed'] as const;

export type Scenario = (typeof SCENARIOS)[number];

export interface ScenarioSettings {
  scenarios: readonly Scenario[];
  /** Share of the run (0..1) at which the change starts. */
  changeAt: number;
  /** Share of the run a latency spike lasts. */
  spikeLength: number;
  /** Share of records replaced by malformed ones under `malformed`. */
  malformedShare: number;
}

/** The state of the world for one event. */
export interface Conditions {
  /** 0 = reference feature distributions, 1 = fully shifted ones. */
  featureShift: number;
  /**
   * Inputs move to where the serving model is least sure (its scores near 0.5), the relation
   * between features and truth unchanged: covariate shift that lowers accuracy, which a
   * CBPE estimate sees before any label (docs/estimation.md).
   */
  uncertainShift: boolean;
  /** 0 = the original relation between features and truth, 1 = the new one. */
  conceptShift: number;
  /** The badly trained version is serving. */
  badVersion: boolean;
  /** The serving (good) version was retrained on the world after concept drift. */
  retrained: boolean;
  /** Multiplier of the serving latency. */
  latencyFactor: number;
  /** Share of records to replace by malformed ones. */
  malformedShare: number;
  /** Multiplier of the label delay (chargebacks that come weeks later). */
  labelDelayFactor: number;
}

/** Serving latency multiplier during a spike: a 8 ms median becomes ~100 ms. */
export const SPIKE_LATENCY_FACTOR = 12;

/** Label delay multiplier under `lagging-labels`: the demo's 1 800 s mean delay becomes 5 days (2 min of demo time at 3 600×), as chargebacks do. */
export const LAGGING_LABEL_FACTOR = 240;

export function parseScenarios(text: string): Scenario[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const name of names) {
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new Error(`unknown scenario "${name}"; expected a comma-separated list of ${SCENARIOS.join(', ')}`);
    }
  }
  return names.length > 0 ? (names as Scenario[]) : ['steady'];
}

export function conditionsAt(progress: number, settings: ScenarioSettings): Conditions {
  const has = (s: Scenario) => settings.scenarios.includes(s);
  const changed = progress >= settings.changeAt;
  let featureShift = 0;
  if (has('sudden-drift') && changed) featureShift = 1;
  if (has('gradual-drift') && changed) {
    // Ramps from the change point to the end of the run.
    featureShift = Math.max(featureShift, Math.min(1, (progress - settings.changeAt) / Math.max(1e-9, 1 - settings.changeAt)));
  }
  const spiking = has('latency-spike') && changed && progress < settings.changeAt + settings.spikeLength;
  return {
    featureShift,
    uncertainShift: has('uncertain-shift') && changed,
    conceptShift: has('concept-drift') && changed ? 1 : 0,
    badVersion: has('bad-deployment') && changed,
    retrained: false,
    latencyFactor: spiking ? SPIKE_LATENCY_FACTOR : 1,
    malformedShare: has('malformed') ? settings.malformedShare : 0,
    labelDelayFactor: has('lagging-labels') && changed ? LAGGING_LABEL_FACTOR : 1,
  };
}
