import { MetricsRegistry } from '@vigil/common';
import { ModelSeriesMetrics } from './model-series.metrics';

describe('ModelSeriesMetrics', () => {
  const version = { version: 'v1', rolling: { accuracy: 0.9 }, driftShare: 0.5, driftedColumns: 2, labelCoverage: 0.25, latencySeconds: { '0.95': 0.012 }, windowEndSeconds: 4 };

  it('replaces open alerts, and removes every series of a model handed over', async () => {
    const registry = new MetricsRegistry();
    const series = new ModelSeriesMetrics(registry);
    series.setVersion('a', version);
    series.setVersion('b', version);
    series.setJoin('a', { joined: 7, unknown: 1, pendingPredictions: 3 });
    series.setOpenAlerts('a', [{ version: 'v1', rule: 'dataset_drift', severity: 'warning', last: null }]);
    let text = await registry.metrics();
    expect(text).toContain('vigil_model_rolling_metric{model="a",version="v1",metric="accuracy"} 0.9');
    expect(text).toContain('vigil_model_latency_seconds{model="a",version="v1",quantile="0.95"} 0.012');
    expect(text).toContain('vigil_model_pending_predictions{model="a"} 3');
    expect(text).toContain('vigil_model_labels{model="a",outcome="unknown"} 1');
    expect(text).toContain('vigil_model_open_alerts{model="a",version="v1",rule="dataset_drift",severity="warning"} 1');

    // The episode escalates to critical: the warning series goes, the critical one comes.
    series.setOpenAlerts('a', [{ version: 'v1', rule: 'dataset_drift', severity: 'critical', last: null }]);
    text = await registry.metrics();
    expect(text).not.toContain('severity="warning"');
    expect(text).toContain('vigil_model_open_alerts{model="a",version="v1",rule="dataset_drift",severity="critical"} 1');

    series.removeModel('a');
    text = await registry.metrics();
    expect(text).not.toContain('model="a"');
    expect(text).toContain('vigil_model_drift_share_ratio{model="b",version="v1"} 0.5');
  });
});
