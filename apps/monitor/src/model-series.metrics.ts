import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@vigil/common';
import { Gauge } from 'prom-client';
import { OpenAlert, VersionSeries } from './core/model-series';

type Labels = Record<string, string>;

/**
 * Per-model Prometheus series of the monitor (names and limits in docs/operations.md).
 * Every series a model has is remembered so it can be removed when the model moves to
 * another instance: one model is exported by exactly one monitor.
 */
@Injectable()
export class ModelSeriesMetrics {
  private readonly rolling: Gauge<'model' | 'version' | 'metric'>;
  private readonly driftShare: Gauge<'model' | 'version'>;
  private readonly driftedColumns: Gauge<'model' | 'version'>;
  private readonly labelCoverage: Gauge<'model' | 'version'>;
  private readonly latency: Gauge<'model' | 'version' | 'quantile'>;
  private readonly lastWindowEnd: Gauge<'model' | 'version'>;
  private readonly pendingPredictions: Gauge<'model'>;
  private readonly labels: Gauge<'model' | 'outcome'>;
  private readonly openAlerts: Gauge<'model' | 'version' | 'rule' | 'severity'>;
  /** model → gauge → key of its label set → the label set. */
  private readonly series = new Map<string, Map<Gauge<string>, Map<string, Labels>>>();

  constructor(registry: MetricsRegistry) {
    const registers = [registry];
    this.rolling = new Gauge({
      name: 'vigil_model_rolling_metric',
      help: 'Rolling-window metric of a model version (metric: accuracy, f1_macro, precision_macro, recall_macro, f1_weighted, mae, rmse, r2, mape, mean_error)',
      labelNames: ['model', 'version', 'metric'],
      registers,
    });
    this.driftShare = new Gauge({
      name: 'vigil_model_drift_share_ratio',
      help: 'Share of drifted columns in the last drift window (0-1)',
      labelNames: ['model', 'version'],
      registers,
    });
    this.driftedColumns = new Gauge({ name: 'vigil_model_drifted_columns', help: 'Columns drifted in the last drift window', labelNames: ['model', 'version'], registers });
    this.labelCoverage = new Gauge({
      name: 'vigil_model_label_coverage_ratio',
      help: 'Labelled predictions over predictions of the version (0-1)',
      labelNames: ['model', 'version'],
      registers,
    });
    this.latency = new Gauge({
      name: 'vigil_model_latency_seconds',
      help: 'Prediction latency quantiles over the last snapshot interval',
      labelNames: ['model', 'version', 'quantile'],
      registers,
    });
    this.lastWindowEnd = new Gauge({
      name: 'vigil_model_last_event_timestamp_seconds',
      help: "Event time of the newest event in the version's last snapshot (Unix seconds)",
      labelNames: ['model', 'version'],
      registers,
    });
    this.pendingPredictions = new Gauge({ name: 'vigil_model_pending_predictions', help: 'Predictions waiting for their label (model-wide)', labelNames: ['model'], registers });
    this.labels = new Gauge({
      name: 'vigil_model_labels',
      help: 'Labels of the model by outcome since its state began (joined, unknown, duplicate, …); survives hand-over between instances',
      labelNames: ['model', 'outcome'],
      registers,
    });
    this.openAlerts = new Gauge({
      name: 'vigil_model_open_alerts',
      help: 'Open alert episodes by rule and severity (1 while open; severity unknown for an episode restored from a checkpoint)',
      labelNames: ['model', 'version', 'rule', 'severity'],
      registers,
    });
  }

  /** Series of a version-level snapshot. */
  setVersion(modelId: string, s: VersionSeries): void {
    const base = { model: modelId, version: s.version };
    for (const [metric, value] of Object.entries(s.rolling)) this.set(this.rolling, { ...base, metric }, value);
    if (s.driftShare !== null) this.set(this.driftShare, base, s.driftShare);
    if (s.driftedColumns !== null) this.set(this.driftedColumns, base, s.driftedColumns);
    this.set(this.labelCoverage, base, s.labelCoverage);
    for (const [quantile, value] of Object.entries(s.latencySeconds)) this.set(this.latency, { ...base, quantile }, value);
    this.set(this.lastWindowEnd, base, s.windowEndSeconds);
  }

  /** Model-wide join figures (`ModelMonitor.currentMetrics().labels`). */
  setJoin(modelId: string, labels: Record<string, number>): void {
    for (const [key, value] of Object.entries(labels)) {
      if (key === 'pendingPredictions') this.set(this.pendingPredictions, { model: modelId }, value);
      else this.set(this.labels, { model: modelId, outcome: key }, value);
    }
  }

  /** Replaces the model's open alerts: closed episodes' series disappear. */
  setOpenAlerts(modelId: string, open: OpenAlert[]): void {
    const now = new Map(open.map((a) => [[modelId, a.version, a.rule, a.severity].join('\u0000'), { model: modelId, version: a.version, rule: a.rule, severity: a.severity }]));
    const known = this.series.get(modelId)?.get(this.openAlerts as Gauge<string>);
    for (const [key, labels] of known ?? []) {
      if (now.has(key)) continue;
      this.openAlerts.remove(labels);
      known!.delete(key);
    }
    for (const labels of now.values()) this.set(this.openAlerts, labels, 1);
  }

  /** Removes every series of a model this instance no longer owns. */
  removeModel(modelId: string): void {
    for (const [gauge, sets] of this.series.get(modelId) ?? []) for (const labels of sets.values()) gauge.remove(labels);
    this.series.delete(modelId);
  }

  private set<T extends string>(gauge: Gauge<T>, labels: Record<T, string>, value: number): void {
    gauge.set(labels, value);
    const model = labels['model' as T];
    let gauges = this.series.get(model);
    if (!gauges) this.series.set(model, (gauges = new Map()));
    let sets = gauges.get(gauge as Gauge<string>);
    if (!sets) gauges.set(gauge as Gauge<string>, (sets = new Map()));
    sets.set(Object.values<string>(labels).join('\u0000'), labels);
  }
}
