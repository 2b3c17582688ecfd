import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  buildCharts,
  buildFleet,
  bucketSeconds,
  clickhouseTimeMs,
  DELAY_BOUNDS,
  evidenceSql,
  EvidenceItem,
  FleetPage,
  FleetQuery,
  FleetRow,
  incidentSql,
  metricOf,
  ModelCharts,
  pageFleet,
} from './core';
import { DASHBOARD_CONFIG, DashboardConfig } from './dashboard.config';
import { AlertRow, DashboardRepository, DecisionRow, DeploymentRow, IncidentRow } from './dashboard.repository';

/** Points of a fleet sparkline and of a model chart (uPlot draws a few hundred per series at no cost). */
const SPARKLINE_POINTS = 48;
const CHART_POINTS = 720;
const MODEL_ALERT_LIMIT = 1_000;
const MODEL_DECISION_LIMIT = 200;

export interface FleetView extends FleetPage {
  rows: (FleetRow & { sparkline: [number, number][] })[];
  generatedAt: string;
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
  evidence: EvidenceItem[];
}

function iso(ms: number | string): string {
  return new Date(Number(ms)).toISOString();
}

/** Evidence as the monitor and orchestrator serialise it (Dates as ISO text or epoch ms). */
export function parseEvidence(json: string): EvidenceItem[] {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  return list.map((raw: Record<string, unknown>) => ({
    metric: String(raw.metric),
    value: Number(raw.value),
    threshold: raw.threshold === null || raw.threshold === undefined ? null : Number(raw.threshold),
    baseline: raw.baseline === null || raw.baseline === undefined ? null : Number(raw.baseline),
    feature: raw.feature === null || raw.feature === undefined ? null : String(raw.feature),
    windowStart: new Date(raw.windowStart as string | number).toISOString(),
    windowEnd: new Date(raw.windowEnd as string | number).toISOString(),
    sampleSize: Number(raw.sampleSize),
  }));
}

function alertView(a: AlertRow): AlertView {
  return {
    alertId: a.alert_id,
    version: a.model_version,
    kind: a.kind,
    severity: a.severity,
    rule: a.rule,
    since: iso(clickhouseTimeMs(a.since)),
    observedAt: iso(clickhouseTimeMs(a.observed_at)),
    message: a.message,
    evidence: parseEvidence(a.evidence_json),
  };
}

function deploymentView(d: DeploymentRow) {
  return { version: d.version, deployedAt: iso(d.deployed_at_ms), reason: d.reason, incidentId: d.incident_id, artifactUri: d.artifact_uri, changedBy: d.changed_by };
}

function decisionView(d: DecisionRow) {
  return {
    decidedAt: iso(d.decided_at_ms),
    version: d.model_version,
    sourceEventType: d.source_event_type,
    sourceEventId: d.source_event_id,
    action: d.action,
    outcome: d.outcome,
    reasons: d.reasons,
    incidentId: d.incident_id,
    policy: d.policy,
    changedBy: d.changed_by,
  };
}

function incidentSummary(i: IncidentRow) {
  return {
    incidentId: i.incident_id,
    version: i.model_version,
    action: i.action,
    status: i.status,
    requestStatus: i.request_status,
    openedAt: iso(i.opened_at_ms),
    closedAt: Number(i.closed_at_ms) > 0 ? iso(i.closed_at_ms) : null,
    resolution: i.resolution,
    policy: i.policy,
    reason: i.reason,
  };
}

export interface ModelRange {
  fromMs?: number;
  toMs?: number;
}

/** The read API's answers (docs/dashboard.md "API"), assembled from the repository's few queries. */
@Injectable()
export class DashboardService {
  constructor(
    private readonly repository: DashboardRepository,
    @Inject(DASHBOARD_CONFIG) private readonly config: DashboardConfig,
  ) {}

  async fleet(query: FleetQuery): Promise<FleetView> {
    // Alert episodes of the last DASHBOARD_FLEET_DAYS (wall clock) only: older ones are history, not state.
    const sinceMs = Date.now() - this.config.fleetDays * 86_400_000;
    const [versions, deployments, episodes, incidents] = await Promise.all([
      this.repository.latestVersions(),
      this.repository.latestDeployments(),
      this.repository.episodes(sinceMs),
      this.repository.incidentCounts(),
    ]);
    const page = pageFleet(buildFleet({ versions, deployments, episodes, incidents, alertOpenForMs: this.config.alertOpenForMs }), query);
    const spanMs = this.config.sparklineHours * 3_600_000;
    const oldest = Math.min(...page.rows.map((r) => r.lastEventMs - spanMs));
    const points = await this.repository.sparklines(
      page.rows.map((r) => r.modelId),
      Number.isFinite(oldest) ? oldest : 0,
      bucketSeconds(spanMs / 1000, SPARKLINE_POINTS),
    );
    const byModel = new Map<string, [number, number][]>();
    for (const p of points) byModel.set(p.model_id, [...(byModel.get(p.model_id) ?? []), [Number(p.t), Number(p.value)]]);
    return {
      ...page,
      rows: page.rows.map((r) => ({ ...r, sparkline: (byModel.get(r.modelId) ?? []).filter(([t]) => t * 1000 >= r.lastEventMs - spanMs) })),
      generatedAt: new Date().toISOString(),
    };
  }

