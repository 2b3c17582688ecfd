/**
 * The shipped rules and the monitor's Alertmanager client against the real servers:
 * Debian's prometheus (2.42) scrapes a real monitor during a drift scenario and its
 * ALERTS shows VigilModelDrift firing; Debian's prometheus-alertmanager (0.25) receives
 * the monitor's alert through API v2, groups it by model, and (through a webhook
 * receiver with send_resolved) reports it resolved once the episode clears.
 */
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, ensureTopics, registerContracts } from '@vigil/messaging';
import { Producer } from 'kafkajs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { event, freePort, MonitorProcess, monitorEnv, prng, REPO, send } from '../monitor/support';
import { deleteTopics, dropDatabase, eventually, testInfrastructure } from '../support/stack';
import { AmAlert, ExternalServer, json, startAlertmanager, startServer, stopServer } from './support';

const config = testInfrastructure('prometheus');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}
interface AmGroup {
  labels: Record<string, string>;
  alerts: AmAlert[];
}
interface Notification {
  status: string;
  groupLabels: Record<string, string>;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

describe('Prometheus rules and Alertmanager against the real servers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prometheus-'));
  const notifications: Notification[] = [];
  const receiverName = `vigil-test-${config.runId}`;
  let notificationServer: Server;
  let monitor: MonitorProcess;
  let prometheus: ExternalServer;
  let alertmanager: ExternalServer;
  let producer: Producer;

  beforeAll(async () => {
    notificationServer = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        notifications.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Notification);
        response.writeHead(200).end();
      });
    });
    const notificationPort = await freePort();
    await new Promise<void>((resolve) => notificationServer.listen(notificationPort, '127.0.0.1', resolve));

    // Every notification (and the resolution) to our server.
    alertmanager = await startAlertmanager(dir, receiverName, ['    webhook_configs:', `      - url: http://127.0.0.1:${notificationPort}/notify`, '        send_resolved: true']);

    await ensureTopics(kafka, topics, { partitions: 2 });
    await registerContracts(registry, topics);
    producer = kafka.producer();
    await producer.connect();
    monitor = new MonitorProcess(
      monitorEnv(config, {
        MONITOR_GROUP_ID: `monitor-${config.runId}`,
        VIGIL_TOPIC_PARTITIONS: '2',
        MONITOR_SNAPSHOT_INTERVAL_MS: '500',
        MONITOR_CHECKPOINT_INTERVAL_MS: '1000',
        ALERTMANAGER_URL: alertmanager.url,
        ALERTMANAGER_RESEND_MS: '1000',
        VIGIL_DASHBOARD_URL: 'http://dashboard.example',
      }),
      await freePort(),
    );
    await monitor.startHealthy();

    // Prometheus: scrape the monitor every second, evaluate the shipped rules every second.
    const promPort = await freePort();
    const job = `vigil-monitor-${config.runId}`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${join(REPO, 'deploy', 'prometheus', 'vigil.rules.yml')}`,
        'scrape_configs:',
        `  - job_name: ${job}`,
        '    static_configs:',
        `      - targets: ['127.0.0.1:${monitor.port}']`,
        '',
      ].join('\n'),
    );
    prometheus = startServer(
      'prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`],
      `http://127.0.0.1:${promPort}`,
    );
    await eventually(
      () => json<{ data: { activeTargets: { labels: { job: string }; health: string }[] } }>(`${prometheus.url}/api/v1/targets`),
      (t) => t?.data.activeTargets.some((a) => a.labels.job === job && a.health === 'up') === true || prometheus.child.exitCode !== null,
      30_000,
    );
    if (prometheus.child.exitCode !== null) throw new Error(`prometheus exited:\n${prometheus.output}`);
  });

  afterAll(async () => {
    await stopServer(prometheus);
    await monitor?.stop('SIGTERM');
    await stopServer(alertmanager);
    await producer?.disconnect();
    await new Promise((resolve) => notificationServer?.close(resolve));
    await deleteTopics(kafka, config.topicPrefix);
    await dropDatabase(config);
    rmSync(dir, { recursive: true, force: true });
  });

  it('drift: the series, the shipped VigilModelDrift alert, the Alertmanager alert and group, then the resolution', async () => {
    const rand = prng(9);
    // Training snapshot as in test/monitor: amount ~ U(0,100), channel web 30 %, output yes/no at 50 %.
    const reference = Array.from({ length: 300 }, () => ({ amount: rand() * 100, channel: rand() < 0.3 ? 'web' : 'app', '@prediction': rand() < 0.5 ? 'yes' : 'no' }));
    expect((await monitor.put('/models/pd/reference', { rows: reference })).status).toBe(200);
    expect((await monitor.put('/models/pd/config', { driftWindow: 100 })).status).toBe(200);
    // All three columns moved in both windows of 100 (the alert needs 2 drifted windows in a row).
    const shifted = Array.from({ length: 200 }, (_, i) => event('pd', i, 'yes', 'yes', 200 + rand(), 'web'));
    await send(producer, registry, topics, shifted, false);

    const text = await eventually(
      () => monitor.metrics(),
      (t) => t.includes('vigil_model_open_alerts{model="pd",version="v1",rule="dataset_drift"'),
      30_000,
    );
    // drift.share = 3 of 3 columns drifted (test/monitor's reference scenario).
    expect(text).toContain('vigil_model_drift_share_ratio{model="pd",version="v1"} 1');
    expect(text).toContain('vigil_model_drifted_columns{model="pd",version="v1"} 3');
    // No labels were sent: coverage 0 of 200 predictions.
    expect(text).toContain('vigil_model_label_coverage_ratio{model="pd",version="v1"} 0');

    const firing = await eventually(
      () => json<{ data: { alerts: PromAlert[] } }>(`${prometheus.url}/api/v1/alerts`),
      (r) => r?.data.alerts.some((a) => a.labels.alertname === 'VigilModelDrift' && a.labels.model === 'pd' && a.state === 'firing') === true,
      30_000,
    );
    const drift = firing!.data.alerts.find((a) => a.labels.alertname === 'VigilModelDrift')!;
    expect(drift.labels).toMatchObject({ model: 'pd', version: 'v1', team: 'ml-platform' });
    // The same through the ALERTS series, as Grafana and recording rules read it.
    const series = await json<{ data: { result: { metric: Record<string, string> }[] } }>(
      `${prometheus.url}/api/v1/query?query=${encodeURIComponent('ALERTS{alertname="VigilModelDrift",alertstate="firing"}')}`,
    );
    expect(series!.data.result.map((r) => r.metric.model)).toEqual(['pd']);

    const amAlerts = await eventually(
      () => json<AmAlert[]>(`${alertmanager.url}/api/v2/alerts`),
      (a) => (a ?? []).some((x) => x.labels.model === 'pd' && x.labels.rule === 'dataset_drift'),
      30_000,
    );
    const am = amAlerts!.find((x) => x.labels.rule === 'dataset_drift')!;
    expect(am.labels).toMatchObject({ alertname: 'VigilModelAlert', model: 'pd', version: 'v1', rule: 'dataset_drift' });
    expect(['warning', 'critical']).toContain(am.labels.severity);
    expect(am.status.state).toBe('active');
    expect(am.annotations.dashboard).toBe('http://dashboard.example/models/pd');
    expect(am.annotations.summary).toContain('drift.share 1 (threshold 0.5, n = 100)');
    const groups = await json<AmGroup[]>(`${alertmanager.url}/api/v2/alerts/groups`);
    const group = groups!.find((g) => g.labels.model === 'pd');
    expect(group?.labels).toEqual({ model: 'pd' });
    expect(group!.alerts.map((a) => a.labels.rule)).toContain('dataset_drift');

    // Back to the reference's distribution: the next window of 100 is not drifted, the episode clears.
    const back = Array.from({ length: 100 }, (_, i) => event('pd', 200 + i, rand() < 0.5 ? 'yes' : 'no', 'yes', rand() * 100, rand() < 0.3 ? 'web' : 'app'));
    await send(producer, registry, topics, back, false);
    const resolved = await eventually(
      async () => notifications.find((n) => n.status === 'resolved' && n.alerts.some((a) => a.labels.rule === 'dataset_drift')),
      (n) => n !== undefined,
      30_000,
    );
    expect(resolved!.groupLabels).toEqual({ model: 'pd' });
    // A firing notification came first, for the same group.
    expect(notifications.findIndex((n) => n.status === 'firing' && n.groupLabels.model === 'pd')).toBeLessThan(notifications.indexOf(resolved!));
    const active = await json<AmAlert[]>(`${alertmanager.url}/api/v2/alerts?active=true`);
    expect((active ?? []).filter((a) => a.labels.rule === 'dataset_drift')).toEqual([]);
    expect(await monitor.metrics()).not.toContain('vigil_model_open_alerts{model="pd",version="v1",rule="dataset_drift"');
  });
});
