import { AlertEpisode, buildFleet, FleetQuery, FleetRow, isEpisodeOpen, pageFleet, statusOf, VersionLatest } from './fleet';

const MIN = 60_000;
const T = Date.UTC(2026, 0, 1);

function version(modelId: string, v: string, lastMs: number, accuracy: number): VersionLatest {
  return { modelId, version: v, lastWindowEndMs: lastMs, predictions: 200, labelled: 150, metric: 'accuracy', metricValue: accuracy };
}

function episode(modelId: string, lastObservedMs: number): AlertEpisode {
  return { modelId, version: 'v2', rule: 'accuracy_drop', severity: 'CRITICAL', sinceMs: lastObservedMs - MIN, lastObservedMs, alerts: 2 };
}

describe('fleet', () => {
  it('an episode is open while its last alert is within the re-alert interval of the model latest event', () => {
    // 15 min: the monitor's default reAlertIntervalMs (apps/monitor/src/core/model-config.ts).
    expect(isEpisodeOpen(episode('m', T - 15 * MIN), T, 15 * MIN)).toBe(true);
    expect(isEpisodeOpen(episode('m', T - 15 * MIN - 1), T, 15 * MIN)).toBe(false);
  });

  it('status: an open incident outranks open alerts', () => {
    expect(statusOf(0, 0)).toBe('healthy');
    expect(statusOf(2, 0)).toBe('degraded');
    expect(statusOf(2, 1)).toBe('incident');
  });

  it('the serving version is the latest deployment, not the latest snapshot; coverage is its labelled share', () => {
    const rows = buildFleet({
      versions: [version('m', 'v1', T, 0.9), version('m', 'v2', T - MIN, 0.7)],
      deployments: [{ modelId: 'm', version: 'v1', deployedAtMs: T - 60 * MIN }],
      episodes: [episode('m', T - MIN)],
      incidents: [],
      alertOpenForMs: 15 * MIN,
    });
    expect(rows).toEqual([
      expect.objectContaining({
        modelId: 'm',
        servingVersion: 'v1',
        metric: 'accuracy',
        metricValue: 0.9,
        labelCoverage: 150 / 200,
        openAlerts: 1,
        status: 'degraded',
        lastEventMs: T,
        versions: ['v2', 'v1'],
      }),
    ]);
  });

  it('lists a model known only from its deployments or incidents', () => {
    const rows = buildFleet({
      versions: [],
      deployments: [{ modelId: 'new', version: 'v1', deployedAtMs: T }],
      episodes: [],
      incidents: [{ modelId: 'old', open: 1, total: 3, latestOpenIncidentId: 'i-1' }],
      alertOpenForMs: 15 * MIN,
    });
    expect(rows.map((r) => [r.modelId, r.status, r.metricValue])).toEqual([
      ['new', 'healthy', null],
      ['old', 'incident', null],
    ]);
  });

  it('searches, filters, sorts with the model id breaking ties, and pages', () => {
    const base = buildFleet({ versions: [], deployments: [], episodes: [], incidents: [], alertOpenForMs: 0 });
    expect(base).toEqual([]);
    const row = (modelId: string, status: FleetRow['status'], metricValue: number): FleetRow => ({
      modelId,
      servingVersion: 'v1',
      status,
      metric: 'accuracy',
      metricValue,
      labelCoverage: 0,
      predictions: 0,
      openAlerts: 0,
      openIncidents: 0,
      latestOpenIncidentId: null,
      lastEventMs: 0,
      versions: ['v1'],
    });
    const rows = [row('fraud-b', 'healthy', 0.8), row('fraud-a', 'incident', 0.6), row('churn', 'degraded', 0.7), row('fraud-c', 'healthy', 0.8)];
    const q: FleetQuery = { search: 'FRAUD', status: '', sort: 'metric', descending: true, offset: 0, limit: 2 };
    const page = pageFleet(rows, q);
    expect(page.total).toBe(3);
    expect(page.counts).toEqual({ healthy: 2, degraded: 0, incident: 1 });
    expect(page.rows.map((r) => r.modelId)).toEqual(['fraud-b', 'fraud-c']);
    expect(pageFleet(rows, { ...q, offset: 2 }).rows.map((r) => r.modelId)).toEqual(['fraud-a']);
    expect(pageFleet(rows, { ...q, search: '', status: 'healthy', sort: 'model', descending: false }).rows.map((r) => r.modelId)).toEqual(['fraud-b', 'fraud-c']);
  });
});
