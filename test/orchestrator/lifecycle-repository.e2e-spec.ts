/**
 * LifecycleRepository against a real ClickHouse (a fresh database for this file, created and
 * migrated by the real StorageModule): the FINAL / row_version statements the orchestrator
 * relies on, with rows replaced, re-inserted and read back for real. Replaces the spec that
 * answered every SELECT from a fake client.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { TestingModule, Test } from '@nestjs/testing';
import { CLICKHOUSE, CLICKHOUSE_SETTINGS, StorageModule } from '@vigil/storage';
import { emptyModelState, IncidentRecord, ModelState } from '../../apps/orchestrator/src/core';
import { DeploymentEntry, LifecycleRepository, OpenedIncident } from '../../apps/orchestrator/src/lifecycle.repository';
import { dropDatabase, queryCount, testInfrastructure } from '../support/stack';

const config = testInfrastructure('lifecycle_repo');

/** 2026-05-28T20:26:40Z, an arbitrary opening time; later incidents open one minute apart. */
const OPENED_AT = 1_780_000_000_000;

function incident(incidentId: string, minute: number): IncidentRecord {
  return { incidentId, modelId: 'fraud', modelVersion: 'v1', action: 'retrain', openingEventId: `${incidentId}-opener`, openedAt: OPENED_AT + minute * 60_000 };
}

function opened(incidentId: string, minute: number, offset: number): OpenedIncident {
  return {
    incident: incident(incidentId, minute),
    request: { topic: 'vigil.retrain-requested', eventId: `${incidentId}-request`, json: '{}', policy: 'builtin', reason: 'why' },
    source: { topic: 'vigil.alerts', partition: 0, offset },
  };
}

