import { ClickHouseClient } from '@clickhouse/client';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { quoteIdentifier, sql } from './sql';
import { ClickHouseSettings, createClickHouse } from './clickhouse';
import { clusterCreateDatabase, clusterMigrations } from './cluster-ddl';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** The runner's own record of applied versions. */
const SCHEMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at DateTime)
ENGINE = ReplacingMergeTree ORDER BY version`;

/** The folder of numbered DDL files, found from this module whether run from source or dist/. */
export function defaultMigrationsDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'libs', 'storage', 'migrations');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`libs/storage/migrations not found above ${__dirname}`);
    dir = parent;
  }
}

/** Reads `NNN_name.sql` files in order; statements are separated by lines holding only `;`. */
export function readMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  return readdirSync(dir)
    .filter((f) => FILE_NAME.test(f))
    .sort()
    .map((file) => {
      const [, version, name] = FILE_NAME.exec(file)!;
      const text = readFileSync(join(dir, file), 'utf8');
      const statements = text
        .split(/^;\s*$/m)
        .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
        .filter((s) => s.length > 0);
      return { version: Number(version), name, statements };
    });
}

/**
 * Creates the database and applies every migration not yet recorded in
 * `schema_migrations`. Statements are idempotent (IF NOT EXISTS), so two services
 * migrating at once do no harm. With `settings.cluster` the same migrations are applied in
 * their cluster form (cluster-ddl.ts, docs/scaling.md).
 */
export async function migrate(settings: ClickHouseSettings, migrations: Migration[] = readMigrations()): Promise<number[]> {
  const target = settings.cluster ? { cluster: settings.cluster, database: settings.database } : undefined;
  const server = createClickHouse(settings, 'default');
  try {
    await server.command({
      query: target ? clusterCreateDatabase(target) : `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(settings.database)}`,
    });
  } finally {
    await server.close();
  }
  const client = createClickHouse(settings);
  try {
    const bookkeeping: Migration = { version: 0, name: 'schema_migrations', statements: [SCHEMA_MIGRATIONS] };
    // On a cluster (CLICKHOUSE_CLUSTER) every statement is rewritten for it (cluster-ddl.ts).
    const [own, ...planned] = target ? clusterMigrations([bookkeeping, ...migrations], target) : [bookkeeping, ...migrations];
    for (const statement of own.statements) await client.command({ query: statement });
    const applied = new Set(await appliedVersions(client));
    const done: number[] = [];
    for (const migration of planned) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) {
        await client.command({ query: statement }).catch(async (error: unknown) => {
          if (!(await columnAlreadyAdded(client, settings.database, statement))) throw error;
        });
      }
      await client.command({
        query: sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${migration.version}, ${migration.name}, now())`,
      });
      done.push(migration.version);
    }
    return done;
  } finally {
    await client.close();
  }
}

async function appliedVersions(client: ClickHouseClient): Promise<number[]> {
  const rows = await client.query({ query: 'SELECT DISTINCT version FROM schema_migrations', format: 'JSONEachRow' });
  return (await rows.json<{ version: number }>()).map((r) => Number(r.version));
}

const ADD_COLUMN =
  /^ALTER\s+TABLE\s+(?:[A-Za-z_][A-Za-z0-9_]*\.)?([A-Za-z_][A-Za-z0-9_]*)\s+(?:ON\s+CLUSTER\s+[A-Za-z_][A-Za-z0-9_]*\s+)?ADD\s+COLUMN\s+([A-Za-z_][A-Za-z0-9_]*)\s/i;

/**
 * The table and column a single `ALTER TABLE [db.]t [ON CLUSTER c] ADD COLUMN c …` statement
 * adds, or null for any other statement.
 */
export function addedColumn(statement: string): { table: string; column: string } | null {
  const match = ADD_COLUMN.exec(statement.trim());
  return match ? { table: match[1], column: match[2] } : null;
}

/**
 * 18.16 has no `ADD COLUMN IF NOT EXISTS`: when two services migrate at once, the second
 * ALTER fails because the first added the column. That statement is then applied.
 */
async function columnAlreadyAdded(client: ClickHouseClient, database: string, statement: string): Promise<boolean> {
  const added = addedColumn(statement);
  if (!added) return false;
  const rows = await client.query({
    query: sql`SELECT count() AS n FROM system.columns WHERE database = ${database} AND table = ${added.table} AND name = ${added.column}`,
    format: 'JSONEachRow',
  });
  const [{ n }] = await rows.json<{ n: number | string }>();
  return Number(n) > 0;
}
