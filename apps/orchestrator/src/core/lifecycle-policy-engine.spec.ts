import { incidentIdFor, requestEventIdFor } from './identity';
import type { EngineResult, LifecycleEvent } from './lifecycle-events';
import { LifecyclePolicyEngine } from './lifecycle-policy-engine';
import { PolicyOverride, resolvePolicy } from './policy';
import { emptyModelState, ModelState, SEEN_EVENT_IDS_KEPT, storedModelState } from './state';
import { alertEvent, deployedEvent, LIFECYCLE_T0, MIN, snapshotEvent } from '../../../../test/support/lifecycle-events';

const T0 = LIFECYCLE_T0;
const engine = new LifecyclePolicyEngine();

function policy(override?: PolicyOverride) {
  return resolvePolicy('fraud', { defaults: { retrain: { cooldownSeconds: 3600, maxPerDay: 2 } } }, override);
}

const alert = alertEvent;
const deployed = deployedEvent;
const snapshot = snapshotEvent;

/** Feeds events in order at the given clock times, returning every result. */
function run(state: ModelState, steps: [LifecycleEvent, number][], override?: PolicyOverride): { state: ModelState; results: EngineResult[] } {
  const results: EngineResult[] = [];
  for (const [event, now] of steps) {
    const result = engine.decide(state, event, policy(override), now);
    results.push(result);
    state = result.state;
  }
  return { state, results };
}

const outcomes = (results: EngineResult[]) => results.flatMap((r) => r.decisions.map((d) => d.outcome));

