import { ClickHouseClient } from '@clickhouse/client';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { quoteIdentifier, sql } from './sql';
import { ClickHouseSettings, createClickHouse } from './clickhouse';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

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
 * migrating at once do no harm.
 */
export async function migrate(settings: ClickHouseSettings, migrations: Migration[] = readMigrations()): Promise<number[]> {
  const database = quoteIdentifier(settings.database);
  const server = createClickHouse(settings, 'default');
  try {
    await server.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  } finally {
    await server.close();
  }
  const client = createClickHouse(settings);
  try {
    await client.command({
      query: `CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at DateTime)
              ENGINE = ReplacingMergeTree ORDER BY version`,
    });
    const applied = new Set(await appliedVersions(client));
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) {
        await client.command({ query: statement });
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