describe('LifecycleRepository on ClickHouse', () => {
  let moduleRef: TestingModule;
  let repository: LifecycleRepository;
  let client: ClickHouseClient;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({ imports: [StorageModule.forRoot()], providers: [LifecycleRepository] })
      .overrideProvider(CLICKHOUSE_SETTINGS)
      .useValue(config.clickhouse)
      .compile();
    // init() runs StorageLifecycle.onModuleInit: creates the database and applies the migrations.
    await moduleRef.init();
    repository = moduleRef.get(LifecycleRepository);
    client = moduleRef.get(CLICKHOUSE);
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await moduleRef?.close();
    await dropDatabase(config);
  });

  const incidentsOf = (modelId: string) =>
    repository.incidents(modelId).then((rows) => rows.map((r) => [r.incident_id, r.status, r.request_status, r.source_offset, r.resolution]));

  it('writes opened and closed incidents in one insert, an incident opened and closed in the batch once', async () => {
    // inc-old was opened by an earlier batch and its request produced since.
    await repository.writeIncidents([opened('inc-old', 0, 3)], []);
    await repository.updateIncidents(['inc-old'], { request_status: 'produced' });
    const [storedOld] = await repository.incidents('fraud');
    expect([storedOld.incident_id, storedOld.request_status, storedOld.source_offset]).toEqual(['inc-old', 'produced', 3]);

    const queries = jest.spyOn(client, 'query');
    const inserts = jest.spyOn(client, 'insert');
    await repository.writeIncidents(
      [opened('inc-a', 1, 10), opened('inc-b', 2, 12)],
      [
        { incident: incident('inc-a', 1), closedAt: OPENED_AT + 60 * 60_000, resolution: 'deployment of v2 (manual)' },
        { incident: incident('inc-old', 0), closedAt: OPENED_AT + 60 * 60_000, resolution: 'deployment of v2 (manual)' },
      ],
    );
    // Only the incident not opened by this batch is read back, and everything goes in one insert.
    expect(queries).toHaveBeenCalledTimes(1);
    expect(queries.mock.calls[0][0].query).toContain("has(['inc-old'], incident_id)");
    expect(inserts).toHaveBeenCalledTimes(1);
    jest.restoreAllMocks();

    // What FINAL returns: inc-old keeps what the store had (produced, offset 3), now closed.
    expect(await incidentsOf('fraud')).toEqual([
      ['inc-old', 'closed', 'produced', 3, 'deployment of v2 (manual)'],
      ['inc-a', 'closed', 'pending', 10, 'deployment of v2 (manual)'],
      ['inc-b', 'open', 'pending', 12, ''],
    ]);
    // inc-a was written once, already closed (one row even before any merge).
    expect(await queryCount(client, "SELECT count() AS n FROM incidents WHERE incident_id = 'inc-a'")).toBe(1);
    // Row versions grow strictly in write order (a, b, old), above the stored one
    // (ReplacingMergeTree keeps the highest).
    const versions = new Map((await repository.incidents('fraud')).map((r) => [r.incident_id, r.row_version]));
    expect(versions.get('inc-b')!).toBeGreaterThan(versions.get('inc-a')!);
    expect(versions.get('inc-old')!).toBeGreaterThan(versions.get('inc-b')!);
    expect(versions.get('inc-a')!).toBeGreaterThan(storedOld.row_version);
  });

  it('sends nothing when the batch opened and closed nothing', async () => {
    const queries = jest.spyOn(client, 'query');
    const inserts = jest.spyOn(client, 'insert');
    await repository.writeIncidents([], []);
    expect([queries.mock.calls, inserts.mock.calls]).toEqual([[], []]);
  });

  it('keeps the highest row_version: a stale row re-inserted later does not come back', async () => {
    await repository.writeIncidents([opened('inc-stale', 0, 7)], []);
    const [pending] = (await repository.pendingIncidents()).filter((r) => r.incident_id === 'inc-stale');
    expect(pending.request_status).toBe('pending');
    await repository.updateIncidents(['inc-stale'], { request_status: 'produced' });
    // A slow writer replays the row it read before the update: same key, lower version.
    await client.insert({ table: 'incidents', values: [{ ...pending, row_version: pending.row_version }], format: 'JSONEachRow' });

    expect((await repository.pendingIncidents()).map((r) => r.incident_id)).not.toContain('inc-stale');
    const [stale] = (await repository.incidents('fraud')).filter((r) => r.incident_id === 'inc-stale');
    expect([stale.request_status, stale.source_offset]).toEqual(['produced', 7]);
  });

  it('loads the latest state per model and the latest policy override', async () => {
    const first: ModelState = { ...emptyModelState('churn'), seenEventIds: ['e1'] };
    const second: ModelState = { ...emptyModelState('churn'), seenEventIds: ['e1', 'e2'] };
    await repository.saveStates([first, emptyModelState('ltv')]);
    await repository.saveStates([second]);
    const states = new Map((await repository.loadStates()).map((s) => [s.modelId, s]));
    expect([...states.keys()].sort()).toEqual(['churn', 'ltv']);
    expect(states.get('churn')!.seenEventIds).toEqual(['e1', 'e2']);

    await repository.savePolicy('churn', { retrain: { performance: { consecutiveCritical: 5 } } }, 'ops');
    await repository.savePolicy('churn', { retrain: { performance: { consecutiveCritical: 2 } } }, 'ops');
    expect(await repository.loadPolicies()).toEqual(new Map([['churn', { retrain: { performance: { consecutiveCritical: 2 } } }]]));
  });

  it('keeps the deployment history, folds a redelivered deployment and answers the champion at a time', async () => {
    const deploy = (version: string, deployedAt: number): DeploymentEntry => ({
      modelId: 'ranker',
      deployment: { eventId: `deploy-${version}`, version, deployedAt, reason: 'manual', incidentId: null },
      artifactUri: null,
      changedBy: 'ops',
    });
    // v1 at t0, v2 one hour later (OPENED_AT as the origin); v2's event delivered twice.
    await repository.insertDeployments([deploy('v1', OPENED_AT), deploy('v2', OPENED_AT + 3_600_000)]);
    await repository.insertDeployments([deploy('v2', OPENED_AT + 3_600_000)]);

    expect((await repository.deployments('ranker')).map((d) => [d.version, d.deployed_at_ms, d.changed_by])).toEqual([
      ['v1', OPENED_AT, 'ops'],
      ['v2', OPENED_AT + 3_600_000, 'ops'],
    ]);
    expect(await repository.championAt('ranker', OPENED_AT - 1)).toBeNull();
    expect((await repository.championAt('ranker', OPENED_AT + 3_599_999))?.version).toBe('v1');
    expect((await repository.championAt('ranker', OPENED_AT + 3_600_000))?.version).toBe('v2');
  });

  it('reads decisions newest first, limited', async () => {
    const decision = (n: number) => ({
      decision: {
        modelId: 'ranker',
        modelVersion: 'v1',
        sourceEventType: 'alert' as const,
        sourceEventId: `a${n}`,
        action: 'none' as const,
        outcome: 'no_action' as const,
        reasons: [`reason ${n}`],
        incidentId: null,
      },
      policy: 'builtin',
      decidedAt: OPENED_AT + n * 1000,
      changedBy: '',
    });
    await repository.insertDecisions([decision(1), decision(2), decision(3)]);
    const rows = await repository.decisions('ranker', 2);
    expect(rows.map((r) => [r.source_event_id, r.decided_at_ms, r.reasons])).toEqual([
      ['a3', OPENED_AT + 3000, ['reason 3']],
      ['a2', OPENED_AT + 2000, ['reason 2']],
    ]);
  });
});