describe('LifecyclePolicyEngine: retrain', () => {
  it('opens exactly one incident after N consecutive CRITICAL alerts, with their evidence', () => {
    // Policy: 3 consecutive CRITICAL observations (builtin consecutiveCritical).
    const { state, results } = run(emptyModelState('fraud'), [
      [alert(1), T0 + MIN],
      [alert(2), T0 + 2 * MIN],
      [alert(3), T0 + 3 * MIN],
      [alert(4), T0 + 4 * MIN],
    ]);
    expect(outcomes(results)).toEqual(['evidence_recorded', 'evidence_recorded', 'retrain_requested', 'incident_already_open']);
    const [opened] = results[2].opened;
    expect(opened.incident.incidentId).toBe(incidentIdFor('fraud', 'v1', 'retrain', 'a-3'));
    expect(opened.request.action).toBe('retrain');
    expect(opened.request.event).toMatchObject({
      eventId: requestEventIdFor(opened.incident.incidentId),
      incidentId: opened.incident.incidentId,
      modelVersion: 'v1',
      policy: 'builtin+file:defaults',
      reason: '3 consecutive CRITICAL performance observations (policy: 3)',
    });
    expect(opened.request.event.evidence).toHaveLength(3);
    expect(state.openIncidents).toHaveLength(1);
  });

  it('ignores a duplicated or redelivered alert', () => {
    const { results } = run(emptyModelState('fraud'), [
      [alert(1), T0 + MIN],
      [alert(1), T0 + MIN],
      [alert(2), T0 + 2 * MIN],
      [alert(2), T0 + 2 * MIN],
    ]);
    expect(outcomes(results)).toEqual(['evidence_recorded', 'duplicate_event', 'evidence_recorded', 'duplicate_event']);
    expect(results.flatMap((r) => r.opened)).toHaveLength(0);
  });

  it('returns the input state itself for a duplicate and a new one otherwise', () => {
    const { state } = run(emptyModelState('fraud'), [[alert(1), T0 + MIN]]);
    const before = JSON.stringify(state);
    expect(engine.decide(state, alert(1), policy(), T0 + 2 * MIN).state).toBe(state);
    const next = engine.decide(state, alert(2), policy(), T0 + 2 * MIN).state;
    expect(next).not.toBe(state);
    // Neither call modified the input.
    expect(JSON.stringify(state)).toBe(before);
  });

  it('keeps the last SEEN_EVENT_IDS_KEPT event ids, oldest dropped first, without touching the input', () => {
    // Segment snapshots are audited as not_a_trigger and change nothing but the ids seen.
    const segment = (n: number) => snapshot(`s-${n}`, 'v1', T0 + n * MIN, 500, 0.9, { segmentKey: 'country', segmentValue: 'FR' });
    let state = emptyModelState('fraud');
    for (let n = 0; n < SEEN_EVENT_IDS_KEPT; n++) state = engine.decide(state, segment(n), policy(), T0 + n * MIN).state;
    expect(state.seenEventIds).toHaveLength(SEEN_EVENT_IDS_KEPT);
    const before = JSON.stringify(state);
    const next = engine.decide(state, segment(SEEN_EVENT_IDS_KEPT), policy(), T0).state;
    expect(JSON.stringify(state)).toBe(before);
    // s-0 dropped (the oldest of KEPT + 1), s-1 now first, the new id last: KEPT ids.
    expect(next.seenEventIds).toHaveLength(SEEN_EVENT_IDS_KEPT);
    expect([next.seenEventIds[0], next.seenEventIds.at(-1)]).toEqual(['s-1', `s-${SEEN_EVENT_IDS_KEPT}`]);
    expect(outcomes([engine.decide(next, segment(1), policy(), T0), engine.decide(next, segment(0), policy(), T0)])).toEqual(['duplicate_event', 'not_a_trigger']);
  });

  it('replaying an event on the same state gives the same incident id', () => {
    const { state } = run(emptyModelState('fraud'), [
      [alert(1), T0 + MIN],
      [alert(2), T0 + 2 * MIN],
    ]);
    const first = engine.decide(state, alert(3), policy(), T0 + 3 * MIN);
    const again = engine.decide(state, alert(3), policy(), T0 + 3 * MIN);
    expect(again.opened[0].incident.incidentId).toBe(first.opened[0].incident.incidentId);
    expect(again.opened[0].request.event.eventId).toBe(first.opened[0].request.event.eventId);
  });

  it('opens on a sustained condition with at least minEvidence observations', () => {
    // sustainedSeconds 600: since T0, observed at T0+11 min → held 660 s ≥ 600 s with 2 ≥ minEvidence 2.
    const sustained = { retrain: { performance: { consecutiveCritical: 10, sustainedSeconds: 600 } } };
    const { results } = run(
      emptyModelState('fraud'),
      [
        [alert(11), T0 + 11 * MIN],
        [alert(12), T0 + 12 * MIN],
      ],
      sustained,
    );
    expect(outcomes(results)).toEqual(['evidence_recorded', 'retrain_requested']);
    expect(results[1].decisions[0].reasons[0]).toBe('CRITICAL performance for 720 s over 2 observations (policy: 600 s, at least 2)');
  });

  it('counts only CRITICAL alerts of trigger kinds and rules', () => {
    const { results } = run(emptyModelState('fraud'), [
      [alert(1, { severity: 'WARNING' }), T0 + MIN],
      [alert(2, { kind: 'LATENCY', rule: 'latency_p99_above_ceiling' }), T0 + 2 * MIN],
      [alert(3, { kind: 'DRIFT', rule: 'dataset_drift' }), T0 + 3 * MIN],
    ]);
    expect(outcomes(results)).toEqual(['no_action', 'not_a_trigger', 'not_a_trigger']);
  });

  it('requests a retrain on critical drift of an important feature', () => {
    const drift = (n: number, feature: string) =>
      alert(n, {
        kind: 'DRIFT',
        rule: 'dataset_drift',
        evidence: [{ metric: 'drift.psi', value: 0.4, threshold: 0.2, baseline: null, feature, windowStart: new Date(T0), windowEnd: new Date(T0 + MIN), sampleSize: 1000 }],
      });
    const { results } = run(
      emptyModelState('fraud'),
      [
        [drift(1, 'country'), T0 + MIN],
        [drift(2, 'amount'), T0 + 2 * MIN],
        [drift(3, 'amount'), T0 + 3 * MIN],
      ],
      { retrain: { drift: { importantFeatures: ['amount'], consecutiveCritical: 2 } } },
    );
    expect(outcomes(results)).toEqual(['not_a_trigger', 'evidence_recorded', 'retrain_requested']);
    expect(results[2].opened[0].request.event.reason).toBe('critical drift on important feature(s) amount in 2 consecutive observations');
  });

  it('suppresses a new incident inside the cooldown and beyond the daily limit', () => {
    // Cooldown 3600 s, at most 2 per day (policy() defaults). Each incident is closed by a retrain completion.
    const completed = (n: number): LifecycleEvent => ({
      type: 'retrainCompleted',
      completion: { eventId: `c-${n}`, incidentId: null, modelId: 'fraud', newVersion: `v1-r${n}`, completedAt: new Date(T0), succeeded: false },
    });
    // Three CRITICAL alerts one second apart, the condition starting at t.
    const burst = (base: number, t: number): [LifecycleEvent, number][] =>
      [0, 1, 2].map((k) => [alert(base + k + 1, { since: new Date(t), observedAt: new Date(t + k * 1000) }), t + k * 1000]);
    const { results } = run(emptyModelState('fraud'), [
      ...burst(0, T0),
      [completed(1), T0 + 10 * MIN],
      // 30 min after the first request: inside the 60 min cooldown.
      ...burst(10, T0 + 30 * MIN),
      // 61 min after: cooldown over; the suppressed streak (3) goes on → the 4th observation requests at once,
      // the next two find the incident open.
      ...burst(20, T0 + 61 * MIN),
      [completed(2), T0 + 70 * MIN],
      // 3 h after the first: cooldown over, but 2 requests in 24 h already.
      ...burst(30, T0 + 180 * MIN),
      // 24 h + 1 min after the first: only the second (at +61 min) counts → allowed. The old streak
      // (last observation at +180 min) is older than the 6 h expiry, so three new observations are needed.
      ...burst(40, T0 + 24 * 60 * MIN + MIN),
    ]);
    const decisive = outcomes(results).filter((o) => o !== 'evidence_recorded');
    expect(decisive).toEqual([
      'retrain_requested',
      'incident_closed',
      'suppressed_cooldown',
      'retrain_requested',
      'incident_already_open',
      'incident_already_open',
      'incident_closed',
      'suppressed_daily_limit',
      'retrain_requested',
    ]);
  });

  it('applies hysteresis: one healthy snapshot does not clear a streak, two do, the band clears nothing', () => {
    const floor = { retrain: { performance: { accuracyFloor: 0.8, minSampleSize: 100, consecutiveCritical: 3 } } };
    // Floor 0.80, hysteresis margin 0.02 (builtin) → healthy at ≥ 0.82; healthyToClear 2.
    const { results, state } = run(
      emptyModelState('fraud'),
      [
        [snapshot('s1', 'v1', T0, 500, 0.75), T0 + 5 * MIN],
        [snapshot('s2', 'v1', T0 + 5 * MIN, 500, 0.76), T0 + 10 * MIN],
        [snapshot('s3', 'v1', T0 + 10 * MIN, 500, 0.85), T0 + 15 * MIN],
        [snapshot('s4', 'v1', T0 + 15 * MIN, 500, 0.81), T0 + 20 * MIN],
        [snapshot('s5', 'v1', T0 + 20 * MIN, 50, 0.5), T0 + 25 * MIN],
        [snapshot('s6', 'v1', T0 + 25 * MIN, 500, 0.85), T0 + 30 * MIN],
        [snapshot('s7', 'v1', T0 + 30 * MIN, 500, 0.9), T0 + 35 * MIN],
      ],
      floor,
    );
    expect(outcomes(results)).toEqual(['evidence_recorded', 'evidence_recorded', 'no_action', 'no_action', 'insufficient_evidence', 'no_action', 'streak_cleared']);
    expect(state.performanceStreak).toBeNull();
    // Without the clear, a third low snapshot would have been the 3rd observation: now it is the 1st.
    const next = engine.decide(state, snapshot('s8', 'v1', T0 + 35 * MIN, 500, 0.7), policy(floor), T0 + 40 * MIN);
    expect(next.decisions[0].reasons[0]).toBe('accuracy 0.7 below the floor 0.8: 1 of 3 consecutive CRITICAL observations');
  });

  it('judges the floor on the rolling window (window_labelled), not the cumulative labelledCount', () => {
    const floor = { retrain: { performance: { accuracyFloor: 0.8, minSampleSize: 100, consecutiveCritical: 3 } } };
    const { results } = run(
      emptyModelState('fraud'),
      [
        // 5000 labelled since monitoring began, but the accuracy is over the last 50 only: 50 < minSampleSize 100.
        [snapshot('s1', 'v1', T0, 5000, 0.5, { metrics: { accuracy: 0.5, window_labelled: 50 } }), T0 + 5 * MIN],
        // Window of 500 ≥ 100: a CRITICAL observation, its evidence sized 500.
        [snapshot('s2', 'v1', T0 + 5 * MIN, 5500, 0.7, { metrics: { accuracy: 0.7, window_labelled: 500 } }), T0 + 10 * MIN],
      ],
      floor,
    );
    expect(outcomes(results)).toEqual(['insufficient_evidence', 'evidence_recorded']);
    expect(results[0].decisions[0].reasons[0]).toBe('50 labelled predictions in the window (policy: at least 100)');
    expect(results[1].state.performanceStreak?.evidence.map((e) => e.sampleSize)).toEqual([500]);
  });

  it('reads stored states written before sampleSize existed', () => {
    const legacy = { ...emptyModelState('fraud'), snapshots: { v1: [{ eventId: 's1', windowStart: T0, windowEnd: T0 + MIN, labelledCount: 300, accuracy: 0.9 }] } };
    expect(storedModelState(JSON.stringify(legacy)).snapshots.v1).toEqual([{ eventId: 's1', windowStart: T0, windowEnd: T0 + MIN, sampleSize: 300, accuracy: 0.9 }]);
  });

  it('ignores alerts about a version that no longer serves', () => {
    const { results } = run(emptyModelState('fraud'), [
      [deployed('v2', T0), T0],
      [alert(1), T0 + MIN],
    ]);
    expect(outcomes(results)).toEqual(['deployment_recorded', 'not_champion']);
  });

  it('closes the incident on deployment so a later degradation opens a new one', () => {
    const first = run(emptyModelState('fraud'), [
      [deployed('v1', T0 - 48 * 60 * MIN, 'initial'), T0],
      [alert(1), T0 + MIN],
      [alert(2), T0 + 2 * MIN],
      [alert(3), T0 + 3 * MIN],
    ]);
    const incidentId = first.results[3].opened[0].incident.incidentId;
    const v2 = (n: number) => alert(n, { alertId: `v2-a-${n}`, modelVersion: 'v2', since: new Date(T0 + 200 * MIN), observedAt: new Date(T0 + (200 + n) * MIN) });
    const second = run(
      first.state,
      [
        [deployed('v2', T0 + 60 * MIN, 'retrain', incidentId), T0 + 60 * MIN],
        [v2(1), T0 + 201 * MIN],
        [v2(2), T0 + 202 * MIN],
        [v2(3), T0 + 203 * MIN],
      ],
      { rollback: { enabled: false } },
    );
    expect(outcomes(second.results)).toEqual(['deployment_recorded', 'incident_closed', 'evidence_recorded', 'evidence_recorded', 'retrain_requested']);
    expect(second.results[0].closed[0]).toMatchObject({ incident: { incidentId }, resolution: 'deployment of v2 (retrain)' });
    expect(second.results[3].opened[0].incident.modelVersion).toBe('v2');
    expect(second.state.openIncidents.map((i) => i.modelVersion)).toEqual(['v2']);
  });
});

