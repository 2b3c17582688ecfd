/**
 * Every statement we hand to users runs: the ```sql blocks of docs/*.md, the analyst query
 * files and the demo's closing summary, on freshly migrated (empty) tables. Empty is enough
 * here: what differs between ClickHouse versions (unknown settings, functions, join syntax,
 * ALIAS_REQUIRED) fails at analysis, before any row is read. Their numbers are checked on
 * seeded data in test/ingest/ingest.e2e-spec.ts. Runs on 18.16 and, in `integration-ch26`, on 26.x.
 */
import { createClickHouse, migrate } from '@vigil/storage';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_ID } from '../apps/simulator/src/demo/story';
import { summaryQueries } from '../apps/simulator/src/demo/summary-queries';
import { REPO } from './support/service-process';
import { dropDatabase, testInfrastructure } from './support/stack';

const config = testInfrastructure('documented_sql');

function docsSqlBlocks(): { source: string; sql: string }[] {
  const docs = join(REPO, 'docs');
  return readdirSync(docs)
    .filter((f) => f.endsWith('.md'))
    .flatMap((file) =>
      [...readFileSync(join(docs, file), 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m, i) => ({
        source: `docs/${file} block ${i + 1}`,
        sql: m[1],
      })),
    );
}

function queryFiles(): { source: string; sql: string }[] {
  const dir = join(REPO, 'docs', 'queries');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => ({ source: `docs/queries/${file}`, sql: readFileSync(join(dir, file), 'utf8') }));
}

const statements = [
  ...docsSqlBlocks(),
  ...queryFiles(),
  // The demo prints them in this format (apps/simulator/src/demo/story.ts).
  ...summaryQueries(MODEL_ID).map((q) => ({ source: `demo summary "${q.title}"`, sql: `${q.sql} FORMAT PrettyCompactNoEscapes` })),
];

describe('documented SQL', () => {
  const clickhouse = createClickHouse(config.clickhouse);

  beforeAll(async () => {
    await migrate(config.clickhouse);
  });

  afterAll(async () => {
    await clickhouse.close();
    await dropDatabase(config);
  });

  it('finds the statements it checks', () => {
    // 6 blocks in docs/ingest.md, 4 in docs/monitor.md; 6 query files; 4 demo summary queries.
    expect(statements.length).toBeGreaterThanOrEqual(6 + 4 + 6 + 4);
  });

  it.each(statements.map((s) => [s.source, s.sql]))('%s runs', async (_source, sql) => {
    const result = await clickhouse.exec({ query: sql.trim().replace(/;\s*$/, '') });
    result.stream.resume();
    await new Promise((resolve, reject) => result.stream.on('end', resolve).on('error', reject));
  });
});
