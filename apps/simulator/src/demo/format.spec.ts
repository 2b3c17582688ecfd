import { describeEvent, evidenceLine, progressLine, secondsBetween } from './format';

describe('demo output', () => {
  const evidence = {
    metric: 'accuracy',
    value: 0.7333,
    threshold: 0.77,
    baseline: null,
    feature: null,
    windowStart: new Date('2026-11-28T00:58:12.400Z'),
    windowEnd: new Date('2026-11-28T00:58:20.900Z'),
    sampleSize: 300,
  };

  it('prints one progress line with counts, accuracy and incidents', () => {
    const line = progressLine({
      elapsedS: 41.6,
      phase: '2 drift',
      serving: 'v1',
      predictions: 1639,
      labels: 1423,
      malformed: 10,
      accuracy: 0.71666,
      estimatedAccuracy: 0.80181,
      windowLabelled: 300,
      openIncidents: 1,
    });
    expect(line).toBe('[  42 s] 2 drift       | serving v1  | sent  1639 predictions  1423 labels  10 malformed | accuracy 0.717 (300 labels), estimated 0.802 | open incidents 1');
  });

  it('shows a dash before the monitor has an accuracy and ? when the orchestrator does not answer', () => {
    const line = progressLine({
      elapsedS: 0,
      phase: '1 steady',
      serving: '-',
      predictions: 0,
      labels: 0,
      malformed: 0,
      accuracy: null,
      windowLabelled: 0,
      estimatedAccuracy: null,
      openIncidents: null,
    });
    expect(line).toContain('accuracy   -   (0 labels), estimated   -   | open incidents ?');
  });

  it('prints evidence with its threshold, sample size and window (UTC clock time)', () => {
    expect(evidenceLine(evidence)).toBe('accuracy = 0.7333, threshold 0.7700, n = 300, window 00:58:12–00:58:20');
  });

  it('prints a retrain request with its reason and every piece of evidence', () => {
    const lines = describeEvent({
      type: 'retrainRequested',
      receivedAt: 0,
      value: {
        eventId: 'e',
        incidentId: 'inc-1',
        modelId: 'card-fraud',
        modelVersion: 'v1',
        requestedAt: new Date(0),
        policy: 'builtin+file:defaults',
        reason: '3 consecutive CRITICAL performance observations (policy: 3)',
        evidence: [evidence, { ...evidence, metric: 'drift', feature: 'amount', baseline: 0.1 }],
      },
    });
    expect(lines).toEqual([
      'RETRAIN REQUESTED for card-fraud v1 (incident inc-1, policy builtin+file:defaults)',
      '  reason: 3 consecutive CRITICAL performance observations (policy: 3)',
      '  evidence: accuracy = 0.7333, threshold 0.7700, n = 300, window 00:58:12–00:58:20',
      '  evidence: drift[amount] = 0.7333, threshold 0.7700, baseline 0.1000, n = 300, window 00:58:12–00:58:20',
    ]);
  });

  it('names the incident a deployment resolves', () => {
    const deployed = { eventId: 'd', modelId: 'card-fraud', version: 'v2', deployedAt: new Date(0), reason: 'rollback', incidentId: 'inc-9', artifactUri: null };
    expect(describeEvent({ type: 'modelDeployed', receivedAt: 0, value: deployed })).toEqual(['DEPLOYED card-fraud v2 (reason rollback, incident inc-9)']);
    expect(describeEvent({ type: 'modelDeployed', receivedAt: 0, value: { ...deployed, reason: 'initial', incidentId: null } })).toEqual([
      'DEPLOYED card-fraud v2 (reason initial)',
    ]);
  });

  it('gives durations in seconds with one decimal', () => {
    // 6 180 ms between the two instants.
    expect(secondsBetween(1_000, 7_180)).toBe('6.2 s');
  });
});