describe('LifecyclePolicyEngine: rollback on probation', () => {
  // Policy: probation 24 h, at least 200 labelled each side, margin 0.03, alpha 0.01 (builtin).
  const history: [LifecycleEvent, number][] = [
    [deployed('v1', T0 - 10 * 60 * MIN, 'initial'), T0 - 10 * 60 * MIN],
    // v1 baseline: 2 × 200 labelled at 0.90 → 360/400.
    [snapshot('b1', 'v1', T0 - 20 * MIN, 200, 0.9), T0 - 10 * MIN],
    [snapshot('b2', 'v1', T0 - 10 * MIN, 200, 0.9), T0 - 5 * MIN],
    [deployed('v2', T0, 'retrain'), T0],
  ];

  it('asks to roll back to the previous version when the new one is significantly worse', () => {
    const { results } = run(emptyModelState('fraud'), [
      ...history,
      // 150 labelled: below the 200 minimum.
      [snapshot('n1', 'v2', T0 + MIN, 150, 0.8), T0 + 6 * MIN],
      // Now 300 labelled at 0.80 → 240/300. Same numbers as z-test.spec: z = 3.741657, p = 9.14e-5 < 0.01; drop 0.10 ≥ 0.03.
      [snapshot('n2', 'v2', T0 + 6 * MIN, 150, 0.8), T0 + 12 * MIN],
      [snapshot('n3', 'v2', T0 + 12 * MIN, 150, 0.8), T0 + 18 * MIN],
    ]);
    expect(outcomes(results.slice(4))).toEqual(['insufficient_evidence', 'rollback_requested', 'incident_already_open']);
    const [opened] = results[5].opened;
    expect(opened.request.action).toBe('rollback');
    expect(opened.request.event).toMatchObject({ fromVersion: 'v2', toVersion: 'v1', incidentId: incidentIdFor('fraud', 'v2', 'rollback', 'n2') });
    expect(results[5].decisions[0].reasons[0]).toBe('accuracy 0.8 (v2, n=300) vs 0.9 (v1, n=400): drop 0.1, z=3.7417, one-sided p=0.0000914');
  });

  it('counts overlapping rolling snapshots once, by window_labelled', () => {
    // The monitor's snapshots: labelledCount cumulative, accuracy over the last window_labelled, windows rolling.
    const rolling = (id: string, version: string, start: number, end: number, cumulative: number, windowLabelled: number, accuracy: number): LifecycleEvent =>
      snapshot(id, version, start, cumulative, accuracy, { windowEnd: new Date(end), metrics: { accuracy, window_labelled: windowLabelled } });
    const { results } = run(emptyModelState('fraud'), [
      [deployed('v1', T0 - 10 * 60 * MIN, 'initial'), T0 - 10 * 60 * MIN],
      // Walking back from the newest: b3 [−25, −15] kept; b2 ends at −25 ≤ −25 → kept; b1 ends at −30 > b2's start −35
      // → overlaps, skipped. Baseline = b2 + b3 = 200 + 200 at 0.90 → 360/400 (inflated: 200 + 400 + 600 cumulative).
      [rolling('b1', 'v1', T0 - 40 * MIN, T0 - 30 * MIN, 200, 200, 0.9), T0 - 30 * MIN],
      [rolling('b2', 'v1', T0 - 35 * MIN, T0 - 25 * MIN, 400, 200, 0.9), T0 - 25 * MIN],
      [rolling('b3', 'v1', T0 - 25 * MIN, T0 - 15 * MIN, 600, 200, 0.9), T0 - 15 * MIN],
      [deployed('v2', T0, 'retrain'), T0],
      // 150 in the window < 200 minimum.
      [rolling('n1', 'v2', T0 + MIN, T0 + 6 * MIN, 150, 150, 0.8), T0 + 6 * MIN],
      // n2 [+2, +11] overlaps n1 [+1, +6]: n2 alone counts, 300 at 0.80 → 240/300 (not 150 + 300 = 450).
      // 240/300 vs 360/400 are the numbers of z-test.spec: z = 3.741657, p = 9.14e-5.
      [rolling('n2', 'v2', T0 + 2 * MIN, T0 + 11 * MIN, 300, 300, 0.8), T0 + 11 * MIN],
    ]);
    expect(outcomes(results.slice(5))).toEqual(['insufficient_evidence', 'rollback_requested']);
    expect(results[5].decisions[0].reasons[0]).toBe(`on probation since ${new Date(T0).toISOString()}: 150 labelled predictions of v2 and 400 of v1 (policy: at least 200 each)`);
    expect(results[6].decisions[0].reasons[0]).toBe('accuracy 0.8 (v2, n=300) vs 0.9 (v1, n=400): drop 0.1, z=3.7417, one-sided p=0.0000914');
    const evidence = results[6].opened[0].request.event.evidence;
    expect(evidence.map((e) => [e.metric, e.sampleSize])).toEqual([
      ['accuracy', 300],
      ['accuracy_baseline', 400],
      ['two_proportion_z_p_value', 700],
    ]);
    // The baseline's window is b2's start to b3's end.
    expect(evidence[1]).toMatchObject({ windowStart: new Date(T0 - 35 * MIN), windowEnd: new Date(T0 - 15 * MIN) });
  });

  it('does not roll back on a drop below the margin, an insignificant drop, or after probation', () => {
    // 0.88 vs 0.90 on 400/400: drop 0.02 < margin 0.03.
    const small = run(emptyModelState('fraud'), [...history, [snapshot('n1', 'v2', T0 + MIN, 400, 0.88), T0 + 6 * MIN]]);
    expect(small.results[4].decisions[0]).toMatchObject({ outcome: 'no_action', reasons: [expect.stringContaining('drop 0.02'), 'drop below the margin 0.03'] });
    // 0.85 on 200 vs 0.90 on 400: drop 0.05 but pooled p = 530/600, SE = sqrt(0.88333×0.11667×(1/400+1/200)) = 0.027801, z = 0.05/0.027801 = 1.798472, p = 0.03605 ≥ 0.01 (python as in z-test.spec).
    const weak = run(emptyModelState('fraud'), [...history, [snapshot('n1', 'v2', T0 + MIN, 200, 0.85), T0 + 6 * MIN]]);
    expect(weak.results[4].decisions[0]).toMatchObject({
      outcome: 'no_action',
      reasons: [expect.stringContaining('z=1.7985, one-sided p=0.0361'), 'not significant at alpha 0.01'],
    });
    // Same bad numbers as above, but 25 h after deployment: probation (24 h) is over.
    const late = run(emptyModelState('fraud'), [...history, [snapshot('n1', 'v2', T0 + MIN, 300, 0.8), T0 + 25 * 60 * MIN]]);
    expect(outcomes(late.results.slice(4))).toEqual(['no_action']);
    expect(late.results[4].opened).toHaveLength(0);
  });

  it('judges snapshots that arrived before the deployment event', () => {
    const { results } = run(emptyModelState('fraud'), [
      ...history.slice(0, 3),
      // v2's snapshot first (another topic), its deployment second.
      [snapshot('n1', 'v2', T0 + MIN, 300, 0.8), T0 + 6 * MIN],
      [deployed('v2', T0, 'retrain'), T0 + 7 * MIN],
    ]);
    expect(outcomes(results.slice(3))).toEqual(['not_champion', 'deployment_recorded', 'rollback_requested']);
    expect(results[4].opened[0].incident.incidentId).toBe(incidentIdFor('fraud', 'v2', 'rollback', `d-v2-${T0}`));
  });

  it('keeps snapshots of the champion, its predecessor and versions not yet deployed', () => {
    const { state } = run(emptyModelState('fraud'), [
      ...history,
      [snapshot('n1', 'v2', T0 + MIN, 100, 0.9), T0 + 6 * MIN],
      [snapshot('x1', 'v4', T0 + MIN, 100, 0.9), T0 + 6 * MIN],
      [deployed('v3', T0 + 60 * MIN, 'retrain'), T0 + 60 * MIN],
    ]);
    expect(Object.keys(state.snapshots).sort()).toEqual(['v2', 'v4']);
  });

  it('does not judge a rollback deployment against the version it replaced', () => {
    const { results } = run(emptyModelState('fraud'), [
      ...history,
      [deployed('v1', T0 + 30 * MIN, 'rollback'), T0 + 30 * MIN],
      [snapshot('r1', 'v1', T0 + 31 * MIN, 500, 0.5), T0 + 40 * MIN],
    ]);
    expect(results[5].opened).toHaveLength(0);
    expect(outcomes([results[5]])).toEqual(['no_action']);
  });
});
