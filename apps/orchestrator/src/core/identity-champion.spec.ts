import { championAt, previousChampion } from './champion';
import { incidentIdFor, requestEventIdFor } from './identity';
import type { DeploymentRecord } from './state';

const at = (iso: string) => new Date(iso).getTime();
const deployment = (version: string, iso: string, reason = 'manual'): DeploymentRecord => ({
  eventId: `dep-${version}-${iso}`,
  version,
  deployedAt: at(iso),
  reason,
  incidentId: null,
});

describe('incident identity', () => {
  it('is deterministic and distinguishes every part of the key', () => {
    const id = incidentIdFor('fraud', 'v1', 'retrain', 'alert-7');
    expect(id).toMatch(/^inc-[0-9a-f]{24}$/);
    expect(incidentIdFor('fraud', 'v1', 'retrain', 'alert-7')).toBe(id);
    expect(
      new Set([
        id,
        incidentIdFor('fraud', 'v2', 'retrain', 'alert-7'),
        incidentIdFor('fraud', 'v1', 'rollback', 'alert-7'),
        incidentIdFor('fraud', 'v1', 'retrain', 'alert-8'),
        incidentIdFor('fraud2', 'v1', 'retrain', 'alert-7'),
      ]).size,
    ).toBe(5);
    // JSON framing: ("a|b", "c") and ("a", "b|c") must not collide.
    expect(incidentIdFor('a|b', 'c', 'retrain', 'x')).not.toBe(incidentIdFor('a', 'b|c', 'retrain', 'x'));
  });

  it('derives a UUID-shaped request event id from the incident id', () => {
    const eventId = requestEventIdFor('inc-0123');
    expect(eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestEventIdFor('inc-0123')).toBe(eventId);
    expect(requestEventIdFor('inc-0124')).not.toBe(eventId);
  });
});

describe('champion at a date', () => {
  const history = [
    deployment('v1', '2026-01-01T00:00:00Z', 'initial'),
    deployment('v2', '2026-02-01T00:00:00Z', 'retrain'),
    deployment('v1', '2026-02-03T12:00:00Z', 'rollback'),
    deployment('v3', '2026-03-01T00:00:00Z', 'retrain'),
  ];

  it('answers "what served on date X" with the latest deployment at or before X', () => {
    expect(championAt(history, at('2025-12-31T23:59:59Z'))).toBeNull();
    expect(championAt(history, at('2026-01-01T00:00:00Z'))?.version).toBe('v1');
    expect(championAt(history, at('2026-02-02T00:00:00Z'))?.version).toBe('v2');
    expect(championAt(history, at('2026-02-03T12:00:00Z'))).toBe(history[2]);
    expect(championAt(history, at('2026-02-20T00:00:00Z'))?.reason).toBe('rollback');
    expect(championAt(history, at('2027-01-01T00:00:00Z'))?.version).toBe('v3');
  });

  it('finds the version that served before a deployment', () => {
    expect(previousChampion(history, history[0])).toBeNull();
    expect(previousChampion(history, history[1])?.version).toBe('v1');
    expect(previousChampion(history, history[2])?.version).toBe('v2');
    expect(previousChampion(history, history[3])?.version).toBe('v1');
    // Redeploying the same version skips back to the last different one.
    const redeployed = [...history, deployment('v3', '2026-03-02T00:00:00Z', 'manual')];
    expect(previousChampion(redeployed, redeployed[4])?.version).toBe('v1');
  });
});