  async model(modelId: string, range: ModelRange) {
    // Default range: the model's snapshots, at most DASHBOARD_MODEL_DAYS back from the latest.
    const span = await this.repository.snapshotSpan(modelId);
    const toMs = range.toMs ?? span?.lastMs ?? Date.now();
    const fromMs = range.fromMs ?? Math.max(toMs - this.config.modelDays * 86_400_000, span?.firstMs ?? toMs);
    const bucket = bucketSeconds((toMs - fromMs) / 1000, CHART_POINTS);
    const [buckets, alerts, deployments, incidents, decisions, delay] = await Promise.all([
      this.repository.snapshotBuckets(modelId, fromMs, toMs, bucket),
      this.repository.alerts(modelId, fromMs, toMs, MODEL_ALERT_LIMIT),
      this.repository.deployments(modelId),
      this.repository.incidents(modelId),
      this.repository.decisions(modelId, MODEL_DECISION_LIMIT),
      this.repository.labelDelay(
        modelId,
        fromMs,
        toMs,
        DELAY_BOUNDS.filter((b) => Number.isFinite(b.upToSeconds)).map((b) => b.upToSeconds),
      ),
    ]);
    if (buckets.length === 0 && deployments.length === 0 && incidents.length === 0 && alerts.length === 0)
      throw new NotFoundException(`no data for model ${JSON.stringify(modelId)}`);
    const champion = deployments.filter((d) => Number(d.deployed_at_ms) <= toMs).at(-1)?.version;
    const servingVersion = champion ?? buckets.at(-1)?.version ?? deployments.at(-1)?.version ?? '';
    const alertViews = alerts.map(alertView);
    const driftEvidence = alertViews.filter((a) => a.kind === 'DRIFT' && a.version === servingVersion).flatMap((a) => a.evidence);
    const charts: ModelCharts = buildCharts(buckets, servingVersion, driftEvidence);
    const segments = await this.repository.segments(modelId, servingVersion);
    const firstAlerts = new Map<string, AlertView>();
    for (const a of [...alertViews].reverse()) {
      const key = `${a.version}\u0000${a.rule}\u0000${a.since}`;
      if (!firstAlerts.has(key)) firstAlerts.set(key, a);
    }
    const inRange = (ms: number) => ms >= fromMs && ms <= toMs;
    return {
      modelId,
      servingVersion,
      range: { from: iso(fromMs), to: iso(toMs), bucketSeconds: bucket },
      charts,
      markers: {
        deployments: deployments.filter((d) => inRange(Number(d.deployed_at_ms))).map((d) => ({ t: Number(d.deployed_at_ms) / 1000, version: d.version, reason: d.reason })),
        alerts: [...firstAlerts.values()].map((a) => ({ t: Date.parse(a.observedAt) / 1000, rule: a.rule, severity: a.severity, version: a.version })),
        incidents: incidents.filter((i) => inRange(Number(i.opened_at_ms))).map((i) => ({ t: Number(i.opened_at_ms) / 1000, action: i.action, incidentId: i.incident_id })),
      },
      alerts: alertViews.slice(0, 100),
      qualityBreaches: alertViews.filter((a) => a.kind === 'DATA_QUALITY').slice(0, 50),
      labelDelay: {
        labels: delay.labels,
        p50Seconds: delay.p50,
        p90Seconds: delay.p90,
        p99Seconds: delay.p99,
        buckets: DELAY_BOUNDS.map((b, i) => ({ label: b.label, count: delay.counts[i] ?? 0 })),
      },
      segments: segments.map((s) => {
        const names = s.metric_names;
        const values = s.metric_values.map(Number);
        const metric = charts.metric;
        return {
          key: s.segment_key,
          value: s.segment_value,
          lastWindowEnd: iso(clickhouseTimeMs(s.last_window_end)),
          predictions: Number(s.predictions),
          labelled: Number(s.labelled),
          metric,
          metricValue: metric ? metricOf(names, values, metric) : null,
          latencyP95: metricOf(names, values, 'latency_p95'),
        };
      }),
      incidents: incidents.map(incidentSummary),
      decisions: decisions.map(decisionView),
      deployments: deployments.map(deploymentView),
    };
  }

  async incident(incidentId: string) {
    const row = await this.repository.incident(incidentId);
    if (!row) throw new NotFoundException(`no incident ${JSON.stringify(incidentId)}`);
    const [decisions, openingAlert] = await Promise.all([this.repository.incidentDecisions(row), this.repository.alertById(row.opening_event_id)]);
    let request: Record<string, unknown> = {};
    try {
      request = JSON.parse(row.request_json) as Record<string, unknown>;
    } catch {
      request = {};
    }
    // The orchestrator stores `{ action, event }` (the RetrainRequested / RollbackRequested it produces).
    const event = (request.event ?? {}) as { evidence?: unknown };
    const evidence = parseEvidence(JSON.stringify(event.evidence ?? []));
    return {
      modelId: row.model_id,
      ...incidentSummary(row),
      requestTopic: row.request_topic,
      request,
      evidence: evidence.map((e) => ({ ...e, sql: evidenceSql(row.model_id, row.model_version, e) })),
      openingAlert: openingAlert ? alertView(openingAlert) : null,
      decisions: decisions.map(decisionView),
      sql: incidentSql(row.model_id, row.incident_id, row.opening_event_id),
    };
  }
}
