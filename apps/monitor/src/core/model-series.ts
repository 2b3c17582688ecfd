import type { Alert, MetricSnapshot } from '@vigil/contracts';

/**
 * What the per-model Prometheus series show, computed from the monitor's own outputs
 * (version-level snapshots, open alert episodes) with no I/O. Labels are model and version
 * only (plus rule and severity for alerts, metric for the rolling metrics, quantile for
 * latency): all bounded sets, so a model costs a fixed number of series (docs/operations.md).
 */

/** Rolling metrics exported as `vigil_model_rolling_metric{metric}`: a fixed set, whatever the snapshot carries. */
export const EXPORTED_ROLLING_METRICS = ['accuracy', 'f1_macro', 'precision_macro', 'recall_macro', 'f1_weighted', 'mae', 'rmse', 'r2', 'mape', 'mean_error'] as const;

export const LATENCY_QUANTILES = { p50: '0.5', p95: '0.95', p99: '0.99' } as const;

export interface VersionSeries {
  version: string;
  rolling: Partial<Record<(typeof EXPORTED_ROLLING_METRICS)[number], number>>;
  driftShare: number | null;
  driftedColumns: number | null;
  /** Labelled predictions over predictions of the version so far (0 before any prediction). */
  labelCoverage: number;
  /** Latency quantiles of the snapshot's interval, in seconds (the snapshot carries milliseconds). */
  latencySeconds: Partial<Record<(typeof LATENCY_QUANTILES)[keyof typeof LATENCY_QUANTILES], number>>;
  /** End of the snapshot's window (event time), in seconds since the epoch. */
  windowEndSeconds: number;
}

/** The series of a version-level snapshot; null for a segment's snapshot (segments are not exported). */
export function versionSeriesOf(snapshot: MetricSnapshot): VersionSeries | null {
  if (snapshot.segmentKey !== '') return null;
  const m = snapshot.metrics;
  const rolling: VersionSeries['rolling'] = {};
  for (const name of EXPORTED_ROLLING_METRICS) if (m[name] !== undefined) rolling[name] = m[name];
  const latencySeconds: VersionSeries['latencySeconds'] = {};
  for (const [key, quantile] of Object.entries(LATENCY_QUANTILES)) {
    const ms = m[`latency_${key}`];
    if (ms !== undefined) latencySeconds[quantile] = ms / 1000;
  }
  return {
    version: snapshot.modelVersion,
    rolling,
    driftShare: m['drift.share'] ?? null,
    driftedColumns: m['drift.drifted_columns'] ?? null,
    labelCoverage: snapshot.predictionCount === 0 ? 0 : snapshot.labelledCount / snapshot.predictionCount,
    latencySeconds,
    windowEndSeconds: snapshot.windowEnd.getTime() / 1000,
  };
}

/** Prometheus and Alertmanager spell severities in lower case. */
export type SeverityLabel = 'warning' | 'critical' | 'unknown';

export interface OpenAlert {
  version: string;
  rule: string;
  /** From the last alert this instance published for the episode; `unknown` for an episode restored from a checkpoint. */
  severity: SeverityLabel;
  /** The last alert of the episode, when this instance published one. */
  last: Alert | null;
}

/**
 * Remembers the last alert per (version, rule) of one model and turns the model's open
 * episodes (`ModelMonitor.openEpisodes()`) into open alerts.
 */
export class OpenAlerts {
  private readonly last = new Map<string, Alert>();

  observe(alert: Alert): void {
    this.last.set(`${alert.modelVersion}\u0000${alert.rule}`, alert);
  }

  of(openEpisodes: Record<string, string[]>): OpenAlert[] {
    const open: OpenAlert[] = [];
    const keep = new Set<string>();
    for (const [version, rules] of Object.entries(openEpisodes)) {
      for (const rule of rules) {
        const key = `${version}\u0000${rule}`;
        keep.add(key);
        const last = this.last.get(key) ?? null;
        open.push({ version, rule, severity: last ? (last.severity.toLowerCase() as SeverityLabel) : 'unknown', last });
      }
    }
    // Closed episodes forget their alert, so memory follows the open set.
    for (const key of this.last.keys()) if (!keep.has(key)) this.last.delete(key);
    return open;
  }
}

/** One line of evidence for people: `accuracy 0.52 (threshold 0.8, baseline 0.9, n = 500)` per item. */
export function evidenceSummary(alert: Alert): string {
  const round = (x: number) => Number(x.toPrecision(4));
  return alert.evidence
    .map((e) => {
      const parts = [e.threshold !== null ? `threshold ${round(e.threshold)}` : null, e.baseline !== null ? `baseline ${round(e.baseline)}` : null, `n = ${e.sampleSize}`];
      return `${e.feature !== null ? `${e.feature}: ` : ''}${e.metric} ${round(e.value)} (${parts.filter((p) => p !== null).join(', ')})`;
    })
    .join('; ');
}
