/**
 * IngestRepository against a real ClickHouse (a fresh database for this file, created and
 * migrated by the real StorageModule): RowBinary rows land as the analyst views read them,
 * a replayed batch (the same rows, a later ingested_at) counts once through FINAL, and a
 * refused or unreachable server fails the way the insert buffer decides on.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { Test, TestingModule } from '@nestjs/testing';
import { StorageUnavailableError } from '@vigil/common';
import { validateLabel, validatePrediction } from '@vigil/contracts';
import { CLICKHOUSE, CLICKHOUSE_SETTINGS, createClickHouse, refusesRowData, StorageModule } from '@vigil/storage';
import { IngestRepository } from '../../apps/ingestor/src/ingest.repository';
import { KafkaPosition, labelRow, predictionRow, Row } from '../../apps/ingestor/src/rows';
import { labelEvent, predictionEvent } from '../support/events';
import { freePort } from '../support/service-process';
import { dropDatabase, queryCount, queryRows, testInfrastructure } from '../support/stack';

const config = testInfrastructure('ingest_repo');

/** The events' time (factory origin, 2026-01-01T00:00:00Z, plus i s) validates against a clock one day later. */
const NOW = Date.UTC(2026, 0, 2);
const SCHEMA_ID = 3;

function at(offset: number): KafkaPosition {
  return { topic: 'vigil.predictions', partition: 1, offset: String(offset), timestampMs: NOW };
}
const source = (position: KafkaPosition) => ({ at: position, key: null, value: null, headers: undefined });

function predictionRows(count: number): Row[] {
  return Array.from({ length: count }, (_, i) => {
    const event = predictionEvent(i, { modelId: 'repo', numericFeatures: { amount: i + 0.5 }, latencyMs: 2.5 });
    return { ...predictionRow(validatePrediction(event, NOW), SCHEMA_ID, at(i)), source: source(at(i)) };
  });
}

describe('IngestRepository on ClickHouse', () => {
  let moduleRef: TestingModule;
  let repository: IngestRepository;
  let client: ClickHouseClient;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({ imports: [StorageModule.forRoot()], providers: [IngestRepository] })
      .overrideProvider(CLICKHOUSE_SETTINGS)
      .useValue(config.clickhouse)
      .compile();
    // init() runs StorageLifecycle.onModuleInit: creates the database and applies the migrations.
    await moduleRef.init();
    repository = moduleRef.get(IngestRepository);
    client = moduleRef.get(CLICKHOUSE);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await dropDatabase(config);
  });

  it('stores RowBinary rows as the analyst view reads them, and a replayed batch once', async () => {
    await repository.insertRows('predictions', predictionRows(3), NOW);
    // A replay the intent did not cover: same rows, stamped one second later.
    await repository.insertRows('predictions', predictionRows(3), NOW + 1000);
    await repository.insertRows('predictions', [], NOW);

    expect(await queryCount(client, "SELECT count() AS n FROM unique_predictions WHERE model_id = 'repo'")).toBe(3);
    // FINAL keeps the row with the highest ingested_at (ReplacingMergeTree(ingested_at)).
    expect(
      await queryRows(
        client,
        "SELECT event_id, numeric_feature_values, latency_ms, kafka_offset, toUnixTimestamp(ingested_at) AS ingested FROM unique_predictions WHERE model_id = 'repo' ORDER BY event_id",
      ),
    ).toEqual([0, 1, 2].map((i) => ({ event_id: `p${i}`, numeric_feature_values: [i + 0.5], latency_ms: 2.5, kafka_offset: String(i), ingested: (NOW + 1000) / 1000 })));
  });

  it('stores labels joined to their predictions by the documented key', async () => {
    const labels = [0, 1].map((i) => ({
      ...labelRow(validateLabel(labelEvent(i, { modelId: 'repo', trueClass: i === 0 ? 'yes' : 'no' }), NOW), SCHEMA_ID, at(i)),
      source: source(at(i)),
    }));
    await repository.insertRows('labels', labels, NOW);
    expect(
      await queryRows(
        client,
        `SELECT p.event_id AS event_id, l.true_class AS true_class
         FROM (SELECT event_id, model_id FROM unique_predictions WHERE model_id = 'repo') AS p
         ALL INNER JOIN (SELECT prediction_event_id AS event_id, model_id, true_class FROM unique_labels) AS l USING (event_id, model_id)
         ORDER BY event_id`,
      ),
    ).toEqual([
      { event_id: 'p0', true_class: 'yes' },
      { event_id: 'p1', true_class: 'no' },
    ]);
  });

  it('fails a row ClickHouse cannot read as a refusal, and an unreachable server as unavailable', async () => {
    const [row] = predictionRows(1);
    const cut = { ...row, bytes: row.bytes.subarray(0, row.bytes.length - 3) };
    const refusal = await repository.insertRows('predictions', [cut], NOW).catch((error: unknown) => error);
    expect(refusesRowData(refusal)).toBe(true);

    // The same server address on a port just freed, where nothing listens: connection refused.
    const closed = new URL(config.clickhouse.url);
    closed.port = String(await freePort());
    const nowhere = createClickHouse({ ...config.clickhouse, url: closed.origin });
    try {
      await expect(new IngestRepository(nowhere).insertRows('predictions', [row], NOW)).rejects.toBeInstanceOf(StorageUnavailableError);
    } finally {
      await nowhere.close();
    }
  });
});
