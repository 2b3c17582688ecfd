import { ClickHouseClient } from '@clickhouse/client';
import { INestApplication, RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer, NestFactory } from '@nestjs/core';
import { roleNeededFor } from '@vigil/common';
import { startBatchTransport } from '@vigil/messaging';
import { createClickHouse, migrate, readMigrations, sql } from '@vigil/storage';
import { Kafka } from 'kafkajs';
import { DashboardModule } from '../../apps/dashboard/src/app.module';
import { IngestorModule } from '../../apps/ingestor/src/app.module';
import { MonitorModule } from '../../apps/monitor/src/app.module';
import { OrchestratorModule } from '../../apps/orchestrator/src/app.module';
import { OrchestratorLease } from '../../apps/orchestrator/src/orchestrator.lease';
import { startOrchestrator } from '../../apps/orchestrator/src/orchestrator.start';
import { bearer, TEST_API_TOKENS } from '../support/api-tokens';
import { serviceEnv, VigilService } from '../support/service-process';
import { deleteTopics, dropDatabase, eventually, testInfrastructure } from '../support/stack';

/**
 * Every route of every app, enumerated from Nest's own route metadata (so a route added
 * later is checked too): state-changing ones refuse no token (401) and a read token (403),
 * reads refuse no token (401); only /health and /metrics are open, and the dashboard's page
 * shell (it holds no data: every number comes from its guarded /api). Then "who changed
 * what" is answered from ClickHouse.
 */

interface Route {
  method: string;
  path: string;
}

const APPS: Record<VigilService, Type<unknown>> = { ingestor: IngestorModule, monitor: MonitorModule, orchestrator: OrchestratorModule, dashboard: DashboardModule };
/** Open routes and the status each answers without a token (`route-check` stands for every path parameter). */
const OPEN: Record<VigilService, Record<string, number>> = {
  ingestor: { 'GET /health': 200, 'GET /metrics': 200 },
  monitor: { 'GET /health': 200, 'GET /metrics': 200 },
  orchestrator: { 'GET /health': 200, 'GET /metrics': 200 },
  // The page shell is index.html for every page path (npm run build made it); no asset is named route-check.
  dashboard: { 'GET /health': 200, 'GET /metrics': 200, 'GET /': 200, 'GET /models/:modelId': 200, 'GET /incidents/:incidentId': 200, 'GET /assets/:file': 404 },
};

/** The routes Nest registered for the app's controllers: controller path + handler path, with the handler's HTTP method. */
function routesOf(app: INestApplication): Route[] {
  const scanner = new MetadataScanner();
  const routes: Route[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown>;
      const base = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[]].flat();
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name] as object;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        for (const prefix of base) {
          for (const path of [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat()) {
            const joined = `/${[prefix, path]
              .map((p) => p.replace(/^\/+|\/+$/g, ''))
              .filter((p) => p !== '')
              .join('/')}`;
            routes.push({ method: RequestMethod[method], path: joined });
          }
        }
      }
    }
  }
  return routes;
}

const config = testInfrastructure('auth');
const kafka = new Kafka({ brokers: config.kafkaBrokers, clientId: `auth-${config.runId}`, logLevel: 0 });

function envFor(app: VigilService): Record<string, string> {
  return serviceEnv(config, {
    INGESTOR_GROUP_ID: `ingestor-${config.runId}`,
    MONITOR_GROUP_ID: `monitor-${config.runId}`,
    ORCHESTRATOR_GROUP_ID: `orchestrator-${config.runId}`,
    ORCHESTRATOR_TRANSACTIONAL_ID: `orchestrator-${config.runId}`,
    KAFKA_CLIENT_ID: `${app}-${config.runId}`,
    VIGIL_TOPIC_PARTITIONS: '1',
    LOG_LEVEL: 'error',
  });
}

