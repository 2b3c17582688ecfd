/**
 * The contract between the two apps, tested with both sides' real logic: alerts that
 * ModelMonitor actually emits go through LifecyclePolicyEngine, one policy family at a
 * time (performance, drift on an important feature, change detector). Both read kinds,
 * rules and severities from the ALERT_RULES table of @vigil/contracts.
 */
import type { Alert } from '@vigil/contracts';
import { mulberry32 } from '@vigil/monitoring';
import { DEFAULT_MODEL_CONFIG, effectiveConfig, ModelConfig } from '../../../monitor/src/core/model-config';
import { ModelMonitor } from '../../../monitor/src/core/model-monitor';
import { RANDOM_IDS, SYSTEM_CLOCK } from '../../../monitor/src/system-clock';
import type { DecisionOutcome } from './lifecycle-events';
import { LifecyclePolicyEngine } from './lifecycle-policy-engine';
import { PolicyOverride, resolvePolicy } from './policy';
import { emptyModelState } from './state';
import { EVENT_T0, labelEvent, predictionEvent } from '../../../../test/support/events';

/** The factories' time origin: event i is at T0 + i s. */
const T0 = EVENT_T0;

/**
 * Event i: amount ~ U(0,100) + `shift`, channel web 30 % / app, truth yes/no at 50 %, the
 * model right with probability `accuracy`; labelled at once. Returns the alerts raised.
 */
function feed(m: ModelMonitor, rand: () => number, from: number, count: number, accuracy: number, shift = 0): Alert[] {
  const alerts: Alert[] = [];
  for (let i = from; i < from + count; i++) {
    const truth = rand() < 0.5 ? 'yes' : 'no';
    const predicted = rand() < accuracy ? truth : truth === 'yes' ? 'no' : 'yes';
    const time = T0 + i * 1000;
    const prediction = predictionEvent(i, {
      numericFeatures: { amount: rand() * 100 + shift },
      categoricalFeatures: { channel: rand() < 0.3 ? 'web' : 'app' },
      predictedClass: predicted,
      latencyMs: 5,
    });
    const label = labelEvent(i, { eventTime: new Date(time + 500), trueClass: truth });
    m.onPrediction(prediction);
    m.onLabel(label);
    alerts.push(...m.tick(time).alerts);
  }
  return alerts;
}

/** Every alert through the engine, in order; returns the outcome of each and the requests opened. */
function decideAll(alerts: Alert[], override: PolicyOverride) {
  const engine = new LifecyclePolicyEngine();
  const policy = resolvePolicy('fraud', {}, override);
  let state = emptyModelState('fraud');
  const outcomes: DecisionOutcome[] = [];
  const reasons: string[] = [];
  for (const [i, alert] of alerts.entries()) {
    const result = engine.decide(state, { type: 'alert', alert }, policy, T0 + i * 1000);
    state = result.state;
    outcomes.push(...result.decisions.map((d) => d.outcome));
    reasons.push(...result.opened.map((o) => o.request.event.reason));
  }
  return { outcomes, reasons };
}

/** reAlertIntervalMs 0: an episode's alert repeats on each evaluation while its condition holds (persistence). */
const monitor = (overrides: Partial<ModelConfig> = {}) =>
  new ModelMonitor('fraud', effectiveConfig(DEFAULT_MODEL_CONFIG, { reAlertIntervalMs: 0, ...overrides }), { snapshotIntervalMs: 0, clock: SYSTEM_CLOCK, ids: RANDOM_IDS });

describe("ModelMonitor's real alerts through LifecyclePolicyEngine", () => {
  it('performance: a sudden accuracy drop opens exactly one retrain under the built-in policy', () => {
    const m = monitor();
    const rand = mulberry32(7);
    // 3000 labels at accuracy 0.9 (baseline), then 600 at 0.5.
    const alerts = [...feed(m, rand, 0, 3000, 0.9), ...feed(m, rand, 3000, 600, 0.5)].filter((a) => a.kind === 'PERFORMANCE');
    expect(alerts.length).toBeGreaterThanOrEqual(3);
    expect(alerts.every((a) => a.severity === 'CRITICAL' && a.rule === 'accuracy_drop')).toBe(true);
    // Built-in policy; sustainedSeconds out of reach (the alerts' `since` is event time, `observedAt` wall time),
    // so the count decides: 3 consecutive CRITICAL observations.
    const { outcomes, reasons } = decideAll(alerts, { retrain: { performance: { sustainedSeconds: 1e12 } } });
    expect(outcomes.filter((o) => o === 'retrain_requested')).toHaveLength(1);
    expect(outcomes.slice(0, 4)).toEqual(['evidence_recorded', 'evidence_recorded', 'retrain_requested', 'incident_already_open']);
    expect(reasons).toEqual(['3 consecutive CRITICAL performance observations (policy: 3)']);
  });

  it('drift on an important feature: a persisting dataset_drift escalates to CRITICAL and opens exactly one retrain', () => {
    // Share threshold 0.3: amount alone is 1 of 3 tested columns (amount, channel, @prediction).
    const m = monitor({ driftShareThreshold: 0.3 });
    const rand = mulberry32(11);
    // 1000 predictions form the production reference, then amount shifts by +50 for 4 drift windows of 500.
    const alerts = [...feed(m, rand, 0, 1500, 0.9), ...feed(m, rand, 1500, 2000, 0.9, 50)].filter((a) => a.kind === 'DRIFT');
    // The episode opens at the 2nd shifted window (driftPersistence 2) as WARNING; its repeats are CRITICAL (ALERT_RULES).
    expect(alerts.map((a) => a.severity)).toEqual(['WARNING', 'CRITICAL', 'CRITICAL']);
    expect(alerts[0].evidence.some((e) => e.feature === 'amount')).toBe(true);
    const { outcomes, reasons } = decideAll(alerts, { retrain: { drift: { importantFeatures: ['amount'], consecutiveCritical: 2 } } });
    expect(outcomes).toEqual(['no_action', 'evidence_recorded', 'retrain_requested']);
    expect(reasons).toEqual(['critical drift on important feature(s) amount in 2 consecutive observations']);
    // Without the feature among the important ones, drift never triggers.
    expect(decideAll(alerts, {}).outcomes).toEqual(['not_a_trigger', 'not_a_trigger', 'not_a_trigger']);
  });

  it('detector: with DETECTOR among the performance kinds, a detection counts as an observation and opens exactly one retrain', () => {
    // Performance rules switched off (maxAccuracyDrop 1 cannot be crossed), so only the detector speaks.
    const m = monitor({ maxAccuracyDrop: 1 });
    const rand = mulberry32(3);
    const alerts = [...feed(m, rand, 0, 3000, 0.9), ...feed(m, rand, 3000, 1500, 0.3)];
    // ADWIN finds the step change once: one WARNING alert, which counts for DETECTOR rules (ALERT_RULES.retrainFrom).
    expect(alerts.map((a) => [a.kind, a.rule, a.severity])).toEqual([['DETECTOR', 'adwin_drift', 'WARNING']]);
    const { outcomes, reasons } = decideAll(alerts, { retrain: { performance: { kinds: ['DETECTOR'], consecutiveCritical: 1 } } });
    expect(outcomes).toEqual(['retrain_requested']);
    expect(reasons).toEqual(['1 consecutive CRITICAL performance observations (policy: 1)']);
    // Not a trigger under the built-in policy (kinds: PERFORMANCE only).
    expect(decideAll(alerts, {}).outcomes).toEqual(['not_a_trigger']);
  });
});
