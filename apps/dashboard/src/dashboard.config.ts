import { infrastructureEnvSchema } from '@vigil/common';
import Joi from 'joi';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The dashboard's own environment variables, with the defaults documented in docs/dashboard.md. */
export const dashboardEnvSchema = {
  HTTP_PORT: Joi.number().port().default(3004),
  /** Where the built single-page UI is; empty = `dist/dashboard-web` above this module (source or dist/). */
  DASHBOARD_WEB_DIR: Joi.string().allow('').default(''),
  DASHBOARD_LIVE_POLL_MS: Joi.number().integer().min(200).default(2_000),
  /** The monitor's `reAlertIntervalMs` (docs/monitor.md): an episode not repeated for longer has cleared. */
  DASHBOARD_ALERT_OPEN_MS: Joi.number().integer().min(1_000).default(15 * 60_000),
  DASHBOARD_SPARKLINE_HOURS: Joi.number().min(1).default(24),
  DASHBOARD_FLEET_DAYS: Joi.number().min(1).default(7),
  DASHBOARD_MODEL_DAYS: Joi.number().min(1).default(30),
};

export const dashboardEnvValidation = Joi.object({ ...infrastructureEnvSchema, ...dashboardEnvSchema });

export const DASHBOARD_CONFIG = Symbol('DashboardConfig');

export interface DashboardConfig {
  httpPort: number;
  /** The built UI's folder (its index.html may be missing when the UI was not built). */
  webDir: string;
  livePollMs: number;
  alertOpenForMs: number;
  sparklineHours: number;
  /** How far back (wall clock) the fleet looks for snapshots and alerts. */
  fleetDays: number;
  /** Default span of the model page, ending at the model's latest snapshot. */
  modelDays: number;
}

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

export function loadDashboardConfig(env: NodeJS.ProcessEnv = process.env): DashboardConfig {
  const { error, value } = dashboardEnvValidation.unknown(true).validate(env, { abortEarly: false });
  if (error) throw new Error(`invalid configuration: ${error.message}`);
  return {
    httpPort: value.HTTP_PORT,
    webDir: value.DASHBOARD_WEB_DIR === '' ? defaultWebDir() : resolve(value.DASHBOARD_WEB_DIR),
    livePollMs: value.DASHBOARD_LIVE_POLL_MS,
    alertOpenForMs: value.DASHBOARD_ALERT_OPEN_MS,
    sparklineHours: value.DASHBOARD_SPARKLINE_HOURS,
    fleetDays: value.DASHBOARD_FLEET_DAYS,
    modelDays: value.DASHBOARD_MODEL_DAYS,
  };
}