/** Runs `body` against the real app in this process (its config comes from process.env, as in production). */
async function withApp(name: VigilService, body: (url: string, app: INestApplication) => Promise<void>): Promise<void> {
  const saved = { ...process.env };
  Object.assign(process.env, envFor(name));
  let app: INestApplication | undefined;
  try {
    app = await NestFactory.create(APPS[name], { logger: ['error'] });
    // The dashboard reads ClickHouse only: it has no Kafka transport to start.
    if (name === 'dashboard') await app.init();
    else if (name === 'orchestrator') {
      await startOrchestrator(app);
      // Alone in its lease group it becomes active; until then its models API answers 503 like a standby's.
      const lease = app.get(OrchestratorLease);
      await eventually(
        () => Promise.resolve(lease.role),
        (role) => role === 'active',
      );
    } else await startBatchTransport(app);
    await app.listen(0, '127.0.0.1');
    await body(await app.getUrl(), app);
  } finally {
    await app?.close();
    process.env = saved;
  }
}

async function call(url: string, route: Route, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${url}${route.path.replace(/:[A-Za-z]+/g, 'route-check')}`, {
    method: route.method,
    headers: { 'content-type': 'application/json', ...headers },
    body: roleNeededFor(route.method) === 'write' ? '{}' : undefined,
  });
  // Cancelled, not read: a let-through server-sent event stream (the dashboard's /api/live) never ends.
  await response.body?.cancel();
  return response.status;
}

async function selectRows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

describe('HTTP API authentication', () => {
  const clickhouse = createClickHouse(config.clickhouse);

  afterAll(async () => {
    await clickhouse.close();
    await dropDatabase(config);
    await deleteTopics(kafka, config.topicPrefix);
  });

  it.each(Object.keys(APPS) as VigilService[])('%s: every route is guarded, only /health, /metrics and the page shell are open', async (name) => {
    await withApp(name, async (url, app) => {
      const routes = routesOf(app);
      const described = routes.map((r) => `${r.method} ${r.path}`);
      const open = OPEN[name];
      expect(described).toEqual(expect.arrayContaining(Object.keys(open)));
      const known: Record<VigilService, string[]> = {
        ingestor: [],
        monitor: ['PUT /models/:modelId/config', 'PUT /models/:modelId/reference', 'GET /models/:modelId/metrics'],
        orchestrator: ['POST /models/:modelId/deployments', 'PUT /models/:modelId/policy', 'GET /models/:modelId', 'GET /models/:modelId/decisions'],
        dashboard: ['GET /api/fleet', 'GET /api/models/:modelId', 'GET /api/incidents/:incidentId', 'GET /api/live'],
      };
      // The enumeration sees the routes we know of (so it would see a new one too).
      expect(described).toEqual(expect.arrayContaining(known[name]));

      const outcomes: string[] = [];
      for (const route of routes) {
        const key = `${route.method} ${route.path}`;
        if (key in open) {
          outcomes.push(`${key}: open ${await call(url, route)}`);
        } else if (roleNeededFor(route.method) === 'write') {
          outcomes.push(`${key}: no token ${await call(url, route)}, read token ${await call(url, route, bearer('read'))}`);
        } else {
          const withRead = await call(url, route, bearer('read'));
          outcomes.push(`${key}: no token ${await call(url, route)}, read token ${withRead === 401 || withRead === 403 ? withRead : 'let through'}`);
        }
      }
      const expected = routes.map(({ method, path }) => {
        const key = `${method} ${path}`;
        if (key in open) return `${key}: open ${open[key]}`;
        return roleNeededFor(method) === 'write' ? `${key}: no token 401, read token 403` : `${key}: no token 401, read token let through`;
      });
      expect(outcomes).toEqual(expected);
    });
  });

  it('who deployed v666, who changed the policy: the token names are in ClickHouse', async () => {
    const model = `who-${config.runId}`;
    await withApp('orchestrator', async (url) => {
      const deployWith = (headers: Record<string, string>) =>
        fetch(`${url}/models/${model}/deployments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ version: 'v666', artifactUri: 'http://attacker.example/model.bin' }),
        });
      // The attack, unauthenticated and with a read token: refused, and (below) no row.
      expect((await deployWith({})).status).toBe(401);
      expect((await deployWith(bearer('read'))).status).toBe(403);
      const deploy = await deployWith(bearer('write'));
      expect(deploy.status).toBe(201);
      const { deployment } = (await deploy.json()) as { deployment: { eventId: string; changedBy: string } };
      expect(deployment.changedBy).toBe(TEST_API_TOKENS.write.name);
      const policyWith = (headers: Record<string, string>, body: unknown) =>
        fetch(`${url}/models/${model}/policy`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      expect((await policyWith({}, { retrain: { performance: { accuracyFloor: 0.99 } } })).status).toBe(401);
      expect((await policyWith(bearer('write'), { retrain: { enabled: false } })).status).toBe(200);

      const deployedBy = await selectRows<{ changed_by: string }>(clickhouse, sql`SELECT changed_by FROM model_deployments FINAL WHERE model_id = ${model} AND version = 'v666'`);
      expect(deployedBy).toEqual([{ changed_by: TEST_API_TOKENS.write.name }]);
      const decidedBecauseOf = await selectRows<{ outcome: string; changed_by: string }>(
        clickhouse,
        sql`SELECT outcome, changed_by FROM decision_audit WHERE source_event_id = ${deployment.eventId}`,
      );
      expect(decidedBecauseOf).toEqual([{ outcome: 'deployment_recorded', changed_by: TEST_API_TOKENS.write.name }]);
      expect(await selectRows(clickhouse, sql`SELECT changed_by FROM model_policies FINAL WHERE model_id = ${model}`)).toEqual([{ changed_by: TEST_API_TOKENS.write.name }]);
      // And over the API, with a read token.
      const history = await fetch(`${url}/models/${model}/history`, { headers: bearer('read') });
      expect(((await history.json()) as { deployments: { version: string; changedBy: string }[] }).deployments).toEqual([
        expect.objectContaining({ version: 'v666', changedBy: TEST_API_TOKENS.write.name }),
      ]);
    });
  });

  it('monitor configs and references record who set them', async () => {
    const model = `ref-${config.runId}`;
    await withApp('monitor', async (url) => {
      const put = (path: string, body: unknown) =>
        fetch(`${url}/models/${model}/${path}`, { method: 'PUT', headers: { 'content-type': 'application/json', ...bearer('write') }, body: JSON.stringify(body) });
      const unauthenticated = await fetch(`${url}/models/${model}/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"accuracyFloor": 0.99}' });
      expect(unauthenticated.status).toBe(401);
      expect((await put('config', { accuracyFloor: 0.7 })).status).toBe(200);
      expect(
        (
          await put('reference', {
            rows: [
              { amount: 1, '@prediction': 'a' },
              { amount: 2, '@prediction': 'b' },
            ],
          })
        ).status,
      ).toBe(200);
    });
    const writer = [{ changed_by: TEST_API_TOKENS.write.name }];
    expect(await selectRows(clickhouse, sql`SELECT changed_by FROM monitor_model_configs FINAL WHERE model_id = ${model}`)).toEqual(writer);
    expect(await selectRows(clickhouse, sql`SELECT changed_by FROM monitor_references FINAL WHERE model_id = ${model}`)).toEqual(writer);
  });

  it('a changed_by column that another service added first counts as applied; other failures still fail', async () => {
    const changedBy = readMigrations().find((m) => m.name === 'changed_by')!;
    // The tables exist and already have the columns (the apps above migrated): applying the
    // same ALTERs again is what a service losing the start-up race does.
    await expect(migrate(config.clickhouse, [{ version: 9001, name: 'changed_by_again', statements: changedBy.statements }])).resolves.toEqual([9001]);
    await expect(migrate(config.clickhouse, [{ version: 9002, name: 'broken', statements: ['ALTER TABLE model_deployments DROP COLUMN no_such_column'] }])).rejects.toThrow(
      /no_such_column/,
    );
    await eventually(
      async () => selectRows<{ version: number | string }>(clickhouse, 'SELECT version FROM schema_migrations WHERE version >= 9000'),
      (rows) => rows.map((r) => Number(r.version)).join() === '9001',
    );
  });
});
