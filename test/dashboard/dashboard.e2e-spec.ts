/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the
 * real service and ClickHouse, on data written by the monitor's and orchestrator's own
 * repositories: the fleet lists the models, the model page draws its charts with the
 * deployment marker at the deployment's time, a new alert appears without a reload, the
 * incident page shows the evidence with its SQL, and the console stays clean. Screenshots
 * go to test-output/screenshots/ (git-ignored).
 */
import { ClickHouseClient } from '@clickhouse/client';
import { createClickHouse, migrate } from '@vigil/storage';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import type uPlot from 'uplot';
import { MonitorRepository } from '../../apps/monitor/src/monitor.repository';
import { TEST_API_TOKENS } from '../support/api-tokens';
import { accuracyAlert, seedLabelledPredictions, SeededModel, seedModel } from '../support/dashboard-data';
import { freePort, REPO, ServiceProcess, serviceEnv } from '../support/service-process';
import { dropDatabase, testInfrastructure } from '../support/stack';

/** The charts the UI keeps by name (apps/dashboard/web/src/charts.ts). */
declare const window: Window & { vigilCharts: Map<string, uPlot>; notReloaded?: boolean };

const config = testInfrastructure('dashboard');
const SCREENSHOTS = join(REPO, 'test-output', 'screenshots');
const MINUTE = 60_000;
// The story: 6 h of one-minute snapshots ending now; v2 deployed at 60 % of it (dashboard-data.ts).
const END_MS = Math.floor(Date.now() / MINUTE) * MINUTE;
const SPAN_MS = 6 * 60 * MINUTE;
// 40 labelled predictions: 10 per delay of SEED_LABEL_DELAYS_MS.
const LABELLED = 40;
const OTHER_MODELS = Array.from({ length: 10 }, (_, i) => `fleet-${String(i + 1).padStart(2, '0')}`);

