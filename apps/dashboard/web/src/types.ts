/** The API's answers as the pages use them (apps/dashboard/src/dashboard.service.ts). */

export type Status = 'healthy' | 'degraded' | 'incident';

export interface FleetRow {
  modelId: string;
  servingVersion: string;
  status: Status;
  metric: 'accuracy' | 'mae' | null;
  metricValue: number | null;
  labelCoverage: number;
  predictions: number;
  openAlerts: number;
  openIncidents: number;
  latestOpenIncidentId: string | null;
  lastEventMs: number;
  versions: string[];
  sparkline: [number, number][];
}

export interface Fleet {
  total: number;
  counts: Record<Status, number>;
  rows: FleetRow[];
  generatedAt: string;
}

export interface Evidence {
  metric: string;
  value: number;
  threshold: number | null;
  baseline: number | null;
  feature: string | null;
  windowStart: string;
  windowEnd: string;
  sampleSize: number;
  sql?: string[];
}

export interface AlertView {
  alertId: string;
  version: string;
  kind: string;
  severity: string;
  rule: string;
  since: string;
  observedAt: string;
  message: string;
  evidence: Evidence[];
}

export interface Decision {
  decidedAt: string;
  version: string;
  sourceEventType: string;
  sourceEventId: string;
  action: string;
  outcome: string;
  reasons: string[];
  incidentId: string | null;
  policy: string;
  changedBy: string;
}

export interface IncidentSummary {
  incidentId: string;
  version: string;
  action: string;
  status: string;
  requestStatus: string;
  openedAt: string;
  closedAt: string | null;
  resolution: string;
  policy: string;
  reason: string;
}

export interface FeatureTest {
  test: string;
  criterion: 'p-value<threshold' | 'statistic>threshold';
  threshold: number;
  source: 'alert' | 'default';
}

export interface ModelView {
  modelId: string;
  servingVersion: string;
  range: { from: string; to: string; bucketSeconds: number };
  charts: {
    metric: 'accuracy' | 'mae' | null;
    times: number[];
    metricByVersion: Record<string, (number | null)[]>;
    estimatedByVersion: Record<string, (number | null)[]>;
    latency: { p50: (number | null)[]; p95: (number | null)[]; p99: (number | null)[] };
    labelCoverage: (number | null)[];
    qualityBreachedColumns: (number | null)[];
    heatmap: {
      version: string;
      features: string[];
      windows: number[];
      values: (number | null)[][];
      drifted: boolean[][];
      tests: Record<string, FeatureTest>;
      share: (number | null)[];
    };
  };
  markers: {
    deployments: { t: number; version: string; reason: string }[];
    alerts: { t: number; rule: string; severity: string; version: string }[];
    incidents: { t: number; action: string; incidentId: string }[];
  };
  alerts: AlertView[];
  qualityBreaches: AlertView[];
  labelDelay: { labels: number; p50Seconds: number | null; p90Seconds: number | null; p99Seconds: number | null; buckets: { label: string; count: number }[] };
  segments: {
    key: string;
    value: string;
    lastWindowEnd: string;
    predictions: number;
    labelled: number;
    metric: string | null;
    metricValue: number | null;
    latencyP95: number | null;
  }[];
  incidents: IncidentSummary[];
  decisions: Decision[];
  deployments: { version: string; deployedAt: string; reason: string; incidentId: string | null; artifactUri: string | null; changedBy: string }[];
}

export interface IncidentView extends IncidentSummary {
  modelId: string;
  requestTopic: string;
  request: unknown;
  evidence: (Evidence & { sql: string[] })[];
  openingAlert: AlertView | null;
  decisions: Decision[];
  sql: { incident: string; decisions: string };
}
