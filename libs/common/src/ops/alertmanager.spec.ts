import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { AlertmanagerAlert, AlertmanagerClient, dashboardLink } from './alertmanager';

const alert: AlertmanagerAlert = { labels: { alertname: 'VigilModelAlert', model: 'm' }, annotations: {}, startsAt: new Date(0).toISOString() };

/** A loopback receiver answering the given statuses in turn (then 200). */
async function receiver(statuses: number[]): Promise<{ server: Server; url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

describe('AlertmanagerClient', () => {
  it('retries 503s under the retry policy and posts the list to /api/v2/alerts', async () => {
    const { server, url, bodies } = await receiver([503, 503]);
    const registry = new Registry();
    const client = new AlertmanagerClient(url, 'test', registry);
    client.send([alert]);
    // 5 retries from 0.5 s: two 503s are recovered within a few seconds.
    for (let i = 0; i < 100 && bodies.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    await client.close();
    server.close();
    expect(bodies).toEqual([[alert], [alert], [alert]]);
    const metrics = await registry.metrics();
    expect(metrics).toContain('vigil_alertmanager_alerts_total{outcome="sent"} 1');
    expect(metrics).toContain('vigil_retries_total{operation="test.alertmanager",outcome="retry"} 2');
  });

  it('does not retry a refused payload (400)', async () => {
    const { server, url, bodies } = await receiver([400]);
    const client = new AlertmanagerClient(url, 'test', new Registry());
    client.send([alert]);
    for (let i = 0; i < 20 && bodies.length < 1; i++) await new Promise((r) => setTimeout(r, 50));
    await client.close();
    await new Promise((r) => setTimeout(r, 700));
    server.close();
    expect(bodies).toHaveLength(1);
  });

  it('links a model page under the dashboard URL, or nothing without one', () => {
    expect(dashboardLink('http://dash/', 'card fraud')).toBe('http://dash/models/card%20fraud');
    expect(dashboardLink('', 'm')).toBeUndefined();
  });
});
