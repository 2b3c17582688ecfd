import { MetricsRegistry } from '@vigil/common';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelSeriesMetrics } from '../../apps/monitor/src/model-series.metrics';
import { MonitorMetrics } from '../../apps/monitor/src/monitor.metrics';
import { OrchestratorMetrics } from '../../apps/orchestrator/src/orchestrator.metrics';
import { REPO } from '../support/service-process';

const PROMETHEUS_DIR = join(REPO, 'deploy', 'prometheus');
const DASHBOARD = join(REPO, 'deploy', 'grafana', 'vigil-models.json');

/** Every series name the services export, from the same classes the services register. */
async function exportedNames(): Promise<Set<string>> {
  const registry = new MetricsRegistry();
  new MonitorMetrics(registry);
  new ModelSeriesMetrics(registry);
  new OrchestratorMetrics(registry);
  return new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
}

/** Names of vigil_ series and vigil: recording rules an expression reads. */
function namesIn(expr: string): string[] {
  return [...expr.matchAll(/\b(vigil[_:][A-Za-z0-9_:]*)/g)].map((m) => m[1]);
}

function recordedNames(): Set<string> {
  const rules = readFileSync(join(PROMETHEUS_DIR, 'vigil.rules.yml'), 'utf8');
  return new Set([...rules.matchAll(/- record: (\S+)/g)].map((m) => m[1]));
}

describe('deploy/prometheus and deploy/grafana', () => {
  it('the rules pass promtool check rules and promtool test rules', () => {
    const check = execFileSync('promtool', ['check', 'rules', 'vigil.rules.yml'], { cwd: PROMETHEUS_DIR, encoding: 'utf8' });
    // 5 recording + 7 alerting rules in vigil.rules.yml.
    expect(check).toContain('SUCCESS: 12 rules found');
    const test = execFileSync('promtool', ['test', 'rules', 'vigil.rules.test.yml'], { cwd: PROMETHEUS_DIR, encoding: 'utf8' });
    expect(test).toContain('SUCCESS');
  });

  it('the rules read only series the services export', async () => {
    const known = new Set([...(await exportedNames()), ...recordedNames()]);
    const rules = readFileSync(join(PROMETHEUS_DIR, 'vigil.rules.yml'), 'utf8');
    const exprs = [...rules.matchAll(/expr: (.+)/g)].map((m) => m[1]);
    const unknown = exprs.flatMap(namesIn).filter((n) => !known.has(n));
    expect(unknown).toEqual([]);
  });

  it('the dashboard is a Grafana dashboard over the Prometheus and ClickHouse data sources, reading exported series', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      uid: string;
      title: string;
      schemaVersion: number;
      __inputs: { name: string; pluginId: string }[];
      templating: { list: { name: string }[] };
      panels: {
        id: number;
        type: string;
        title: string;
        gridPos: { x: number; y: number; w: number; h: number };
        datasource: { uid: string };
        targets: { refId: string; expr?: string; rawSql?: string; datasource: { uid: string } }[];
      }[];
    };
    expect(dashboard.uid).toBe('vigil-models');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36); // Grafana 9+ dashboards
    expect(dashboard.__inputs.map((i) => i.pluginId).sort()).toEqual(['grafana-clickhouse-datasource', 'prometheus']);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['model']);
    const inputs = new Set(dashboard.__inputs.map((i) => `\${${i.name}}`));
    const known = new Set([...(await exportedNames()), ...recordedNames()]);
    const ids = new Set<number>();
    for (const panel of dashboard.panels) {
      expect(ids.has(panel.id)).toBe(false);
      ids.add(panel.id);
      expect(panel.title.length).toBeGreaterThan(0);
      // Grafana's grid is 24 columns wide.
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      expect(inputs.has(panel.datasource.uid)).toBe(true);
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) {
        expect(target.datasource.uid).toBe(panel.datasource.uid);
        expect(target.expr ?? target.rawSql).toBeDefined();
        if (target.expr) expect(namesIn(target.expr).filter((n) => !known.has(n))).toEqual([]);
      }
    }
    const sources = new Set(dashboard.panels.map((p) => p.datasource.uid));
    expect(sources).toEqual(inputs);
  });
});
