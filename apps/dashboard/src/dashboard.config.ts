import { env, parseEnv } from '@vigil/common';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/** The dashboard's own environment variables (defaults documented in docs/dashboard.md), read into its settings. */
const dashboardEnvSchema = z
  .object({
    HTTP_PORT: env.port(3004),
    /** Where the built single-page UI is; empty = `dist/dashboard-web` above this module (source or dist/). */
    DASHBOARD_WEB_DIR: env.optionalText(),
    DASHBOARD_LIVE_POLL_MS: env.int(2_000, { min: 200 }),
    /** The monitor's `reAlertIntervalMs` (docs/monitor.md): an episode not repeated for longer has cleared. */
    DASHBOARD_ALERT_OPEN_MS: env.int(15 * 60_000, { min: 1_000 }),
    DASHBOARD_SPARKLINE_HOURS: env.int(24, { min: 1 }),
    DASHBOARD_FLEET_DAYS: env.int(7, { min: 1 }),
    DASHBOARD_MODEL_DAYS: env.int(30, { min: 1 }),
  })
  .transform((v) => ({
    httpPort: v.HTTP_PORT,
    /** The built UI's folder (its index.html may be missing when the UI was not built). */
    webDir: v.DASHBOARD_WEB_DIR === '' ? defaultWebDir() : resolve(v.DASHBOARD_WEB_DIR),
    livePollMs: v.DASHBOARD_LIVE_POLL_MS,
    alertOpenForMs: v.DASHBOARD_ALERT_OPEN_MS,
    sparklineHours: v.DASHBOARD_SPARKLINE_HOURS,
    /** How far back (wall clock) the fleet looks for snapshots and alerts. */
    fleetDays: v.DASHBOARD_FLEET_DAYS,
    /** Default span of the model page, ending at the model's latest snapshot. */
    modelDays: v.DASHBOARD_MODEL_DAYS,
  }));

export type DashboardConfig = z.output<typeof dashboardEnvSchema>;

export const DASHBOARD_CONFIG = Symbol('DashboardConfig');

/**
 * The folder vite builds the UI into (package.json `build`), found above this module whether
 * run from source or dist/; when no build exists, the working directory's (named in the 503
 * the page then answers).
 */
export function defaultWebDir(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'dist', 'dashboard-web');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return resolve('dist', 'dashboard-web');
  }
}

export function loadDashboardConfig(environment: NodeJS.ProcessEnv = process.env): DashboardConfig {
  return parseEnv(dashboardEnvSchema, environment, 'invalid dashboard configuration');
}
