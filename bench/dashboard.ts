/**
 * Dashboard read API latency: the fleet API for BENCH_FLEET_MODELS (default 1 000) models
 * and the model API for BENCH_MODEL_DAYS (default 30) days of snapshots, each over HTTP
 * against the real dashboard (child process, ts-node, with a read token) and the shared
 * ClickHouse, next to baseline queries measured in the same run on the same tables:
 *   - a bare `SELECT count()` over the rows the endpoint reads;
 *   - the single raw aggregate the endpoint builds on (fleet: latest snapshot per model
 *     version from `latest_snapshots`, migration 070; model: the bucketed snapshots of the
 *     model), and for the fleet the same aggregate over the whole history it replaces.
 *
 *   npm run bench:dashboard
 *
 * Prerequisites: the local stack up (`npm run infra:up`; only ClickHouse is used), `npm ci`
 * done (node_modules). It seeds its own database (vigil_test_dashboard_bench_*) through the
 * monitor's and orchestrator's repositories and drops it at the end. Fleet data: every
 * model has BENCH_FLEET_DAYS (default 7) days of version-level snapshots every 30 min, two
 * versions, and every tenth model an alert episode and an open incident; the model: 5-min
 * snapshots with 3 segments. Targets: fleet < 200 ms, model < 500 ms (median of 20).
 */
import { createClickHouse, migrate, sql } from '@vigil/storage';
import { ClickHouseClient } from '@clickhouse/client';
import { seedModels, SeedOptions } from '../test/support/dashboard-data';
import { freePort, ServiceProcess, serviceEnv } from '../test/support/service-process';
import { dropDatabase, testInfrastructure } from '../test/support/stack';

const FLEET_MODELS = Number(process.env.BENCH_FLEET_MODELS ?? 1_000);
const FLEET_DAYS = Number(process.env.BENCH_FLEET_DAYS ?? 7);
const MODEL_DAYS = Number(process.env.BENCH_MODEL_DAYS ?? 30);
const RUNS = 20;
const WARMUP = 3;
const MIN = 60_000;
const DAY = 86_400_000;

const config = testInfrastructure('dashboard_bench');

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function timed(run: () => Promise<unknown>): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < WARMUP; i++) await run();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await run();
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { median: quantile(ms, 0.5), p95: quantile(ms, 0.95) };
}

async function query(client: ClickHouseClient, text: string): Promise<unknown[]> {
  return (await client.query({ query: text, format: 'JSONEachRow' })).json();
}

/** The fleet's own aggregate (DashboardRepository.latestVersions) over `from`. */
function latestQuery(from: string): string {
  return `SELECT model_id, model_version, max(window_end) AS last,
                 argMax(prediction_count, window_end) AS predictions, argMax(labelled_count, window_end) AS labelled,
                 argMax(multiIf(has(metric_names, 'accuracy'), 'accuracy', has(metric_names, 'mae'), 'mae', ''), window_end) AS metric,
                 argMax(if(has(metric_names, 'accuracy'), metric_values[indexOf(metric_names, 'accuracy')], metric_values[indexOf(metric_names, 'mae')]), window_end) AS value
          FROM ${from} GROUP BY model_id, model_version`;
}