/** The Chromium flags of /work/shared/notes: no sandbox (root), and nothing that calls out to the closed network. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('dashboard in Chromium', () => {
  let client: ClickHouseClient;
  let dashboard: ServiceProcess;
  let browser: Browser;
  let page: Page;
  let fraud: SeededModel;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    // `npm run build` (run by `npm ci`) builds the UI; build it here if this checkout never did.
    if (!existsSync(join(REPO, 'dist', 'dashboard-web', 'index.html'))) {
      execFileSync('npx', ['vite', 'build', '--config', 'apps/dashboard/web/vite.config.mjs'], { cwd: REPO, stdio: 'ignore' });
    }
    await migrate(config.clickhouse);
    client = createClickHouse(config.clickhouse);
    fraud = await seedModel(client, { modelId: 'card-fraud', endMs: END_MS, spanMs: SPAN_MS, snapshotEveryMs: MINUTE, segments: 3 });
    await seedLabelledPredictions(client, 'card-fraud', END_MS, LABELLED);
    await seedModel(client, { modelId: 'churn', endMs: END_MS, spanMs: SPAN_MS, snapshotEveryMs: 5 * MINUTE });
    for (const modelId of OTHER_MODELS) await seedModel(client, { modelId, endMs: END_MS, spanMs: 2 * 60 * MINUTE, snapshotEveryMs: 5 * MINUTE, incident: false, deployAt: 0.99 });
    dashboard = new ServiceProcess('dashboard', serviceEnv(config, { DASHBOARD_LIVE_POLL_MS: '500' }), await freePort());
    await dashboard.startHealthy();
    mkdirSync(SCREENSHOTS, { recursive: true });
    // playwright gives the browser a fresh temporary profile of its own (it refuses --user-data-dir here).
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    await client?.close();
    await dropDatabase(config);
  });

  it('the API needs the read token; the page itself is public', async () => {
    for (const path of ['/api/fleet', '/api/models/card-fraud', `/api/incidents/${fraud.incidentId}`, '/api/live'])
      expect([path, (await fetch(`${dashboard.url}${path}`)).status]).toEqual([path, 401]);
    expect((await dashboard.get('/api/fleet')).status).toBe(200);
    const index = await fetch(`${dashboard.url}/models/card-fraud`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<main id="app">');
  });

  it('the fleet lists every model with its status and a drawn sparkline', async () => {
    await page.goto(`${dashboard.url}/#token=${TEST_API_TOKENS.read.token}`);
    const rows = page.locator('#fleet-table tr.model-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2 + OTHER_MODELS.length);
    // The token left the address bar for sessionStorage.
    expect(new URL(page.url()).hash).toBe('');
    // card-fraud and churn each have an open incident (dashboard-data.ts writes one per model unless told not to).
    expect(await page.locator('tr[data-model="card-fraud"] .badge').textContent()).toBe('incident open');
    expect(await page.locator('tr[data-model="fleet-01"] .badge').textContent()).toBe('healthy');
    const spark = await page.evaluate(() => window.vigilCharts.get('spark:card-fraud')?.data[1].length ?? 0);
    expect(spark).toBeGreaterThan(1);
    await page.fill('#fleet-search', 'fleet-0');
    // fleet-01 … fleet-09 match "fleet-0"; fleet-10 does not.
    await page.waitForFunction(() => document.querySelectorAll('#fleet-table tr.model-row').length === 9);
    await page.fill('#fleet-search', '');
    await page.waitForFunction((n) => document.querySelectorAll('#fleet-table tr.model-row').length === n, 2 + OTHER_MODELS.length);
    await page.screenshot({ path: join(SCREENSHOTS, 'fleet.png'), fullPage: true });
  });

  it('the model page draws non-empty charts with the deployment marker at the deployment time', async () => {
    await page.click('tr[data-model="card-fraud"] a[href="/models/card-fraud"]');
    await page.locator('#chart-metric canvas').waitFor();
    const v2 = fraud.deployments.find((d) => d.version === 'v2')!;
    const chart = await page.evaluate((deployedAtS) => {
      const u = window.vigilCharts.get('metric')!;
      const [times, ...series] = u.data as unknown as (number | null)[][];
      const marker = [...u.over.querySelectorAll<HTMLElement>('.marker-deployment')].find((el) => Number(el.dataset.t) === deployedAtS);
      const canvas = u.root.querySelector('canvas')!;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted += 1;
      const labels = u.series.slice(1).map((s) => String(s.label));
      const v1 = series[labels.indexOf('v1')];
      const v2s = series[labels.indexOf('v2')];
      return {
        points: series.map((s) => s.filter((v) => v !== null).length),
        labels,
        painted,
        markerLeft: marker ? parseFloat(marker.style.left) : null,
        expectedLeft: u.valToPos(deployedAtS, 'x'),
        // By the scale alone: where the deployment time falls across the plot's width.
        scaleLeft: ((deployedAtS - u.scales.x.min!) / (u.scales.x.max! - u.scales.x.min!)) * u.over.clientWidth,
        lastV1: Math.max(...times.filter((_, i) => v1[i] !== null).map(Number)),
        firstV2: Math.min(...times.filter((_, i) => v2s[i] !== null).map(Number)),
        latencyPoints: (window.vigilCharts.get('latency')!.data[3] as (number | null)[]).filter((v) => v !== null).length,
      };
    }, v2.deployedAtMs / 1000);
    // v2's CBPE estimate is drawn next to its realised accuracy (test/support/dashboard-data.ts gives v2 one).
    expect(chart.labels).toEqual(['v1', 'v2', 'v2 estimated']);
    for (const n of chart.points) expect(n).toBeGreaterThan(10);
    expect(chart.latencyPoints).toBeGreaterThan(10);
    // A drawn line paints far more than a few hundred pixels of the plot's canvas.
    expect(chart.painted).toBeGreaterThan(1_000);
    expect(chart.markerLeft).not.toBeNull();
    expect(Math.abs(chart.markerLeft! - chart.expectedLeft)).toBeLessThan(1);
    expect(Math.abs(chart.markerLeft! - chart.scaleLeft)).toBeLessThan(1);
    // The marker sits where the versions switch: after v1's last bucket, at most one snapshot interval (60 s) before v2's first.
    expect(v2.deployedAtMs / 1000).toBeGreaterThanOrEqual(chart.lastV1);
    expect(chart.firstV2 - v2.deployedAtMs / 1000).toBeLessThanOrEqual(60);
    expect(await page.locator('#drift-heatmap td.cell.drifted').count()).toBeGreaterThan(0);
    expect(await page.locator('#segments tbody tr').count()).toBe(3);
    // 10 labels in each of < 1 min (30 s), < 10 min (5 min), < 6 h (2 h) and < 7 d (2 d); none in the other buckets.
    expect(await page.locator('#label-delay .bar-count').allTextContents()).toEqual(['10', '10', '0', '10', '0', '10', '0']);
    await page.screenshot({ path: join(SCREENSHOTS, 'model.png'), fullPage: true });
  });

  it('a new alert appears live, without a reload', async () => {
    await page.evaluate(() => (window.notReloaded = true));
    // Observed at the model's latest snapshot, so it also falls inside the model page's range.
    const alert = accuracyAlert('card-fraud', 'v2', END_MS);
    await new MonitorRepository(client).insertAlerts([alert]);
    await page.locator(`#live-alerts li[data-alert-id="${alert.alertId}"]`).waitFor({ timeout: 15_000 });
    await page.waitForFunction((n) => document.querySelectorAll('#timeline li.tl-critical').length === n, 2);
    expect(await page.evaluate(() => window.notReloaded)).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'live-alert.png') });
  });

  it('the incident page shows the evidence, the decisions and the SQL behind each number', async () => {
    await page.click(`#timeline a[href="/incidents/${fraud.incidentId}"]`);
    await page.locator('#evidence').waitFor();
    expect(await page.locator('#evidence h3').first().textContent()).toContain('accuracy = 0.7000');
    const sql = await page.locator('#evidence pre.sql').allTextContents();
    expect(sql[0]).toContain("FROM metric_snapshots\nWHERE model_id = 'card-fraud' AND model_version = 'v2'");
    expect(sql[1]).toContain('avg(predicted_class = true_class) AS accuracy');
    expect(await page.locator('#decisions li .tag').first().textContent()).toBe('rollback → rollback_requested');
    await page.screenshot({ path: join(SCREENSHOTS, 'incident.png'), fullPage: true });
  });

  it('no console errors on any page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
