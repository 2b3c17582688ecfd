import type { Migration } from './migrations';

/** Where the migrations go on a cluster (CLICKHOUSE_CLUSTER, docs/scaling.md). */
export interface ClusterTarget {
  /** The cluster's name in the servers' `remote_servers`. */
  cluster: string;
  database: string;
}

/** The suffix of the replicated table that holds the rows behind each Distributed table. */
export const LOCAL_SUFFIX = '_local';

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const CREATE_TABLE = new RegExp(`^CREATE\\s+TABLE\\s+IF\\s+NOT\\s+EXISTS\\s+(${NAME})\\s*\\(([\\s\\S]*)\\)\\s*ENGINE\\s*=\\s*(\\w*MergeTree)(?:\\(([^)]*)\\))?([\\s\\S]*)$`, 'i');
const CREATE_VIEW = new RegExp(`^CREATE\\s+VIEW\\s+IF\\s+NOT\\s+EXISTS\\s+(${NAME})\\s+AS\\s+([\\s\\S]+)$`, 'i');
const CREATE_MATERIALIZED_VIEW = new RegExp(`^CREATE\\s+MATERIALIZED\\s+VIEW\\s+IF\\s+NOT\\s+EXISTS\\s+(${NAME})\\s+TO\\s+(${NAME})\\s+AS\\s+([\\s\\S]+)$`, 'i');
const ALTER_ADD_COLUMN = new RegExp(`^ALTER\\s+TABLE\\s+(${NAME})\\s+(ADD\\s+COLUMN\\s[\\s\\S]+)$`, 'i');
const INSERT_SELECT = new RegExp(`^INSERT\\s+INTO\\s+(${NAME})\\s+SELECT\\s`, 'i');
const FIRST_ORDER_KEY = new RegExp(`ORDER\\s+BY\\s+\\(?\\s*(${NAME})`, 'i');
const FROM_TABLE = new RegExp(`\\bFROM\\s+(${NAME})\\b`, 'gi');

/**
 * The same migrations for a cluster, one list of statements per input statement (pure, on
 * the SQL text; the single-node migration files stay the only source):
 * - `CREATE TABLE t (…) ENGINE = XMergeTree(args) …` becomes `t_local`, created ON CLUSTER as
 *   `ReplicatedXMergeTree('/clickhouse/tables/{shard}/<db>/t_local', '{replica}', args)` with the
 *   same columns, PARTITION BY and ORDER BY, plus `t` ON CLUSTER as `Distributed` over it,
 *   sharded on the first ORDER BY column (all the rows a ReplacingMergeTree folds together
 *   stay on one shard). Reads and writes keep using `t`.
 * - A view is created ON CLUSTER over the Distributed tables; a materialized view reads
 *   and writes the `_local` tables, so that each insert feeds it once, on the replica that
 *   took the insert, and replication copies its output.
 * - `ALTER TABLE t ADD COLUMN` alters `t_local` ON CLUSTER (once per shard: replication
 *   carries it to the other replicas), then recreates the Distributed `t` with the new
 *   structure (18.16 refuses ALTER ON CLUSTER of a non-replicated table on a replicated
 *   shard; a Distributed table holds no rows when inserts are synchronous).
 * - `INSERT … SELECT` runs as it is, through the Distributed tables.
 * Any other statement throws: a new kind of migration must be taught here first.
 * Names are qualified with the database: ON CLUSTER runs each statement on every server
 * without the session's current database.
 */
export function clusterMigrations(migrations: readonly Migration[], target: ClusterTarget): Migration[] {
  const tables = new Map<string, string>();
  return migrations.map((migration) => ({
    ...migration,
    statements: migration.statements.flatMap((statement) => clusterStatements(statement, target, tables)),
  }));
}

/** `CREATE DATABASE` on every server of the cluster. */
export function clusterCreateDatabase(target: ClusterTarget): string {
  return `CREATE DATABASE IF NOT EXISTS ${target.database} ON CLUSTER ${target.cluster}`;
}

/**
 * One statement for the cluster; `tables` maps each table created so far to its sharding
 * key and is extended by CREATE TABLE.
 */
export function clusterStatements(statement: string, target: ClusterTarget, tables: Map<string, string>): string[] {
  const { cluster, database: db } = target;
  const onCluster = `ON CLUSTER ${cluster}`;
  const distributed = (table: string) =>
    `CREATE TABLE IF NOT EXISTS ${db}.${table} ${onCluster} AS ${db}.${table}${LOCAL_SUFFIX} ` +
    `ENGINE = Distributed(${cluster}, ${db}, ${table}${LOCAL_SUFFIX}, cityHash64(${tables.get(table)}))`;
  const known = (table: string) => {
    if (!tables.has(table)) throw new Error(`cluster migrations: '${table}' is not a table the migrations created`);
    return table;
  };
  const qualify = (select: string, suffix: string) => select.replace(FROM_TABLE, (whole: string, table: string) => (tables.has(table) ? `FROM ${db}.${table}${suffix}` : whole));

  const table = CREATE_TABLE.exec(statement);
  if (table) {
    const [, name, columns, engine, args, rest] = table;
    const key = FIRST_ORDER_KEY.exec(rest);
    if (!key) throw new Error(`cluster migrations: CREATE TABLE ${name} has no ORDER BY column to shard on`);
    tables.set(name, key[1]);
    const local = `${name}${LOCAL_SUFFIX}`;
    const replication = [`'/clickhouse/tables/{shard}/${db}/${local}'`, `'{replica}'`, ...(args?.trim() ? [args.trim()] : [])];
    return [`CREATE TABLE IF NOT EXISTS ${db}.${local} ${onCluster} (${columns}) ENGINE = Replicated${engine}(${replication.join(', ')})${rest}`, distributed(name)];
  }
  const materialized = CREATE_MATERIALIZED_VIEW.exec(statement);
  if (materialized) {
    const [, name, to, select] = materialized;
    return [`CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${name} ${onCluster} TO ${db}.${known(to)}${LOCAL_SUFFIX} AS ${qualify(select, LOCAL_SUFFIX)}`];
  }
  const view = CREATE_VIEW.exec(statement);
  if (view) {
    const [, name, select] = view;
    return [`CREATE VIEW IF NOT EXISTS ${db}.${name} ${onCluster} AS ${qualify(select, '')}`];
  }
  const alter = ALTER_ADD_COLUMN.exec(statement);
  if (alter) {
    const [, name, change] = alter;
    known(name);
    return [`ALTER TABLE ${db}.${name}${LOCAL_SUFFIX} ${onCluster} ${change}`, `DROP TABLE IF EXISTS ${db}.${name} ${onCluster}`, distributed(name)];
  }
  const insert = INSERT_SELECT.exec(statement);
  if (insert) {
    known(insert[1]);
    return [statement];
  }
  throw new Error(`cluster migrations: no cluster form for the statement: ${statement.split('\n')[0]}`);
}
