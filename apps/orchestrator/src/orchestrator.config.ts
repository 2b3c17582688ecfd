import { AlertmanagerConfig, alertmanagerEnvSchema, InfrastructureConfig, infrastructureEnvSchema, loadAlertmanagerConfig, loadInfrastructureConfig } from '@vigil/common';
import Joi from 'joi';
import { readFileSync } from 'node:fs';
import { parsePolicyFile, PolicyFile } from './core';

/** The orchestrator's own environment variables, with the defaults documented in docs/orchestrator.md. */
export const orchestratorEnvSchema = {
  HTTP_PORT: Joi.number().port().default(3003),
  ORCHESTRATOR_GROUP_ID: Joi.string().default('vigil-orchestrator'),
  ORCHESTRATOR_TRANSACTIONAL_ID: Joi.string().default('vigil-orchestrator'),
  ORCHESTRATOR_POLICIES: Joi.string().allow('').default(''),
  VIGIL_TOPIC_PARTITIONS: Joi.number().integer().min(1).default(6),
  ORCHESTRATOR_SESSION_TIMEOUT_MS: Joi.number().integer().min(6000).default(30_000),
  ORCHESTRATOR_WEBHOOK_URLS: Joi.string().allow('').default(''),
  ORCHESTRATOR_WEBHOOK_SECRET_FILE: Joi.string().allow('').default(''),
  ORCHESTRATOR_WEBHOOK_RETRIES: Joi.number().integer().min(0).default(6),
  ORCHESTRATOR_WEBHOOK_RETRY_INITIAL_MS: Joi.number().integer().min(1).default(1_000),
  ORCHESTRATOR_WEBHOOK_RETRY_MAX_MS: Joi.number().integer().min(Joi.ref('ORCHESTRATOR_WEBHOOK_RETRY_INITIAL_MS')).default(60_000),
  ORCHESTRATOR_WEBHOOK_TIMEOUT_MS: Joi.number().integer().min(100).default(10_000),
};

export const orchestratorEnvValidation = Joi.object({ ...infrastructureEnvSchema, ...alertmanagerEnvSchema, ...orchestratorEnvSchema });

export interface OrchestratorConfig extends InfrastructureConfig {
  httpPort: number;
  groupId: string;
  transactionalId: string;
  topicPartitions: number;
  /** Consumer session timeout: how long a dead instance keeps its partitions before a restart gets them. */
  sessionTimeoutMs: number;
  policiesPath: string;
  policies: PolicyFile;
  /** Signed webhooks for lifecycle requests (urls empty = off); the secret is read from a file, never logged. */
  webhooks: WebhookConfig;
  /** Open incidents to Alertmanager API v2 (url empty = off). */
  alertmanager: AlertmanagerConfig;
}

export interface WebhookConfig {
  urls: string[];
  secret: string;
  retry: { maxRetries: number; initialDelayMs: number; maxDelayMs: number };
  timeoutMs: number;
}

/** The webhook settings; a URL without a readable, non-empty secret file stops the service. */
export function loadWebhookConfig(v: {
  ORCHESTRATOR_WEBHOOK_URLS: string;
  ORCHESTRATOR_WEBHOOK_SECRET_FILE: string;
  ORCHESTRATOR_WEBHOOK_RETRIES: number;
  ORCHESTRATOR_WEBHOOK_RETRY_INITIAL_MS: number;
  ORCHESTRATOR_WEBHOOK_RETRY_MAX_MS: number;
  ORCHESTRATOR_WEBHOOK_TIMEOUT_MS: number;
}): WebhookConfig {
  const urls = v.ORCHESTRATOR_WEBHOOK_URLS.split(',').map((u) => u.trim()).filter((u) => u !== '');
  for (const url of urls) {
    if (!/^https?:\/\//.test(url) || !URL.canParse(url)) throw new Error(`ORCHESTRATOR_WEBHOOK_URLS: not an http(s) URL: ${url.split('?')[0]}`);
  }
  let secret = '';
  if (urls.length > 0) {
    if (v.ORCHESTRATOR_WEBHOOK_SECRET_FILE === '') throw new Error('ORCHESTRATOR_WEBHOOK_SECRET_FILE is required when ORCHESTRATOR_WEBHOOK_URLS is set');
    try {
      secret = readFileSync(v.ORCHESTRATOR_WEBHOOK_SECRET_FILE, 'utf8').trim();
    } catch (error) {
      throw new Error(`cannot read ORCHESTRATOR_WEBHOOK_SECRET_FILE=${v.ORCHESTRATOR_WEBHOOK_SECRET_FILE}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (secret === '') throw new Error(`ORCHESTRATOR_WEBHOOK_SECRET_FILE=${v.ORCHESTRATOR_WEBHOOK_SECRET_FILE} is empty`);
  }
  return {
    urls,
    secret,
    retry: { maxRetries: v.ORCHESTRATOR_WEBHOOK_RETRIES, initialDelayMs: v.ORCHESTRATOR_WEBHOOK_RETRY_INITIAL_MS, maxDelayMs: v.ORCHESTRATOR_WEBHOOK_RETRY_MAX_MS },
    timeoutMs: v.ORCHESTRATOR_WEBHOOK_TIMEOUT_MS,
  };
}

export const ORCHESTRATOR_CONFIG = Symbol('OrchestratorConfig');

export function loadPolicyFile(path: string): PolicyFile {
  if (path === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the policy file ORCHESTRATOR_POLICIES=${path}: ${(error as Error).message}`);
  }
  return parsePolicyFile(parsed, path);
}

export function loadOrchestratorConfig(env: NodeJS.ProcessEnv = process.env): OrchestratorConfig {
  const { error, value } = Joi.object(orchestratorEnvSchema).unknown(true).validate(env, { abortEarly: false });
  if (error) throw new Error(`invalid orchestrator configuration: ${error.message}`);
  const v = value as {
    HTTP_PORT: number;
    ORCHESTRATOR_GROUP_ID: string;
    ORCHESTRATOR_TRANSACTIONAL_ID: string;
    ORCHESTRATOR_POLICIES: string;
    VIGIL_TOPIC_PARTITIONS: number;
    ORCHESTRATOR_SESSION_TIMEOUT_MS: number;
  } & Parameters<typeof loadWebhookConfig>[0];
  return {
    ...loadInfrastructureConfig(env),
    httpPort: v.HTTP_PORT,
    groupId: v.ORCHESTRATOR_GROUP_ID,
    transactionalId: v.ORCHESTRATOR_TRANSACTIONAL_ID,
    topicPartitions: v.VIGIL_TOPIC_PARTITIONS,
    sessionTimeoutMs: v.ORCHESTRATOR_SESSION_TIMEOUT_MS,
    policiesPath: v.ORCHESTRATOR_POLICIES,
    policies: loadPolicyFile(v.ORCHESTRATOR_POLICIES),
    webhooks: loadWebhookConfig(v),
    alertmanager: loadAlertmanagerConfig(env),
  };
}
