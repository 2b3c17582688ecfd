/**
 * MonitorRepository against a real ClickHouse (a fresh database for this file, created and
 * migrated by the real StorageModule): checkpoints replaced by offset-sum version, latest
 * config overrides and references through FINAL, checkpoint references by content id,
 * snapshots and alerts as analysts read them.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { Test, TestingModule } from '@nestjs/testing';
import type { Alert, MetricSnapshot } from '@vigil/contracts';
import type { DatasetSummaryJSON } from '@vigil/monitoring';
import { CLICKHOUSE, CLICKHOUSE_SETTINGS, StorageModule } from '@vigil/storage';
import type { ModelMonitorState } from '../../apps/monitor/src/core/model-monitor';
import { Checkpoint, MonitorRepository } from '../../apps/monitor/src/monitor.repository';
import { dropDatabase, queryRows, testInfrastructure } from '../support/stack';

const config = testInfrastructure('monitor_repo');

/** 2026-01-01T00:00:00Z, an arbitrary whole second (the tables store DateTime seconds). */
const T0 = Date.UTC(2026, 0, 1);

/**
 * The repository stores the monitor's state as opaque JSON; a marker field tells which
 * checkpoint came back without building a real ModelMonitor (apps/monitor/src/core).
 */
const stateMarked = (marker: string): ModelMonitorState => ({ marker }) as unknown as ModelMonitorState;

function checkpoint(modelId: string, predictionsOffset: number, labelsOffset: number, marker: string): Checkpoint {
  return {
    modelId,
    predictionsPartition: 1,
    predictionsOffset,
    labelsPartition: 1,
    labelsOffset,
    state: stateMarked(marker),
    checkpointedAt: new Date(T0 + predictionsOffset * 1000),
  };
}

/** A one-column categorical summary: `count` rows, all 'FR'. */
const reference = (count: number): DatasetSummaryJSON => ({ columns: { country: { kind: 'categorical', count, missing: 0, categories: [['FR', count]] } } });

/** Lets Date.now() move on, so two saves get distinct updated_at_ms versions. */
const nextMillisecond = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2));

