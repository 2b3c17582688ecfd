import { load } from 'js-yaml';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../support/service-process';

/**
 * The shape of docker-compose.yml (there is no Docker engine on our machines, so compose
 * itself is not run here): what it publishes and where, that ClickHouse has a required
 * password and no default secret, healthchecks gate every dependency, and the registry
 * keeps its data in a volume. The Vigil services' healthcheck command is run for real.
 */

interface ComposeService {
  image?: string;
  build?: string;
  ports?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = load(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
const services = compose.services;
const VIGIL_SERVICES = ['ingestor', 'monitor', 'orchestrator', 'dashboard'];
const PUBLISH = '${VIGIL_PUBLISH_ADDRESS:-127.0.0.1}';

describe('docker-compose.yml', () => {
  it('publishes only what users need, on loopback by default', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => `${name} ${p}`));
    // Producers need Kafka and the registry, analysts ClickHouse's HTTP port, operators the three APIs and the dashboard; not ClickHouse's native 9000.
    expect(published.sort()).toEqual(
      [
        `clickhouse ${PUBLISH}:8123:8123`,
        `dashboard ${PUBLISH}:3004:3004`,
        `ingestor ${PUBLISH}:3001:3001`,
        `kafka ${PUBLISH}:9092:9092`,
        `monitor ${PUBLISH}:3002:3002`,
        `orchestrator ${PUBLISH}:3003:3003`,
        `registry ${PUBLISH}:8081:8080`,
      ].sort(),
    );
  });

  it('gives ClickHouse a required password with no default, used by every service', () => {
    const required = /^\$\{CLICKHOUSE_PASSWORD:\?[^}]+\}$/;
    expect(services.clickhouse.environment?.CLICKHOUSE_PASSWORD).toMatch(required);
    for (const name of VIGIL_SERVICES) {
      expect(services[name].environment).toEqual(expect.objectContaining({ CLICKHOUSE_USER: services.clickhouse.environment?.CLICKHOUSE_USER }));
      expect(services[name].environment?.CLICKHOUSE_PASSWORD).toMatch(required);
      expect(services[name].environment?.VIGIL_API_TOKENS).toBe('${VIGIL_API_TOKENS:-}');
    }
    const example = readFileSync(join(REPO, '.env.example'), 'utf8');
    expect(example).toMatch(/^CLICKHOUSE_PASSWORD=$/m);
    expect(readFileSync(join(REPO, '.gitignore'), 'utf8').split('\n')).toContain('.env');
  });

  it('uses a current LTS ClickHouse image', () => {
    // ClickHouse LTS releases are YY.3 and YY.8; 26.8 is the newest on 2026-12-01.
    expect(services.clickhouse.image).toBe('clickhouse/clickhouse-server:26.8');
  });

  it('starts each service only once what it depends on is healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, healthcheck: Array.isArray(service.healthcheck?.test) }).toEqual({ name, healthcheck: true });
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, dependency, condition }).toEqual({ name, dependency, condition: 'service_healthy' });
        expect(services[dependency]).toBeDefined();
      }
    }
    for (const name of VIGIL_SERVICES) expect(Object.keys(services[name].depends_on ?? {})).toEqual(expect.arrayContaining(['kafka', 'registry', 'clickhouse']));
    for (const name of ['monitor', 'orchestrator', 'dashboard']) expect(Object.keys(services[name].depends_on ?? {})).toContain('ingestor');
  });

  it('keeps the registry, Kafka and ClickHouse data in named volumes', () => {
    const mounts = (name: string) => (services[name].volumes ?? []).map((v) => v.split(':'));
    const [[registryVolume, registryMount]] = mounts('registry');
    expect(compose.volumes).toHaveProperty(registryVolume);
    const datasource = String(services.registry.environment?.APICURIO_DATASOURCE_URL);
    expect(datasource.startsWith(`jdbc:h2:file:${registryMount}/`)).toBe(true);
    expect(mounts('kafka')[0][1]).toBe(services.kafka.environment?.KAFKA_LOG_DIRS);
    expect(mounts('clickhouse')[0]).toEqual(['clickhouse-data', '/var/lib/clickhouse']);
  });

  describe("the Vigil services' healthcheck command", () => {
    const [kind, executable, ...args] = services.ingestor.healthcheck!.test;
    let status = 200;
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer((request, response) => {
        response.statusCode = request.url === '/health' ? status : 404;
        response.end('{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const run = async (): Promise<number> => {
      expect([kind, executable]).toEqual(['CMD', 'node']);
      try {
        await promisify(execFile)(process.execPath, args, { env: { ...process.env, HTTP_PORT: String(port) }, timeout: 10_000 });
        return 0;
      } catch (error) {
        return (error as { code?: number }).code ?? -1;
      }
    };

    it('exits 0 when /health answers 200', async () => {
      status = 200;
      expect(await run()).toBe(0);
    });

    it('exits 1 when /health answers 503, or nothing listens', async () => {
      status = 503;
      expect(await run()).toBe(1);
      const listening = port;
      port = 1; // nothing listens on port 1 here (privileged, unused)
      try {
        expect(await run()).toBe(1);
      } finally {
        port = listening;
      }
    });
  });
});