async function main(): Promise<void> {
  await migrate(config.clickhouse);
  const client = createClickHouse(config.clickhouse);
  const now = Math.floor(Date.now() / MIN) * MIN;
  const seedStart = Date.now();
  const fleet: SeedOptions[] = Array.from({ length: FLEET_MODELS }, (_, i) => ({
    modelId: `bench-${String(i).padStart(4, '0')}`,
    endMs: now,
    spanMs: FLEET_DAYS * DAY,
    snapshotEveryMs: 30 * MIN,
    incident: i % 10 === 0,
  }));
  for (let i = 0; i < fleet.length; i += 100) await seedModels(client, fleet.slice(i, i + 100));
  const modelId = 'bench-model-30d';
  await seedModels(client, [{ modelId, endMs: now, spanMs: MODEL_DAYS * DAY, snapshotEveryMs: 5 * MIN, segments: 3 }]);
  const [{ n: snapshotRows }] = (await query(client, 'SELECT count() AS n FROM metric_snapshots')) as { n: string }[];
  const [{ n: modelRows }] = (await query(client, sql`SELECT count() AS n FROM metric_snapshots WHERE model_id = ${modelId}`)) as { n: string }[];
  // The materialized view adds a row per version-level snapshot; ReplacingMergeTree folds them
  // to one per version in background merges (minutes after the inserts on a live system).
  // The bench measures the merged state, and says how many rows the merges left to fold.
  const [{ n: unmerged }] = (await query(client, 'SELECT count() AS n FROM latest_snapshots')) as { n: string }[];
  await client.command({ query: 'OPTIMIZE TABLE latest_snapshots FINAL' });
  const [{ n: merged }] = (await query(client, 'SELECT count() AS n FROM latest_snapshots')) as { n: string }[];
  console.log(`latest_snapshots: ${unmerged} rows right after the inserts, ${merged} once merged (OPTIMIZE … FINAL)`);
  console.log(
    `seeded ${snapshotRows} snapshot rows (${FLEET_MODELS} fleet models × ${FLEET_DAYS} d every 30 min; ${modelRows} rows for ${modelId}: ${MODEL_DAYS} d every 5 min, 3 segments) in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`,
  );

  const dashboard = new ServiceProcess('dashboard', serviceEnv(config, { LOG_LEVEL: 'warn' }), await freePort());
  await dashboard.startHealthy();
  try {
    const get = async (path: string) => {
      const answer = await dashboard.get<{ total?: number; charts?: { times: number[] } }>(path);
      if (answer.status !== 200) throw new Error(`${path}: ${answer.status}`);
      return answer.body;
    };
    const fleetBody = await get('/api/fleet');
    if (fleetBody.total !== FLEET_MODELS + 1) throw new Error(`fleet lists ${fleetBody.total} models, expected ${FLEET_MODELS + 1}`);
    const modelBody = await get(`/api/models/${modelId}`);
    console.log(`model API: ${modelBody.charts?.times.length} buckets on the time axis`);
    const from = Math.floor((now - MODEL_DAYS * DAY) / 1000);
    const rows: [string, { median: number; p95: number }][] = [
      ['GET /api/fleet (page of 50, sorted by status)', await timed(() => get('/api/fleet'))],
      ['GET /api/fleet?search=bench-09&sort=metric', await timed(() => get('/api/fleet?search=bench-09&sort=metric'))],
      ['  baseline: SELECT count() FROM metric_snapshots', await timed(() => query(client, 'SELECT count() FROM metric_snapshots'))],
      ['  baseline: SELECT count() FROM latest_snapshots', await timed(() => query(client, 'SELECT count() FROM latest_snapshots'))],
      ['  baseline: latest snapshot per model version (raw)', await timed(() => query(client, latestQuery('latest_snapshots')))],
      ['  reference: the same over the whole history', await timed(() => query(client, latestQuery("metric_snapshots WHERE segment_key = ''")))],
      [`GET /api/models/${modelId}`, await timed(() => get(`/api/models/${modelId}`))],
      ['  baseline: SELECT count() for the model', await timed(() => query(client, sql`SELECT count() FROM metric_snapshots WHERE model_id = ${modelId}`))],
      [
        '  baseline: bucketed snapshots of the model (raw)',
        await timed(() =>
          query(
            client,
            sql`SELECT model_version, intDiv(toUInt32(window_end), 3600) * 3600 AS t, argMax(metric_values, window_end) FROM metric_snapshots
                WHERE model_id = ${modelId} AND segment_key = '' AND window_end >= toDateTime(${from}, 'UTC') GROUP BY model_version, t`,
          ),
        ),
      ],
    ];
    const FLEET_ROWS = 6;
    const baselineOf = (i: number) => (i < FLEET_ROWS ? rows[4][1].median : rows[rows.length - 1][1].median);
    const target = (i: number) => (i < 2 ? '< 200 ms' : i === FLEET_ROWS ? '< 500 ms' : '');
    const table = [
      ['what', 'median ms', 'p95 ms', 'ratio to the raw aggregate', 'target'],
      ...rows.map(([name, t], i) => [
        name,
        t.median.toFixed(1),
        t.p95.toFixed(1),
        (t.median / baselineOf(i)).toFixed(2),
        target(i) && `${target(i)} ${t.median < (i < 2 ? 200 : 500) ? '✔' : '✗'}`,
      ]),
    ];
    const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
    for (const r of table) console.log(`| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`);
  } finally {
    await dashboard.stop();
    await client.close();
    await dropDatabase(config);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
