import type { HeadlineMetric } from './metrics';

/**
 * The fleet page's rows, from a handful of per-table aggregates (one row per model or per
 * model version, never one query per model): which version serves, its status, coverage
 * and counts; then search, sort and paging. Pure: time comes in.
 */

export type ModelStatus = 'healthy' | 'degraded' | 'incident';

/** The latest version-level snapshot of one model version. */
export interface VersionLatest {
  modelId: string;
  version: string;
  lastWindowEndMs: number;
  predictions: number;
  labelled: number;
  /** The snapshot's headline metric (accuracy, else MAE; null before any label) and its value. */
  metric: HeadlineMetric | null;
  metricValue: number | null;
}

export interface LatestDeployment {
  modelId: string;
  version: string;
  deployedAtMs: number;
}

/** One alert episode: the alerts of one (model, version, rule) sharing `since`. */
export interface AlertEpisode {
  modelId: string;
  version: string;
  rule: string;
  severity: string;
  sinceMs: number;
  lastObservedMs: number;
  alerts: number;
}

export interface IncidentCounts {
  modelId: string;
  open: number;
  total: number;
  latestOpenIncidentId: string | null;
}

export interface FleetRow {
  modelId: string;
  servingVersion: string;
  status: ModelStatus;
  metric: HeadlineMetric | null;
  metricValue: number | null;
  labelCoverage: number;
  predictions: number;
  openAlerts: number;
  openIncidents: number;
  latestOpenIncidentId: string | null;
  lastEventMs: number;
  versions: string[];
}

/**
 * An episode is open while the monitor keeps repeating it: a condition that still holds is
 * re-alerted every `reAlertIntervalMs` (monitor default 15 min) of event time, so an episode
 * whose last alert is more than that behind the model's latest snapshot has cleared. The
 * alerts table records no clearing (docs/dashboard.md "Limits").
 */
export function isEpisodeOpen(episode: AlertEpisode, modelLastEventMs: number, openForMs: number): boolean {
  return episode.lastObservedMs >= modelLastEventMs - openForMs;
}

export function statusOf(openAlerts: number, openIncidents: number): ModelStatus {
  if (openIncidents > 0) return 'incident';
  return openAlerts > 0 ? 'degraded' : 'healthy';
}

export interface FleetInputs {
  versions: VersionLatest[];
  deployments: LatestDeployment[];
  episodes: AlertEpisode[];
  incidents: IncidentCounts[];
  alertOpenForMs: number;
}

/** One row per model that has a snapshot, a deployment or an incident. */
export function buildFleet(input: FleetInputs): FleetRow[] {
  const byModel = new Map<string, VersionLatest[]>();
  for (const v of input.versions) byModel.set(v.modelId, [...(byModel.get(v.modelId) ?? []), v]);
  const deployed = new Map(input.deployments.map((d) => [d.modelId, d]));
  const incidents = new Map(input.incidents.map((i) => [i.modelId, i]));
  const episodes = new Map<string, AlertEpisode[]>();
  for (const e of input.episodes) episodes.set(e.modelId, [...(episodes.get(e.modelId) ?? []), e]);
  const ids = new Set([...byModel.keys(), ...deployed.keys(), ...incidents.keys()]);
  return [...ids].map((modelId) => {
    const versions = (byModel.get(modelId) ?? []).sort((a, b) => a.lastWindowEndMs - b.lastWindowEndMs);
    const latest = versions.at(-1);
    const servingVersion = deployed.get(modelId)?.version ?? latest?.version ?? '';
    const serving = versions.find((v) => v.version === servingVersion) ?? latest;
    const lastEventMs = Math.max(latest?.lastWindowEndMs ?? 0, deployed.get(modelId)?.deployedAtMs ?? 0);
    const openAlerts = (episodes.get(modelId) ?? []).filter((e) => isEpisodeOpen(e, lastEventMs, input.alertOpenForMs)).length;
    const inc = incidents.get(modelId);
    return {
      modelId,
      servingVersion,
      status: statusOf(openAlerts, inc?.open ?? 0),
      metric: serving?.metric ?? null,
      metricValue: serving?.metricValue ?? null,
      labelCoverage: serving && serving.predictions > 0 ? serving.labelled / serving.predictions : 0,
      predictions: serving?.predictions ?? 0,
      openAlerts,
      openIncidents: inc?.open ?? 0,
      latestOpenIncidentId: inc?.latestOpenIncidentId ?? null,
      lastEventMs,
      versions: versions.map((v) => v.version),
    };
  });
}

export const FLEET_SORT_KEYS = ['model', 'status', 'metric', 'coverage', 'alerts', 'incidents', 'lastEvent'] as const;
export type FleetSortKey = (typeof FLEET_SORT_KEYS)[number];

export interface FleetQuery {
  search: string;
  status: ModelStatus | '';
  sort: FleetSortKey;
  descending: boolean;
  offset: number;
  limit: number;
}

const STATUS_RANK: Record<ModelStatus, number> = { healthy: 0, degraded: 1, incident: 2 };

const SORT_VALUE: Record<FleetSortKey, (r: FleetRow) => number | string> = {
  model: (r) => r.modelId,
  status: (r) => STATUS_RANK[r.status],
  metric: (r) => r.metricValue ?? -Infinity,
  coverage: (r) => r.labelCoverage,
  alerts: (r) => r.openAlerts,
  incidents: (r) => r.openIncidents,
  lastEvent: (r) => r.lastEventMs,
};

export interface FleetPage {
  total: number;
  counts: Record<ModelStatus, number>;
  rows: FleetRow[];
}

/** Case-insensitive substring search on the model id, a status filter, a stable sort (model id breaks ties), then one page. */
export function pageFleet(rows: FleetRow[], q: FleetQuery): FleetPage {
  const needle = q.search.toLowerCase();
  const found = rows.filter((r) => r.modelId.toLowerCase().includes(needle));
  const counts: Record<ModelStatus, number> = { healthy: 0, degraded: 0, incident: 0 };
  for (const r of found) counts[r.status] += 1;
  const kept = q.status === '' ? found : found.filter((r) => r.status === q.status);
  const value = SORT_VALUE[q.sort];
  const direction = q.descending ? -1 : 1;
  kept.sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    const order = x < y ? -1 : x > y ? 1 : 0;
    return order * direction || (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0);
  });
  return { total: kept.length, counts, rows: kept.slice(q.offset, q.offset + q.limit) };
}
