import { AlertmanagerConfig, env, InfrastructureConfig, loadAlertmanagerConfig, loadInfrastructureConfig, parseEnv } from '@vigil/common';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { parsePolicyFile, PolicyFile } from './core';

/** The orchestrator's own environment variables, with the defaults documented in docs/orchestrator.md. */
const orchestratorEnvSchema = z
  .object({
    HTTP_PORT: env.port(3003),
    ORCHESTRATOR_GROUP_ID: env.text('vigil-orchestrator'),
    ORCHESTRATOR_TRANSACTIONAL_ID: env.text('vigil-orchestrator'),
    ORCHESTRATOR_POLICIES: env.optionalText(),
    VIGIL_TOPIC_PARTITIONS: env.int(6, { min: 1 }),
    ORCHESTRATOR_SESSION_TIMEOUT_MS: env.int(30_000, { min: 6000 }),
    ORCHESTRATOR_PARTITIONS_CONCURRENCY: env.int(6, { min: 1 }),
    ORCHESTRATOR_WEBHOOK_URLS: env.optionalText(),
    ORCHESTRATOR_WEBHOOK_SECRET_FILE: env.optionalText(),
    ORCHESTRATOR_WEBHOOK_RETRIES: env.int(6, { min: 0 }),
    ORCHESTRATOR_WEBHOOK_RETRY_INITIAL_MS: env.int(1_000, { min: 1 }),
    ORCHESTRATOR_WEBHOOK_RETRY_MAX_MS: env.int(60_000, { min: 1 }),
    ORCHESTRATOR_WEBHOOK_TIMEOUT_MS: env.int(10_000, { min: 100 }),
  })
  .check((ctx) => {
    const v = ctx.value;
    if (v.ORCHESTRATOR_WEBHOOK_RETRY_MAX_MS < v.ORCHESTRATOR_WEBHOOK_RETRY_INITIAL_MS) {
      ctx.issues.push({
        code: 'custom',
        input: v.ORCHESTRATOR_WEBHOOK_RETRY_MAX_MS,
        path: ['ORCHESTRATOR_WEBHOOK_RETRY_MAX_MS'],
        message: 'must be greater than or equal to ORCHESTRATOR_WEBHOOK_RETRY_INITIAL_MS',
      });
    }
  });
type OrchestratorEnv = z.output<typeof orchestratorEnvSchema>;

/** What the variables give directly; the policy file and the webhook secret are read by loadOrchestratorConfig. */
function settingsOf(v: OrchestratorEnv) {
  return {
    httpPort: v.HTTP_PORT,
    /** How this instance names itself to the other instances (a standby's 503 names the active): `<hostname>:<HTTP port>`. */
    instance: `${hostname()}:${v.HTTP_PORT}`,
    groupId: v.ORCHESTRATOR_GROUP_ID,
    transactionalId: v.ORCHESTRATOR_TRANSACTIONAL_ID,
    topicPartitions: v.VIGIL_TOPIC_PARTITIONS,
    /** Consumer session timeout: how long a dead instance keeps its partitions before a restart gets them. */
    sessionTimeoutMs: v.ORCHESTRATOR_SESSION_TIMEOUT_MS,
    /** Partition batches handled at once (kafkajs `partitionsConsumedConcurrently`): the ones that wait for a persist are saved together. */
    partitionsConcurrency: v.ORCHESTRATOR_PARTITIONS_CONCURRENCY,
    policiesPath: v.ORCHESTRATOR_POLICIES,
  };
}

export type OrchestratorConfig = InfrastructureConfig &
  ReturnType<typeof settingsOf> & {
    policies: PolicyFile;
    /** Signed webhooks for lifecycle requests (urls empty = off); the secret is read from a file, never logged. */
    webhooks: WebhookConfig;
    /** Open incidents to Alertmanager API v2 (url empty = off). */
    alertmanager: AlertmanagerConfig;
  };

export interface WebhookConfig {
  urls: string[];
  secret: string;
  retry: { maxRetries: number; initialDelayMs: number; maxDelayMs: number };
  timeoutMs: number;
}

/** The webhook settings; a URL without a readable, non-empty secret file stops the service. */
export function loadWebhookConfig(
  v: Pick<
    OrchestratorEnv,
    | 'ORCHESTRATOR_WEBHOOK_URLS'
    | 'ORCHESTRATOR_WEBHOOK_SECRET_FILE'
    | 'ORCHESTRATOR_WEBHOOK_RETRIES'
    | 'ORCHESTRATOR_WEBHOOK_RETRY_INITIAL_MS'
    | 'ORCHESTRATOR_WEBHOOK_RETRY_MAX_MS'
    | 'ORCHESTRATOR_WEBHOOK_TIMEOUT_MS'
  >,
): WebhookConfig {
  const urls = v.ORCHESTRATOR_WEBHOOK_URLS.split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
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

export function loadOrchestratorConfig(environment: NodeJS.ProcessEnv = process.env): OrchestratorConfig {
  const v = parseEnv(orchestratorEnvSchema, environment, 'invalid orchestrator configuration');
  return {
    ...loadInfrastructureConfig(environment),
    ...settingsOf(v),
    policies: loadPolicyFile(v.ORCHESTRATOR_POLICIES),
    webhooks: loadWebhookConfig(v),
    alertmanager: loadAlertmanagerConfig(environment),
  };
}
