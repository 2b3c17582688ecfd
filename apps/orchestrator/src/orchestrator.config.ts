import { InfrastructureConfig, infrastructureEnvSchema, loadInfrastructureConfig } from '@vigil/common';
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
  ORCHESTRATOR_FAULT: Joi.string().valid('', 'exit-after-persist', 'exit-after-produce').default(''),
};

export const orchestratorEnvValidation = Joi.object({ ...infrastructureEnvSchema, ...orchestratorEnvSchema });

export interface OrchestratorConfig extends InfrastructureConfig {
  httpPort: number;
  groupId: string;
  transactionalId: string;
  topicPartitions: number;
  /** Consumer session timeout: how long a dead instance keeps its partitions before a restart gets them. */
  sessionTimeoutMs: number;
  policiesPath: string;
  policies: PolicyFile;
  /**
   * Test-only crash injection: exit right after persisting a batch that opened an incident
   * (request not yet on Kafka), or right after the transaction carrying a request committed
   * (not yet marked produced).
   */
  fault: OrchestratorFault;
}

export type OrchestratorFault = '' | 'exit-after-persist' | 'exit-after-produce';

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
    ORCHESTRATOR_FAULT: OrchestratorFault;
  };
  return {
    ...loadInfrastructureConfig(env),
    httpPort: v.HTTP_PORT,
    groupId: v.ORCHESTRATOR_GROUP_ID,
    transactionalId: v.ORCHESTRATOR_TRANSACTIONAL_ID,
    topicPartitions: v.VIGIL_TOPIC_PARTITIONS,
    sessionTimeoutMs: v.ORCHESTRATOR_SESSION_TIMEOUT_MS,
    policiesPath: v.ORCHESTRATOR_POLICIES,
    policies: loadPolicyFile(v.ORCHESTRATOR_POLICIES),
    fault: v.ORCHESTRATOR_FAULT,
  };
}
