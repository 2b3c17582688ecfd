import type { RetrainRequested } from '@vigil/contracts';
import { reviveRequest } from './lifecycle.service';

describe('reviveRequest', () => {
  it('restores the Dates a persisted request lost to JSON', () => {
    const event: RetrainRequested = {
      eventId: 'e-1',
      incidentId: 'inc-1',
      modelId: 'fraud',
      modelVersion: 'v1',
      requestedAt: new Date('2026-06-01T00:03:00.123Z'),
      policy: 'builtin',
      reason: '3 consecutive CRITICAL performance observations (policy: 3)',
      evidence: [{ metric: 'accuracy', value: 0.7, threshold: 0.8, baseline: null, feature: null, windowStart: new Date('2026-06-01T00:00:00Z'), windowEnd: new Date('2026-06-01T00:05:00Z'), sampleSize: 400 }],
    };
    expect(reviveRequest(JSON.stringify({ action: 'retrain', event }))).toEqual({ action: 'retrain', event });
  });
});
