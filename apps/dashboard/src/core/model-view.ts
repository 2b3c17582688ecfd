import { headlineOf, HeadlineMetric, metricOf } from './metrics';

/**
 * The model page's charts from version-level snapshot rows already bucketed by the
 * repository (the last snapshot of each version per bucket): one shared time axis (uPlot
 * wants aligned series), the headline metric per version, latency quantiles, the drift
 * heatmap and quality breaches. Pure.
 */

export interface BucketRow {
  version: string;
  /** Bucket start, epoch seconds. */
  t: number;
  metricNames: string[];
  metricValues: number[];
  predictions: number;
  labelled: number;
}

/** Drift test of a column as the monitor's DRIFT alerts name it (`drift.<test>` or `drift.<test>.p_value`), with its threshold. */
export interface FeatureTest {
  test: string;
  criterion: 'p-value<threshold' | 'statistic>threshold';
  threshold: number;
  /** 'alert': named by a DRIFT alert's evidence; 'default': no alert yet, the registry default of a p-value or a distance test. */
  source: 'alert' | 'default';
}

export interface ModelCharts {
  metric: HeadlineMetric | null;
  /** Epoch seconds of every bucket of any version, ascending. */
  times: number[];
  /** Headline metric per version, aligned to `times` (null where the version has no bucket). */
  metricByVersion: Record<string, (number | null)[]>;
  /** `estimated_<headline>` (CBPE, before labels; accuracy only) per version that has one, aligned to `times`. */
  estimatedByVersion: Record<string, (number | null)[]>;
  /** The worst (highest) quantile over versions per bucket, in milliseconds. */
  latency: { p50: (number | null)[]; p95: (number | null)[]; p99: (number | null)[] };
  labelCoverage: (number | null)[];
  qualityBreachedColumns: (number | null)[];
  heatmap: DriftHeatmap;
}

export interface DriftHeatmap {
  version: string;
  features: string[];
  /** Column start times (epoch seconds) of the heatmap: every bucket of `version`. */
  windows: number[];
  /** [feature][window]: the p-value for p-value tests, else the statistic; null when not tested. */
  values: (number | null)[][];
  /** [feature][window]: whether the value crosses the feature's threshold. */
  drifted: boolean[][];
  tests: Record<string, FeatureTest>;
  share: (number | null)[];
}

const DRIFT_SUMMARY = new Set(['drift.share', 'drift.drifted_columns']);

/** Feature names in a snapshot's drift metrics (`drift.<feature>` and `drift.<feature>.p_value`). */
export function driftFeatures(names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const n of names) {
    if (!n.startsWith('drift.') || DRIFT_SUMMARY.has(n)) continue;
    out.add(n.endsWith('.p_value') ? n.slice(6, -8) : n.slice(6));
  }
  return [...out].sort();
}

/** The registry's defaults (libs/monitoring/src/drift/tests): 0.05 for the p-value tests, 0.1 for the distances. */
export const DEFAULT_P_VALUE_THRESHOLD = 0.05;
export const DEFAULT_DISTANCE_THRESHOLD = 0.1;

/** Test and threshold per feature from DRIFT alert evidence (newest first wins), defaults for the others. */
export function featureTests(
  features: string[],
  hasPValue: (feature: string) => boolean,
  evidence: { metric: string; feature: string | null; threshold: number | null }[],
): Record<string, FeatureTest> {
  const tests: Record<string, FeatureTest> = {};
  for (const e of evidence) {
    if (e.feature === null || e.threshold === null || tests[e.feature] || !e.metric.startsWith('drift.') || e.metric === 'drift.share') continue;
    const pValue = e.metric.endsWith('.p_value');
    tests[e.feature] = {
      test: pValue ? e.metric.slice(6, -8) : e.metric.slice(6),
      criterion: pValue ? 'p-value<threshold' : 'statistic>threshold',
      threshold: e.threshold,
      source: 'alert',
    };
  }
  for (const f of features) {
    if (tests[f]) continue;
    tests[f] = hasPValue(f)
      ? { test: 'p-value test', criterion: 'p-value<threshold', threshold: DEFAULT_P_VALUE_THRESHOLD, source: 'default' }
      : { test: 'distance', criterion: 'statistic>threshold', threshold: DEFAULT_DISTANCE_THRESHOLD, source: 'default' };
  }
  return tests;
}