describe('MonitorRepository on ClickHouse', () => {
  let moduleRef: TestingModule;
  let repository: MonitorRepository;
  let client: ClickHouseClient;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [StorageModule.forRoot()],
      // As apps/monitor/src/app.module.ts provides it.
      providers: [{ provide: MonitorRepository, inject: [CLICKHOUSE], useFactory: (c: ClickHouseClient) => new MonitorRepository(c) }],
    })
      .overrideProvider(CLICKHOUSE_SETTINGS)
      .useValue(config.clickhouse)
      .compile();
    // init() runs StorageLifecycle.onModuleInit: creates the database and applies the migrations.
    await moduleRef.init();
    repository = moduleRef.get(MonitorRepository);
    client = moduleRef.get(CLICKHOUSE);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await dropDatabase(config);
  });

  it('loads the checkpoint with the highest offset sum: a stale writer never replaces a newer one', async () => {
    expect(await repository.loadCheckpoint('fraud')).toBeUndefined();
    // Version = 10 + 5 = 15.
    await repository.saveCheckpoints([checkpoint('fraud', 10, 5, 'newer'), checkpoint('churn', 3, 0, 'churn')]);
    // An instance that lost the partition writes afterwards from older positions: 8 + 4 = 12 < 15.
    await repository.saveCheckpoints([checkpoint('fraud', 8, 4, 'stale')]);

    expect(await repository.loadCheckpoint('fraud')).toEqual({ ...checkpoint('fraud', 10, 5, 'newer') });
    expect((await repository.loadCheckpoint('churn'))?.state).toEqual(stateMarked('churn'));

    // Further along (12 + 6 = 18 > 15): replaces it.
    await repository.saveCheckpoints([checkpoint('fraud', 12, 6, 'latest')]);
    expect(await repository.loadCheckpoint('fraud')).toEqual(checkpoint('fraud', 12, 6, 'latest'));
  });

  it('loads the latest config override per model, for all models or the ones asked for', async () => {
    await repository.saveConfigOverride('fraud', { minLabels: 50 }, 'ops');
    await nextMillisecond();
    await repository.saveConfigOverride('fraud', { minLabels: 80 }, 'ops');
    await repository.saveConfigOverride('churn', { minLabels: 20 }, 'ops');

    expect(await repository.loadConfigOverrides()).toEqual(
      new Map([
        ['churn', { minLabels: 20 }],
        ['fraud', { minLabels: 80 }],
      ]),
    );
    expect(await repository.loadConfigOverrides(['fraud', 'absent'])).toEqual(new Map([['fraud', { minLabels: 80 }]]));
    expect(await repository.loadConfigOverrides([])).toEqual(new Map());
    const [row] = await queryRows<{ changed_by: string }>(client, "SELECT changed_by FROM monitor_model_configs FINAL WHERE model_id = 'fraud'");
    expect(row.changed_by).toBe('ops');
  });

  it('loads the latest registered reference with its version stamp', async () => {
    await repository.saveReference('fraud', reference(100), 100, 'ops');
    await nextMillisecond();
    await repository.saveReference('fraud', reference(200), 200, 'ops');

    const loaded = await repository.loadReferences(['fraud', 'churn']);
    expect([...loaded.keys()]).toEqual(['fraud']);
    expect(loaded.get('fraud')!.summary).toEqual(reference(200));
    const [latest] = await queryRows<{ v: string }>(client, "SELECT max(updated_at_ms) AS v FROM monitor_references WHERE model_id = 'fraud'");
    expect(loaded.get('fraud')!.updatedAt).toBe(Number(latest.v));
    expect(await repository.loadReferences([])).toEqual(new Map());
  });

  it('stores checkpoint references per model and content id, and finds each again', async () => {
    // Ids are opaque to the repository; the monitor makes them sha256 hex (drift-windows.ts).
    await repository.saveCheckpointReferences([
      { modelId: 'fraud', referenceId: 'id-100', summary: reference(100) },
      { modelId: 'fraud', referenceId: 'id-200', summary: reference(200) },
      { modelId: 'churn', referenceId: 'id-100', summary: reference(7) },
    ]);
    // Stored again (a retried checkpoint): the same key, still one reference.
    await repository.saveCheckpointReferences([{ modelId: 'fraud', referenceId: 'id-100', summary: reference(100) }]);
    expect(await repository.loadCheckpointReference('fraud', 'id-100')).toEqual(reference(100));
    expect(await repository.loadCheckpointReference('fraud', 'id-200')).toEqual(reference(200));
    expect(await repository.loadCheckpointReference('churn', 'id-100')).toEqual(reference(7));
    expect(await repository.loadCheckpointReference('churn', 'id-200')).toBeUndefined();
    const [row] = await queryRows<{ n: string }>(client, "SELECT count() AS n FROM monitor_checkpoint_references FINAL WHERE model_id = 'fraud'");
    expect(Number(row.n)).toBe(2);
  });

  it('writes snapshots and alerts as the documented queries read them', async () => {
    const snapshot: MetricSnapshot = {
      eventId: 's1',
      modelId: 'fraud',
      modelVersion: 'v1',
      segmentKey: '',
      segmentValue: '',
      windowStart: new Date(T0),
      windowEnd: new Date(T0 + 300_000),
      predictionCount: 400,
      labelledCount: 380,
      metrics: { accuracy: 0.875, f1: 0.5 },
    };
    const alert: Alert = {
      alertId: 'a1',
      modelId: 'fraud',
      modelVersion: 'v1',
      kind: 'PERFORMANCE',
      severity: 'CRITICAL',
      rule: 'accuracy_below_floor',
      since: new Date(T0),
      observedAt: new Date(T0 + 300_000),
      message: 'accuracy 0.62 below floor 0.80',
      evidence: [{ metric: 'accuracy', value: 0.62, threshold: 0.8, baseline: null, feature: null, windowStart: new Date(T0), windowEnd: new Date(T0 + 300_000), sampleSize: 400 }],
    };
    await repository.insertSnapshots([snapshot]);
    await repository.insertAlerts([alert]);
    await repository.insertSnapshots([]);

    // The query of migration 020's header comment.
    expect(
      await queryRows(
        client,
        "SELECT toUnixTimestamp(window_end) AS end, metric_values[indexOf(metric_names, 'accuracy')] AS accuracy, labelled_count FROM metric_snapshots WHERE model_id = 'fraud' AND segment_key = ''",
      ),
    ).toEqual([{ end: (T0 + 300_000) / 1000, accuracy: 0.875, labelled_count: '380' }]);
    expect(await queryRows(client, "SELECT kind, severity, evidence_metrics, evidence_values, evidence_thresholds, evidence_features FROM alerts WHERE alert_id = 'a1'")).toEqual([
      { kind: 'PERFORMANCE', severity: 'CRITICAL', evidence_metrics: ['accuracy'], evidence_values: [0.62], evidence_thresholds: [0.8], evidence_features: [''] },
    ]);
  });
});
