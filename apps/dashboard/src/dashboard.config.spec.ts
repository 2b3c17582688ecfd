import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultWebDir, loadDashboardConfig } from './dashboard.config';

describe('dashboard config', () => {
  it('has the documented defaults (docs/dashboard.md "Configuration")', () => {
    const config = loadDashboardConfig({});
    expect(config).toMatchObject({ httpPort: 3004, livePollMs: 2_000, alertOpenForMs: 15 * 60_000, sparklineHours: 24, fleetDays: 7, modelDays: 30 });
  });

  it('names the variable of a bad value', () => {
    expect(() => loadDashboardConfig({ HTTP_PORT: 'abc' })).toThrow('"HTTP_PORT" must be a number');
    // 200 ms: the documented floor of the live poll.
    expect(() => loadDashboardConfig({ DASHBOARD_LIVE_POLL_MS: '100' })).toThrow('DASHBOARD_LIVE_POLL_MS');
  });

  it('finds dist/dashboard-web above the module, and takes DASHBOARD_WEB_DIR as given', () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-web-'));
    mkdirSync(join(root, 'dist', 'dashboard-web'), { recursive: true });
    expect(defaultWebDir(join(root, 'dist', 'apps', 'dashboard', 'src'))).toBe(join(root, 'dist', 'dashboard-web'));
    expect(loadDashboardConfig({ DASHBOARD_WEB_DIR: root }).webDir).toBe(root);
  });
});