export function buildCharts(rows: BucketRow[], heatmapVersion: string, driftEvidence: { metric: string; feature: string | null; threshold: number | null }[]): ModelCharts {
  const times = [...new Set(rows.map((r) => r.t))].sort((a, b) => a - b);
  const at = new Map(times.map((t, i) => [t, i]));
  const empty = () => times.map((): number | null => null);
  const metric = headlineOf(rows.flatMap((r) => r.metricNames)) ?? null;
  const metricByVersion: Record<string, (number | null)[]> = {};
  const estimatedByVersion: Record<string, (number | null)[]> = {};
  const latency = { p50: empty(), p95: empty(), p99: empty() };
  const labelCoverage = empty();
  const quality = empty();
  const worst = (series: (number | null)[], i: number, v: number | null) => {
    if (v !== null && (series[i] === null || v > series[i]!)) series[i] = v;
  };
  for (const r of rows) {
    const i = at.get(r.t)!;
    const value = (name: string) => metricOf(r.metricNames, r.metricValues, name);
    if (metric) (metricByVersion[r.version] ??= empty())[i] = value(metric);
    const estimated = metric ? value(`estimated_${metric}`) : null;
    if (estimated !== null) (estimatedByVersion[r.version] ??= empty())[i] = estimated;
    worst(latency.p50, i, value('latency_p50'));
    worst(latency.p95, i, value('latency_p95'));
    worst(latency.p99, i, value('latency_p99'));
    worst(quality, i, value('quality.breached_columns'));
    if (r.version === heatmapVersion && r.predictions > 0) labelCoverage[i] = r.labelled / r.predictions;
  }
  return {
    metric,
    times,
    metricByVersion,
    estimatedByVersion,
    latency,
    labelCoverage,
    qualityBreachedColumns: quality,
    heatmap: buildHeatmap(
      rows.filter((r) => r.version === heatmapVersion),
      heatmapVersion,
      driftEvidence,
    ),
  };
}

function buildHeatmap(rows: BucketRow[], version: string, evidence: { metric: string; feature: string | null; threshold: number | null }[]): DriftHeatmap {
  const sorted = [...rows].sort((a, b) => a.t - b.t);
  const features = driftFeatures(sorted.flatMap((r) => r.metricNames));
  const names = new Set(sorted.flatMap((r) => r.metricNames));
  const tests = featureTests(features, (f) => names.has(`drift.${f}.p_value`), evidence);
  const values = features.map((f) =>
    sorted.map((r) => {
      const t = tests[f];
      return metricOf(r.metricNames, r.metricValues, t.criterion === 'p-value<threshold' ? `drift.${f}.p_value` : `drift.${f}`);
    }),
  );
  const drifted = features.map((f, i) => values[i].map((v) => v !== null && (tests[f].criterion === 'p-value<threshold' ? v < tests[f].threshold : v > tests[f].threshold)));
  return { version, features, windows: sorted.map((r) => r.t), values, drifted, tests, share: sorted.map((r) => metricOf(r.metricNames, r.metricValues, 'drift.share')) };
}

/**
 * Bucket width (seconds) so a span has at most `maxPoints` buckets: whole seconds (the
 * demo's story lasts about 80 s, with snapshots every 2 s), whole minutes from a minute up.
 */
export function bucketSeconds(spanSeconds: number, maxPoints: number): number {
  const seconds = Math.max(1, Math.ceil(spanSeconds / maxPoints));
  return seconds < 60 ? seconds : Math.ceil(seconds / 60) * 60;
}

export interface DelayBucket {
  /** Upper bound in seconds (Infinity for the last). */
  upToSeconds: number;
  label: string;
  count: number;
}

/** Label delay histogram bounds: the steps an on-call reads (a minute, ten, an hour, six, a day, a week). */
export const DELAY_BOUNDS: readonly { upToSeconds: number; label: string }[] = [
  { upToSeconds: 60, label: '< 1 min' },
  { upToSeconds: 600, label: '< 10 min' },
  { upToSeconds: 3600, label: '< 1 h' },
  { upToSeconds: 6 * 3600, label: '< 6 h' },
  { upToSeconds: 86_400, label: '< 1 d' },
  { upToSeconds: 7 * 86_400, label: '< 7 d' },
  { upToSeconds: Infinity, label: '≥ 7 d' },
];
