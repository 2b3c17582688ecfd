import Joi from 'joi';
import { apiAuthEnvSchema } from './auth/api-tokens.config';

/**
 * Environment variables every Vigil service reads, with their documented defaults
 * (README "Configuration"). Services extend this schema with their own keys.
 */
export const infrastructureEnvSchema = {
  KAFKA_BROKERS: Joi.string().default('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: Joi.string().default('vigil'),
  SCHEMA_REGISTRY_URL: Joi.string().uri().default('http://127.0.0.1:8081/apis/ccompat/v7'),
  SCHEMA_REGISTRY_USER: Joi.string().allow('').default(''),
  SCHEMA_REGISTRY_PASSWORD: Joi.string().allow('').default(''),
  CLICKHOUSE_URL: Joi.string().uri().default('http://127.0.0.1:8123'),
  CLICKHOUSE_USER: Joi.string().default('default'),
  CLICKHOUSE_PASSWORD: Joi.string().allow('').default(''),
  CLICKHOUSE_DATABASE: Joi.string()
    .pattern(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default('vigil'),
  VIGIL_TOPIC_PREFIX: Joi.string()
    .pattern(/^[A-Za-z0-9._-]*$/)
    .allow('')
    .default('vigil.'),
  HTTP_HOST: Joi.string().default('127.0.0.1'),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'log', 'debug', 'verbose').default('log'),
  ...apiAuthEnvSchema,
};

export interface InfrastructureConfig {
  kafkaBrokers: string[];
  kafkaClientId: string;
  schemaRegistry: { url: string; user: string; password: string };
  clickhouse: { url: string; user: string; password: string; database: string };
  /** Prefix of every topic name (see the topic map in @vigil/contracts). */
  topicPrefix: string;
}

/** Validates `env` against the shared schema and returns the typed infrastructure settings. */
export function loadInfrastructureConfig(env: NodeJS.ProcessEnv = process.env): InfrastructureConfig {
  const { error, value } = Joi.object(infrastructureEnvSchema)
    .unknown(true)
    .validate(env, { abortEarly: false });
  if (error) {
    throw new Error(`invalid configuration: ${error.message}`);
  }
  const v = value as Record<string, string>;
  return {
    kafkaBrokers: v.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    kafkaClientId: v.KAFKA_CLIENT_ID,
    schemaRegistry: { url: v.SCHEMA_REGISTRY_URL, user: v.SCHEMA_REGISTRY_USER, password: v.SCHEMA_REGISTRY_PASSWORD },
    clickhouse: {
      url: v.CLICKHOUSE_URL,
      user: v.CLICKHOUSE_USER,
      password: v.CLICKHOUSE_PASSWORD,
      database: v.CLICKHOUSE_DATABASE,
    },
    topicPrefix: v.VIGIL_TOPIC_PREFIX,
  };
}
