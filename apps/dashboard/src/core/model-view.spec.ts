import { BucketRow, bucketSeconds, buildCharts, driftFeatures, featureTests } from './model-view';
import { evidenceSql, snapshotMetricName } from './evidence-sql';

function row(version: string, t: number, metrics: Record<string, number>, predictions = 100, labelled = 50): BucketRow {
  return { version, t, metricNames: Object.keys(metrics), metricValues: Object.values(metrics), predictions, labelled };
}

describe('model view', () => {
  it('drift features come from drift.<feature>[.p_value], not the summary metrics', () => {
    expect(driftFeatures(['drift.share', 'drift.drifted_columns', 'drift.amount', 'drift.amount.p_value', 'drift.channel', 'accuracy'])).toEqual(['amount', 'channel']);
  });

  it('a feature test comes from the newest DRIFT evidence naming it, else the registry default of its kind', () => {
    const tests = featureTests(['amount', 'channel', 'score'], (f) => f !== 'score', [
      { metric: 'drift.ks.p_value', feature: 'amount', threshold: 0.01 },
      { metric: 'drift.ks.p_value', feature: 'amount', threshold: 0.5 },
      { metric: 'drift.share', feature: null, threshold: 0.5 },
    ]);
    expect(tests.amount).toEqual({ test: 'ks', criterion: 'p-value<threshold', threshold: 0.01, source: 'alert' });
    // 0.05 and 0.1: the defaults of libs/monitoring/src/drift/tests (p-value tests, distances).
    expect(tests.channel).toEqual({ test: 'p-value test', criterion: 'p-value<threshold', threshold: 0.05, source: 'default' });
    expect(tests.score).toEqual({ test: 'distance', criterion: 'statistic>threshold', threshold: 0.1, source: 'default' });
  });

  it('aligns versions on one time axis, keeps the worst latency, and marks drifted heatmap cells', () => {
    const charts = buildCharts(
      [
        row('v1', 60, { accuracy: 0.9, latency_p99: 20, 'drift.amount': 0.1, 'drift.amount.p_value': 0.4 }),
        row('v1', 120, { accuracy: 0.91, latency_p99: 22 }),
        row('v2', 120, { accuracy: 0.7, estimated_accuracy: 0.68, latency_p99: 30, 'drift.amount': 0.3, 'drift.amount.p_value': 0.001 }, 200, 150),
      ],
      'v2',
      [],
    );
    expect(charts.metric).toBe('accuracy');
    expect(charts.times).toEqual([60, 120]);
    expect(charts.metricByVersion).toEqual({ v1: [0.9, 0.91], v2: [null, 0.7] });
    // Only v2 has a CBPE estimate: v1 gets no estimated line.
    expect(charts.estimatedByVersion).toEqual({ v2: [null, 0.68] });
    expect(charts.latency.p99).toEqual([20, 30]);
    expect(charts.labelCoverage).toEqual([null, 150 / 200]);
    expect(charts.heatmap).toMatchObject({ version: 'v2', features: ['amount'], windows: [120], values: [[0.001]], drifted: [[true]] });
  });

  it('buckets a span into at most maxPoints buckets of whole seconds, whole minutes from a minute up', () => {
    // 30 days in 720 buckets: 3 600 s each; 3 h: 15 s; 100 s: 1 s; 13 h: 65 s → 120 s.
    expect(bucketSeconds(30 * 86_400, 720)).toBe(3_600);
    expect(bucketSeconds(3 * 3_600, 720)).toBe(15);
    expect(bucketSeconds(100, 720)).toBe(1);
    expect(bucketSeconds(13 * 3_600, 720)).toBe(120);
  });

  it('evidence SQL reads the snapshot metric that carries the number, and recomputes accuracy from raw rows', () => {
    expect(snapshotMetricName({ metric: 'drift.ks.p_value', feature: 'amount' })).toBe('drift.amount.p_value');
    expect(snapshotMetricName({ metric: 'drift.wasserstein', feature: 'amount' })).toBe('drift.amount');
    expect(snapshotMetricName({ metric: 'drift.share', feature: null })).toBe('drift.share');
    const [snapshot, raw] = evidenceSql("o'brien", 'v2', {
      metric: 'accuracy',
      value: 0.7,
      threshold: 0.87,
      baseline: 0.92,
      feature: null,
      windowStart: '2026-01-01T00:00:00.500Z',
      windowEnd: '2026-01-01T00:10:00.000Z',
      sampleSize: 500,
    });
    expect(snapshot).toContain("model_id = 'o\\'brien'");
    expect(snapshot).toContain("window_end BETWEEN '2026-01-01 00:00:00' AND '2026-01-01 00:10:00'");
    expect(raw).toContain('avg(predicted_class = true_class) AS accuracy');
  });
});
