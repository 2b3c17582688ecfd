import { AlertmanagerConfig, alertmanagerEnvSchema, InfrastructureConfig, infrastructureEnvSchema, loadAlertmanagerConfig, loadInfrastructureConfig } from '@vigil/common';
import { DETECTOR_NAMES } from '@vigil/monitoring';
import Joi from 'joi';
import { DEFAULT_MODEL_CONFIG, ModelConfig } from './core/model-config';

/** The monitor's own environment variables, with the defaults documented in docs/monitor.md. */
export const monitorEnvSchema = {
  HTTP_PORT: Joi.number().port().default(3002),
  MONITOR_GROUP_ID: Joi.string().default('vigil-monitor'),
  VIGIL_TOPIC_PARTITIONS: Joi.number().integer().min(1).default(6),
  MONITOR_SNAPSHOT_INTERVAL_MS: Joi.number().integer().min(100).default(10_000),
  MONITOR_CHECKPOINT_INTERVAL_MS: Joi.number().integer().min(100).default(5_000),
  MONITOR_CONFIG_REFRESH_MS: Joi.number().integer().min(100).default(5_000),
  // At most the join's 10 000 early labels per model, so a paused replay never evicts one.
  MONITOR_LABEL_PAUSE_AT: Joi.number().integer().min(1).max(10_000).default(5_000),
  MONITOR_LABEL_RESUME_AT: Joi.number().integer().min(0).less(Joi.ref('MONITOR_LABEL_PAUSE_AT')).default(1_000),
  MONITOR_LABEL_IDLE_MS: Joi.number().integer().min(100).default(2_000),
  MONITOR_STORAGE_RETRIES: Joi.number().integer().min(0).default(6),
  MONITOR_STORAGE_RETRY_INITIAL_MS: Joi.number().integer().min(1).default(500),
  MONITOR_STORAGE_RETRY_MAX_MS: Joi.number().integer().min(Joi.ref('MONITOR_STORAGE_RETRY_INITIAL_MS')).default(5_000),
  MONITOR_REFERENCE_SIZE: Joi.number().integer().min(1).default(DEFAULT_MODEL_CONFIG.referenceSize),
  MONITOR_METRIC_WINDOW: Joi.number().integer().min(1).default(DEFAULT_MODEL_CONFIG.metricWindow),
  MONITOR_MIN_LABELS: Joi.number().integer().min(1).default(DEFAULT_MODEL_CONFIG.minLabels),
  MONITOR_DRIFT_WINDOW: Joi.number().integer().min(1).default(DEFAULT_MODEL_CONFIG.driftWindow),
  MONITOR_DETECTOR: Joi.string()
    .valid(...DETECTOR_NAMES)
    .default(DEFAULT_MODEL_CONFIG.detector),
};

export const monitorEnvValidation = Joi.object({ ...infrastructureEnvSchema, ...alertmanagerEnvSchema, ...monitorEnvSchema });

export interface MonitorConfig extends InfrastructureConfig {
  httpPort: number;
  groupId: string;
  topicPartitions: number;
  snapshotIntervalMs: number;
  checkpointIntervalMs: number;
  configRefreshMs: number;
  /** Flow control of a labels partition against its predictions partition (see LabelFlowControl). */
  labelFlow: { pauseAt: number; resumeAt: number; idleMs: number };
  /** Retry policy of the ClickHouse copy of snapshots and alerts (one writer at a time). */
  storageRetry: { maxRetries: number; initialDelayMs: number; maxDelayMs: number };
  /** Alertmanager API v2 (url empty = off) and the dashboard linked from alerts. */
  alertmanager: AlertmanagerConfig;
  /** Defaults of every model before its own override (env-tunable fields only). */
  modelDefaults: ModelConfig;
}

export const MONITOR_CONFIG = Symbol('MonitorConfig');

export function loadMonitorConfig(env: NodeJS.ProcessEnv = process.env): MonitorConfig {
  const { error, value } = Joi.object(monitorEnvSchema).unknown(true).validate(env, { abortEarly: false });
  if (error) throw new Error(`invalid monitor configuration: ${error.message}`);
  const v = value as Record<keyof typeof monitorEnvSchema, number> & { MONITOR_GROUP_ID: string; MONITOR_DETECTOR: string };
  return {
    ...loadInfrastructureConfig(env),
    httpPort: v.HTTP_PORT,
    groupId: v.MONITOR_GROUP_ID,
    topicPartitions: v.VIGIL_TOPIC_PARTITIONS,
    snapshotIntervalMs: v.MONITOR_SNAPSHOT_INTERVAL_MS,
    checkpointIntervalMs: v.MONITOR_CHECKPOINT_INTERVAL_MS,
    configRefreshMs: v.MONITOR_CONFIG_REFRESH_MS,
    labelFlow: { pauseAt: v.MONITOR_LABEL_PAUSE_AT, resumeAt: v.MONITOR_LABEL_RESUME_AT, idleMs: v.MONITOR_LABEL_IDLE_MS },
    storageRetry: { maxRetries: v.MONITOR_STORAGE_RETRIES, initialDelayMs: v.MONITOR_STORAGE_RETRY_INITIAL_MS, maxDelayMs: v.MONITOR_STORAGE_RETRY_MAX_MS },
    alertmanager: loadAlertmanagerConfig(env),
    modelDefaults: {
      ...DEFAULT_MODEL_CONFIG,
      referenceSize: v.MONITOR_REFERENCE_SIZE,
      metricWindow: v.MONITOR_METRIC_WINDOW,
      minLabels: v.MONITOR_MIN_LABELS,
      driftWindow: v.MONITOR_DRIFT_WINDOW,
      detector: v.MONITOR_DETECTOR,
    },
  };
}
