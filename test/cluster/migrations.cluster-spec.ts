/**
 * The one migration set on the cluster (CLICKHOUSE_CLUSTER, libs/storage/src/cluster-ddl.ts):
 * every table is a Replicated*MergeTree `_local` table on both replicas with a Distributed
 * table under its documented name; rows written through replica 1 are read on replica 2;
 * replays collapse in the analyst views; an identical insert block is stored once.
 */
import { createClickHouse, migrate, readMigrations } from '@vigil/storage';
import { dropDatabase, eventually, queryCount, queryRows, testInfrastructure } from '../support/stack';
import { replicaUrls } from './support';

const config = testInfrastructure('cluster_migrations');
const [firstUrl, secondUrl] = replicaUrls();
const first = createClickHouse({ ...config.clickhouse, url: firstUrl });
const second = createClickHouse({ ...config.clickhouse, url: secondUrl });

/** `n` rows: event ids `e0`…, model `m`, 2026-11-20. */
function predictionRows(ids: string[], ingestedAt: string): string {
  const values = ids.map((id) => `('m', '2026-11-20 10:00:00', '${id}', 'CLASSIFICATION', '${ingestedAt}')`).join(', ');
  return `INSERT INTO predictions (model_id, event_time, event_id, task, ingested_at) VALUES ${values}`;
}

describe('migrations on the cluster', () => {
  beforeAll(async () => {
    expect(config.clickhouse.cluster).toBe(process.env.CLICKHOUSE_CLUSTER);
    await migrate({ ...config.clickhouse, url: firstUrl });
  });

  afterAll(async () => {
    await first.close();
    await second.close();
    await dropDatabase(config);
  });

  it('creates each table as Replicated*MergeTree _local with a Distributed table in front, on both replicas', async () => {
    const created = readMigrations()
      .flatMap((m) => m.statements)
      .flatMap((s) => /^CREATE TABLE IF NOT EXISTS (\w+)/.exec(s)?.[1] ?? []);
    for (const replica of [first, second]) {
      const engines = new Map(
        (await queryRows<{ name: string; engine: string }>(replica, `SELECT name, engine FROM system.tables WHERE database = '${config.clickhouse.database}'`)).map((t) => [
          t.name,
          t.engine,
        ]),
      );
      for (const table of [...created, 'schema_migrations']) {
        expect([table, engines.get(table)]).toEqual([table, 'Distributed']);
        expect(engines.get(`${table}_local`)).toMatch(/^Replicated\w*MergeTree$/);
      }
      expect(engines.get('unique_predictions')).toBe('View');
      expect(engines.get('latest_snapshots_feed')).toBe('MaterializedView');
    }
    // Every migration recorded once; a second run, from the other replica, applies nothing.
    expect(await migrate({ ...config.clickhouse, url: secondUrl })).toEqual([]);
  });

  it('reads on replica 2 what was written through replica 1, replays collapsed in the analyst views', async () => {
    // 3 events, then a replay of e1 and e2 with a later ingested_at (a different block).
    await first.command({ query: predictionRows(['e0', 'e1', 'e2'], '2026-11-20 10:01:00') });
    await first.command({ query: predictionRows(['e1', 'e2'], '2026-11-20 10:02:00') });
    // 3 + 2 physical rows once replication has copied both parts.
    await eventually(
      () => queryCount(second, 'SELECT count() AS n FROM predictions_local'),
      (n) => n === 5,
    );
    expect(await queryCount(second, 'SELECT count() AS n FROM unique_predictions')).toBe(3);
    expect(await queryCount(second, 'SELECT uniqExact(event_id) AS n FROM predictions')).toBe(3);
  });

  it('stores an identical insert block once (replicated block de-duplication, what a crash replay of one batch sends)', async () => {
    const block = predictionRows(['d0', 'd1'], '2026-11-20 11:00:00');
    await first.command({ query: block });
    await first.command({ query: block });
    // Only the first of the two identical blocks is stored: 2 rows, not 4.
    expect(await queryCount(first, "SELECT count() AS n FROM predictions_local WHERE event_id IN ('d0', 'd1')")).toBe(2);
  });

  it('feeds the materialized views once per insert, and replication carries their output', async () => {
    await first.command({
      query:
        "INSERT INTO metric_snapshots (event_id, model_id, model_version, segment_key, window_end, metric_names, metric_values) VALUES ('s1', 'm', 'v1', '', '2026-11-20 10:00:00', ['accuracy'], [0.9])",
    });
    await eventually(
      () => queryCount(second, "SELECT count() AS n FROM latest_snapshots WHERE model_id = 'm'"),
      (n) => n === 1,
    );
    expect(await queryRows(second, "SELECT metric, value FROM headline_snapshots WHERE model_id = 'm'")).toEqual([{ metric: 'accuracy', value: 0.9 }]);
  });
});
