import type { Alert } from '@vigil/contracts';
import { AlertmanagerSync } from './alertmanager-sync';
import { OpenAlerts, versionSeriesOf } from './model-series';

const alert = (rule: string, message: string): Alert => ({
  alertId: `a-${rule}`,
  modelId: 'm',
  modelVersion: 'v1',
  kind: 'PERFORMANCE',
  severity: 'CRITICAL',
  rule,
  since: new Date(1_000),
  observedAt: new Date(2_000),
  message,
  evidence: [{ metric: 'accuracy', value: 0.5123, threshold: 0.8, baseline: 0.9, feature: null, windowStart: new Date(0), windowEnd: new Date(2_000), sampleSize: 500 }],
});

describe('AlertmanagerSync', () => {
  it('fires an episode once, re-sends it every resend interval, resolves it when it clears', () => {
    const sync = new AlertmanagerSync({ resendMs: 60_000, dashboardLink: (modelId) => `http://dash.example/models/${modelId}` });
    const open = new OpenAlerts();
    open.observe(alert('accuracy_drop', 'accuracy fell'));
    const first = sync.update('m', open.of({ v1: ['accuracy_drop'] }), 10_000);
    expect(first).toHaveLength(1);
    expect(first[0].labels).toEqual({ alertname: 'VigilModelAlert', model: 'm', version: 'v1', rule: 'accuracy_drop', severity: 'critical', service: 'vigil-monitor' });
    expect(first[0].annotations).toEqual({
      summary: 'accuracy 0.5123 (threshold 0.8, baseline 0.9, n = 500)',
      description: 'accuracy fell',
      dashboard: 'http://dash.example/models/m',
    });
    // startsAt = the episode's since (1 000 ms); endsAt = now + 4 × 60 s, Prometheus's rule.
    expect(first[0].startsAt).toBe(new Date(1_000).toISOString());
    expect(first[0].endsAt).toBe(new Date(10_000 + 240_000).toISOString());
    // Within the resend interval nothing is sent; at 60 s it is sent again.
    expect(sync.update('m', open.of({ v1: ['accuracy_drop'] }), 69_999)).toEqual([]);
    expect(sync.update('m', open.of({ v1: ['accuracy_drop'] }), 70_000)).toHaveLength(1);
    const resolved = sync.update('m', open.of({ v1: [] }), 80_000);
    expect(resolved).toHaveLength(1);
    expect(resolved[0].endsAt).toBe(new Date(80_000).toISOString());
    expect(sync.update('m', open.of({ v1: [] }), 90_000)).toEqual([]);
  });

  it('names an episode restored from a checkpoint with severity unknown and resolves nothing for a forgotten model', () => {
    const sync = new AlertmanagerSync({ resendMs: 60_000, dashboardLink: () => undefined });
    const open = new OpenAlerts();
    const [restored] = sync.update('m', open.of({ v2: ['dataset_drift'] }), 5_000);
    expect(restored.labels.severity).toBe('unknown');
    expect(restored.annotations.dashboard).toBeUndefined();
    sync.forget('m');
    expect(sync.update('m', [], 6_000)).toEqual([]);
  });
});

describe('versionSeriesOf', () => {
  it('exports the fixed metric set, drift, coverage and latency in seconds; not segments', () => {
    const snapshot = {
      eventId: 'e',
      modelId: 'm',
      modelVersion: 'v1',
      segmentKey: '',
      segmentValue: '',
      windowStart: new Date(0),
      windowEnd: new Date(4_000),
      predictionCount: 200,
      labelledCount: 50,
      metrics: { accuracy: 0.9, window_labelled: 50, 'drift.share': 0.5, 'drift.drifted_columns': 2, 'drift.amount': 0.3, latency_p95: 12 },
    };
    expect(versionSeriesOf(snapshot)).toEqual({
      version: 'v1',
      rolling: { accuracy: 0.9 },
      driftShare: 0.5,
      driftedColumns: 2,
      labelCoverage: 0.25, // 50 / 200
      latencySeconds: { '0.95': 0.012 }, // 12 ms
      windowEndSeconds: 4,
    });
    expect(versionSeriesOf({ ...snapshot, segmentKey: 'country', segmentValue: 'FR' })).toBeNull();
  });
});
