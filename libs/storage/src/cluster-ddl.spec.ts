import { clusterMigrations, clusterStatements } from './cluster-ddl';
import { addedColumn, readMigrations } from './migrations';

const target = { cluster: 'vigil', database: 'db' };
const oneLine = (statement: string) => statement.replace(/\s+/g, ' ').trim();

describe('clusterStatements', () => {
  it('turns a ReplacingMergeTree table into a replicated _local table and a Distributed one sharded on the first ORDER BY column', () => {
    const tables = new Map<string, string>();
    const out = clusterStatements(
      `CREATE TABLE IF NOT EXISTS labels (
    model_id String,
    event_time DateTime('UTC'),
    ingested_at DateTime('UTC')
) ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMMDD(event_time)
ORDER BY (model_id, event_time)`,
      target,
      tables,
    ).map(oneLine);
    expect(out).toEqual([
      "CREATE TABLE IF NOT EXISTS db.labels_local ON CLUSTER vigil ( model_id String, event_time DateTime('UTC'), ingested_at DateTime('UTC') ) " +
        "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/labels_local', '{replica}', ingested_at) " +
        'PARTITION BY toYYYYMMDD(event_time) ORDER BY (model_id, event_time)',
      'CREATE TABLE IF NOT EXISTS db.labels ON CLUSTER vigil AS db.labels_local ENGINE = Distributed(vigil, db, labels_local, cityHash64(model_id))',
    ]);
    expect(tables.get('labels')).toBe('model_id');
  });

  it('keeps an engine without arguments and an ORDER BY without parentheses', () => {
    const out = clusterStatements('CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32) ENGINE = ReplacingMergeTree ORDER BY version', target, new Map());
    expect(out).toEqual([
      "CREATE TABLE IF NOT EXISTS db.schema_migrations_local ON CLUSTER vigil (version UInt32) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/schema_migrations_local', '{replica}') ORDER BY version",
      'CREATE TABLE IF NOT EXISTS db.schema_migrations ON CLUSTER vigil AS db.schema_migrations_local ENGINE = Distributed(vigil, db, schema_migrations_local, cityHash64(version))',
    ]);
  });

  it('creates views over the Distributed tables and materialized views between the _local ones', () => {
    const tables = new Map([
      ['predictions', 'model_id'],
      ['metric_snapshots', 'model_id'],
      ['latest_snapshots', 'model_id'],
    ]);
    expect(clusterStatements('CREATE VIEW IF NOT EXISTS unique_predictions AS SELECT * FROM predictions FINAL', target, tables)).toEqual([
      'CREATE VIEW IF NOT EXISTS db.unique_predictions ON CLUSTER vigil AS SELECT * FROM db.predictions FINAL',
    ]);
    expect(
      clusterStatements("CREATE MATERIALIZED VIEW IF NOT EXISTS feed TO latest_snapshots AS\nSELECT model_id FROM metric_snapshots WHERE segment_key = ''", target, tables),
    ).toEqual([
      "CREATE MATERIALIZED VIEW IF NOT EXISTS db.feed ON CLUSTER vigil TO db.latest_snapshots_local AS SELECT model_id FROM db.metric_snapshots_local WHERE segment_key = ''",
    ]);
  });

  it('alters the _local table on the cluster and recreates the Distributed table with the new structure', () => {
    const tables = new Map([['model_policies', 'model_id']]);
    const out = clusterStatements("ALTER TABLE model_policies ADD COLUMN changed_by String DEFAULT ''", target, tables);
    expect(out).toEqual([
      "ALTER TABLE db.model_policies_local ON CLUSTER vigil ADD COLUMN changed_by String DEFAULT ''",
      'DROP TABLE IF EXISTS db.model_policies ON CLUSTER vigil',
      'CREATE TABLE IF NOT EXISTS db.model_policies ON CLUSTER vigil AS db.model_policies_local ENGINE = Distributed(vigil, db, model_policies_local, cityHash64(model_id))',
    ]);
    // The runner recognises the cluster ALTER when another service added the column first.
    expect(addedColumn(out[0])).toEqual({ table: 'model_policies_local', column: 'changed_by' });
  });

  it('runs INSERT … SELECT through the Distributed tables, unchanged', () => {
    const statement = 'INSERT INTO latest_snapshots SELECT model_id FROM metric_snapshots';
    expect(clusterStatements(statement, target, new Map([['latest_snapshots', 'model_id']]))).toEqual([statement]);
  });

  it('refuses what it has no cluster form for, and names of tables no migration created', () => {
    expect(() => clusterStatements('ALTER TABLE t DROP COLUMN c', target, new Map([['t', 'k']]))).toThrow(/no cluster form/);
    expect(() => clusterStatements("ALTER TABLE t ADD COLUMN c String DEFAULT ''", target, new Map())).toThrow(/'t' is not a table/);
  });
});

describe('clusterMigrations on the real migration files', () => {
  const migrations = readMigrations();
  const clustered = clusterMigrations(migrations, target);

  it('has a cluster form for every statement, keeping versions and names', () => {
    expect(clustered.map((m) => [m.version, m.name])).toEqual(migrations.map((m) => [m.version, m.name]));
  });

  it('creates every table as a Replicated*MergeTree _local table with a Distributed table under its own name', () => {
    const statements = clustered.flatMap((m) => m.statements);
    const created = migrations.flatMap((m) => m.statements).flatMap((s) => /^CREATE TABLE IF NOT EXISTS (\w+)/.exec(s)?.[1] ?? []);
    // 001: predictions, labels, dead_letters; 020: five monitor tables; 040: five orchestrator tables; 070: two; 080: one.
    expect(created).toHaveLength(16);
    for (const table of created) {
      expect(statements.some((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS db.${table}_local ON CLUSTER vigil (`) && /ENGINE = Replicated\w*MergeTree\(/.test(s))).toBe(true);
      // Sharded on model_id, except dead_letters (ORDER BY (topic, kafka_partition, kafka_offset)).
      const key = table === 'dead_letters' ? 'topic' : 'model_id';
      expect(statements).toContain(
        `CREATE TABLE IF NOT EXISTS db.${table} ON CLUSTER vigil AS db.${table}_local ENGINE = Distributed(vigil, db, ${table}_local, cityHash64(${key}))`,
      );
    }
    // No statement but INSERT … SELECT runs without ON CLUSTER.
    expect(statements.filter((s) => !s.includes(' ON CLUSTER vigil')).every((s) => s.startsWith('INSERT INTO '))).toBe(true);
  });
});
