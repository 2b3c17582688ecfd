import type { EngineResult, LifecycleEvent } from './lifecycle-events';
import { LifecyclePolicyEngine, ModelDraft } from './lifecycle-policy-engine';
import { resolvePolicy } from './policy';
import { emptyModelState, ModelState } from './state';
import { alertEvent, deployedEvent, LIFECYCLE_T0, MIN, snapshotEvent } from '../../../../test/support/lifecycle-events';

const T0 = LIFECYCLE_T0;
const engine = new LifecyclePolicyEngine();
// Retrain after 3 CRITICAL observations, floor 0.8 with 100 labelled, 2 healthy snapshots clear a streak; rollback builtin.
const policy = resolvePolicy(
  'fraud',
  {
    defaults: { retrain: { cooldownSeconds: 3600, maxPerDay: 2, performance: { accuracyFloor: 0.8, minSampleSize: 100, consecutiveCritical: 3 } } },
  },
  undefined,
);

const alert = (n: number, version = 'v1'): LifecycleEvent => alertEvent(n, { alertId: `a-${version}-${n}`, modelVersion: version });
const snapshot = (id: string, version: string, start: number, labelled: number, accuracy: number, segment = ''): LifecycleEvent =>
  snapshotEvent(id, version, start, labelled, accuracy, segment === '' ? {} : { segmentKey: 'country', segmentValue: segment });
const deployed = deployedEvent;

/**
 * Every path of the engine in one sequence: a deployment, alerts opening a retrain incident
 * (and one while it is open), duplicates, segment and below-floor snapshots, a hysteresis
 * clear, a failed retrain, a deployment closing the incident, then a worse v2 on probation
 * asking for a rollback.
 */
const steps: [LifecycleEvent, number][] = [
  [deployed('v1', T0 - 10 * 60 * MIN, 'initial'), T0 - 10 * 60 * MIN],
  [snapshot('b1', 'v1', T0 - 20 * MIN, 200, 0.9), T0 - 10 * MIN],
  [snapshot('b2', 'v1', T0 - 10 * MIN, 200, 0.9), T0 - 5 * MIN],
  [snapshot('b2', 'v1', T0 - 10 * MIN, 200, 0.9), T0 - 5 * MIN],
  [snapshot('seg', 'v1', T0 - 10 * MIN, 200, 0.5, 'FR'), T0 - 5 * MIN],
  [snapshot('low1', 'v1', T0 - 5 * MIN, 200, 0.7), T0 - 4 * MIN],
  [snapshot('ok1', 'v1', T0 - 4 * MIN, 200, 0.95), T0 - 3 * MIN],
  [snapshot('ok2', 'v1', T0 - 3 * MIN, 200, 0.95), T0 - 2 * MIN],
  [alert(1), T0 + MIN],
  [alert(1), T0 + MIN],
  [alert(2), T0 + 2 * MIN],
  [alert(3), T0 + 3 * MIN],
  [alert(4), T0 + 4 * MIN],
  [
    { type: 'retrainCompleted', completion: { eventId: 'r-1', incidentId: null, modelId: 'fraud', newVersion: 'v2', completedAt: new Date(T0 + 5 * MIN), succeeded: false } },
    T0 + 5 * MIN,
  ],
  [deployed('v2', T0 + 10 * MIN, 'retrain'), T0 + 10 * MIN],
  [alert(5), T0 + 11 * MIN],
  [snapshot('n1', 'v2', T0 + 11 * MIN, 150, 0.8), T0 + 16 * MIN],
  [snapshot('n2', 'v2', T0 + 16 * MIN, 150, 0.8), T0 + 21 * MIN],
  [snapshot('n3', 'v2', T0 + 21 * MIN, 150, 0.8), T0 + 26 * MIN],
];

/** What a caller reads from a result beside the state, as JSON taken at once (later events cannot change it). */
const outputs = (result: EngineResult) => JSON.stringify({ decisions: result.decisions, opened: result.opened, closed: result.closed, deployment: result.deployment });

function recordByRecord(start: ModelState): { state: ModelState; outputs: string[] } {
  let state = start;
  const seen: string[] = [];
  for (const [event, now] of steps) {
    const result = engine.decide(state, event, policy, now);
    seen.push(outputs(result));
    state = result.state;
  }
  return { state, outputs: seen };
}

describe('ModelDraft', () => {
  it('decides a batch exactly as record by record: same outputs, same final state', () => {
    const expected = recordByRecord(emptyModelState('fraud'));
    const draft = new ModelDraft(emptyModelState('fraud'));
    const results = steps.map(([event, now]) => draft.decide(event, policy, now));
    // Read after the whole batch: nothing a result handed out was changed by a later event.
    expect(results.map(outputs)).toEqual(expected.outputs);
    expect(JSON.stringify(draft.state)).toBe(JSON.stringify(expected.state));
    // The sequence reaches every outcome it was built for.
    const outcomes = results.flatMap((r) => r.decisions.map((d) => d.outcome));
    for (const outcome of ['duplicate_event', 'not_a_trigger', 'streak_cleared', 'retrain_requested', 'incident_already_open', 'incident_closed', 'rollback_requested']) {
      expect(outcomes).toContain(outcome);
    }
  });

  it('continues a stored state as record by record does, leaving that state unmodified', () => {
    const base = recordByRecord(emptyModelState('fraud')).state;
    const before = JSON.stringify(base);
    const later: [LifecycleEvent, number][] = [
      [alert(1, 'v2'), T0 + 30 * MIN],
      [snapshot('n4', 'v2', T0 + 26 * MIN, 150, 0.8), T0 + 31 * MIN],
    ];
    let state = base;
    const expected = later.map(([event, now]) => {
      const result = engine.decide(state, event, policy, now);
      state = result.state;
      return outputs(result);
    });
    const draft = new ModelDraft(base);
    expect(later.map(([event, now]) => outputs(draft.decide(event, policy, now)))).toEqual(expected);
    expect(JSON.stringify(draft.state)).toBe(JSON.stringify(state));
    expect(JSON.stringify(base)).toBe(before);
  });

  it('copies nothing while the events are duplicates', () => {
    const base = recordByRecord(emptyModelState('fraud')).state;
    const draft = new ModelDraft(base);
    const [event, now] = steps[1];
    expect(draft.decide(event, policy, now).decisions.map((d) => d.outcome)).toEqual(['duplicate_event']);
    expect(draft.changed).toBe(false);
    expect(draft.state).toBe(base);
    draft.decide(alert(9, 'v2'), policy, T0 + 40 * MIN);
    expect(draft.changed).toBe(true);
    expect(draft.state).not.toBe(base);
  });
});
