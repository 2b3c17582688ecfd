import { AlertmanagerConfig, env, InfrastructureConfig, loadAlertmanagerConfig, loadInfrastructureConfig, parseEnv } from '@vigil/common';
import { DETECTOR_NAMES, DetectorName } from '@vigil/monitoring';
import { z } from 'zod';
import { DEFAULT_MODEL_CONFIG, ModelConfig } from './core/model-config';

/** The monitor's own environment variables (defaults documented in docs/monitor.md), read into its settings. */
const monitorEnvSchema = z
  .object({
    HTTP_PORT: env.port(3002),
    MONITOR_GROUP_ID: env.text('vigil-monitor'),
    VIGIL_TOPIC_PARTITIONS: env.int(6, { min: 1 }),
    MONITOR_SNAPSHOT_INTERVAL_MS: env.int(10_000, { min: 100 }),
    MONITOR_CHECKPOINT_INTERVAL_MS: env.int(5_000, { min: 100 }),
    MONITOR_CONFIG_REFRESH_MS: env.int(5_000, { min: 100 }),
    // At most the join's 10 000 early labels per model, so a paused replay never evicts one.
    MONITOR_LABEL_PAUSE_AT: env.int(5_000, { min: 1, max: 10_000 }),
    MONITOR_LABEL_RESUME_AT: env.int(1_000, { min: 0 }),
    MONITOR_LABEL_IDLE_MS: env.int(2_000, { min: 100 }),
    MONITOR_STORAGE_RETRIES: env.int(6, { min: 0 }),
    MONITOR_STORAGE_RETRY_INITIAL_MS: env.int(500, { min: 1 }),
    MONITOR_STORAGE_RETRY_MAX_MS: env.int(5_000, { min: 1 }),
    MONITOR_REFERENCE_SIZE: env.int(DEFAULT_MODEL_CONFIG.referenceSize, { min: 1 }),
    MONITOR_METRIC_WINDOW: env.int(DEFAULT_MODEL_CONFIG.metricWindow, { min: 1 }),
    MONITOR_MIN_LABELS: env.int(DEFAULT_MODEL_CONFIG.minLabels, { min: 1 }),
    MONITOR_DRIFT_WINDOW: env.int(DEFAULT_MODEL_CONFIG.driftWindow, { min: 1 }),
    MONITOR_DETECTOR: z.enum(DETECTOR_NAMES).default(DEFAULT_MODEL_CONFIG.detector as DetectorName),
    MONITOR_ESTIMATION_REFERENCE_SIZE: env.int(DEFAULT_MODEL_CONFIG.estimationReferenceSize, { min: 1 }),
    MONITOR_ESTIMATION_WINDOW: env.int(DEFAULT_MODEL_CONFIG.estimationWindow, { min: 1 }),
  })
  .check((ctx) => {
    const v = ctx.value;
    if (v.MONITOR_LABEL_RESUME_AT >= v.MONITOR_LABEL_PAUSE_AT) {
      ctx.issues.push({ code: 'custom', input: v.MONITOR_LABEL_RESUME_AT, path: ['MONITOR_LABEL_RESUME_AT'], message: 'must be less than MONITOR_LABEL_PAUSE_AT' });
    }
    if (v.MONITOR_STORAGE_RETRY_MAX_MS < v.MONITOR_STORAGE_RETRY_INITIAL_MS) {
      ctx.issues.push({
        code: 'custom',
        input: v.MONITOR_STORAGE_RETRY_MAX_MS,
        path: ['MONITOR_STORAGE_RETRY_MAX_MS'],
        message: 'must be greater than or equal to MONITOR_STORAGE_RETRY_INITIAL_MS',
      });
    }
  })
  .transform((v) => {
    /** Defaults of every model before its own override (env-tunable fields only). */
    const modelDefaults: ModelConfig = {
      ...DEFAULT_MODEL_CONFIG,
      referenceSize: v.MONITOR_REFERENCE_SIZE,
      metricWindow: v.MONITOR_METRIC_WINDOW,
      minLabels: v.MONITOR_MIN_LABELS,
      driftWindow: v.MONITOR_DRIFT_WINDOW,
      detector: v.MONITOR_DETECTOR,
      estimationReferenceSize: v.MONITOR_ESTIMATION_REFERENCE_SIZE,
      estimationWindow: v.MONITOR_ESTIMATION_WINDOW,
    };
    return {
      httpPort: v.HTTP_PORT,
      groupId: v.MONITOR_GROUP_ID,
      topicPartitions: v.VIGIL_TOPIC_PARTITIONS,
      snapshotIntervalMs: v.MONITOR_SNAPSHOT_INTERVAL_MS,
      checkpointIntervalMs: v.MONITOR_CHECKPOINT_INTERVAL_MS,
      configRefreshMs: v.MONITOR_CONFIG_REFRESH_MS,
      /** Flow control of a labels partition against its predictions partition (see LabelFlowControl). */
      labelFlow: { pauseAt: v.MONITOR_LABEL_PAUSE_AT, resumeAt: v.MONITOR_LABEL_RESUME_AT, idleMs: v.MONITOR_LABEL_IDLE_MS },
      /** Retry policy of the ClickHouse copy of snapshots and alerts (one writer at a time). */
      storageRetry: { maxRetries: v.MONITOR_STORAGE_RETRIES, initialDelayMs: v.MONITOR_STORAGE_RETRY_INITIAL_MS, maxDelayMs: v.MONITOR_STORAGE_RETRY_MAX_MS },
      modelDefaults,
    };
  });

export type MonitorConfig = InfrastructureConfig &
  z.output<typeof monitorEnvSchema> & {
    /** Alertmanager API v2 (url empty = off) and the dashboard linked from alerts. */
    alertmanager: AlertmanagerConfig;
  };

export const MONITOR_CONFIG = Symbol('MonitorConfig');

export function loadMonitorConfig(environment: NodeJS.ProcessEnv = process.env): MonitorConfig {
  return {
    ...loadInfrastructureConfig(environment),
    ...parseEnv(monitorEnvSchema, environment, 'invalid monitor configuration'),
    alertmanager: loadAlertmanagerConfig(environment),
  };
}
