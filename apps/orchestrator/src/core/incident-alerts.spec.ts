import { IncidentAlerts } from './incident-alerts';
import type { IncidentRecord } from './state';

const incident: IncidentRecord = { incidentId: 'inc-1', modelId: 'm', modelVersion: 'v2', action: 'rollback', openingEventId: 'e', openedAt: 1_000 };

describe('IncidentAlerts', () => {
  it('fires while the incident is open, re-sends each interval, resolves when it closes', () => {
    const alerts = new IncidentAlerts({ resendMs: 60_000, dashboardLink: (m) => `http://dash/models/${m}` });
    const [first] = alerts.update([incident], 5_000);
    expect(first.labels).toEqual({
      alertname: 'VigilLifecycleRequest',
      model: 'm',
      version: 'v2',
      rule: 'rollback_requested',
      severity: 'critical',
      incident: 'inc-1',
      service: 'vigil-orchestrator',
    });
    expect(first.annotations.dashboard).toBe('http://dash/models/m');
    expect(first.startsAt).toBe(new Date(1_000).toISOString());
    // now + 4 × 60 s.
    expect(first.endsAt).toBe(new Date(245_000).toISOString());
    expect(alerts.update([incident], 64_999)).toEqual([]);
    expect(alerts.update([incident], 65_000)).toHaveLength(1);
    const [resolved] = alerts.update([], 70_000);
    expect(resolved.endsAt).toBe(new Date(70_000).toISOString());
    expect(alerts.update([], 80_000)).toEqual([]);
  });
});
