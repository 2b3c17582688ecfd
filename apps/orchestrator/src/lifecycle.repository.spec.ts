import type { ClickHouseClient } from '@clickhouse/client';
import type { IncidentRecord } from './core';
import { IncidentRow, LifecycleRepository, OpenedIncident } from './lifecycle.repository';

/** Answers SELECTs with `stored` and records every insert. */
function fakeClient(stored: IncidentRow[]) {
  const inserts: { table: string; values: IncidentRow[] }[] = [];
  const queries: string[] = [];
  const client = {
    insert: ({ table, values }: { table: string; values: IncidentRow[] }) => {
      inserts.push({ table, values });
      return Promise.resolve();
    },
    query: ({ query }: { query: string }) => {
      queries.push(query);
      return Promise.resolve({ json: () => Promise.resolve(stored) });
    },
  };
  return { client: client as unknown as ClickHouseClient, inserts, queries };
}

function incident(incidentId: string): IncidentRecord {
  return { incidentId, modelId: 'fraud', modelVersion: 'v1', action: 'retrain', openingEventId: `${incidentId}-opener`, openedAt: 1_780_000_000_000 };
}

function opened(incidentId: string, offset: number): OpenedIncident {
  return {
    incident: incident(incidentId),
    request: { topic: 'vigil.retrain-requested', eventId: `${incidentId}-request`, json: '{}', policy: 'builtin', reason: 'why' },
    source: { topic: 'vigil.alerts', partition: 0, offset },
  };
}

describe('LifecycleRepository.writeIncidents', () => {
  it('writes opened and closed incidents in one insert, an incident opened and closed in the batch once', async () => {
    // inc-old was opened by an earlier batch: ClickHouse returns it as stored (UInt64 as strings).
    const stored = {
      incident_id: 'inc-old',
      model_id: 'fraud',
      model_version: 'v0',
      action: 'retrain',
      status: 'open',
      request_status: 'produced',
      opening_event_id: 'x',
      opened_at: '2026-05-28 20:26:40',
      opened_at_ms: '1780000000000',
      closed_at_ms: '0',
      resolution: '',
      policy: 'builtin',
      reason: 'why',
      request_event_id: 'r',
      request_topic: 'vigil.retrain-requested',
      request_json: '{}',
      source_topic: 'vigil.alerts',
      source_partition: 0,
      source_offset: '3',
      row_version: '5',
    } as unknown as IncidentRow;
    const { client, inserts, queries } = fakeClient([stored]);
    const repository = new LifecycleRepository(client);

    await repository.writeIncidents(
      [opened('inc-a', 10), opened('inc-b', 12)],
      [
        { incident: incident('inc-a'), closedAt: 1_780_000_060_000, resolution: 'deployment of v2 (manual)' },
        { incident: incident('inc-old'), closedAt: 1_780_000_060_000, resolution: 'deployment of v2 (manual)' },
      ],
    );

    // Only the incident not opened by this batch is read back.
    expect(queries).toHaveLength(1);
    expect(queries[0]).toContain("has(['inc-old'], incident_id)");
    expect(inserts).toHaveLength(1);
    const rows = inserts[0].values;
    expect(rows.map((r) => [r.incident_id, r.status, r.request_status, r.source_offset, r.resolution])).toEqual([
      ['inc-a', 'closed', 'pending', 10, 'deployment of v2 (manual)'],
      ['inc-b', 'open', 'pending', 12, ''],
      ['inc-old', 'closed', 'produced', 3, 'deployment of v2 (manual)'],
    ]);
    // Row versions grow strictly, above the stored one (ReplacingMergeTree keeps the highest).
    const versions = rows.map((r) => r.row_version);
    expect(versions[2]).toBeGreaterThan(versions[1]);
    expect(versions[1]).toBeGreaterThan(versions[0]);
    expect(versions[0]).toBeGreaterThan(5);
  });

  it('sends nothing when the batch opened and closed nothing', async () => {
    const { client, inserts, queries } = fakeClient([]);
    await new LifecycleRepository(client).writeIncidents([], []);
    expect([inserts, queries]).toEqual([[], []]);
  });
});
