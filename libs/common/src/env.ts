import Joi from 'joi';
import { readFileSync } from 'node:fs';
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
  ...connectionSecurityEnvSchema(),
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
  kafkaSecurity: KafkaSecurity;
  schemaRegistry: { url: string; user: string; password: string; ca?: Buffer };
  clickhouse: { url: string; user: string; password: string; database: string; ca?: Buffer };
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
  const security = connectionSecurity(value as Record<string, string | boolean>);
  return {
    kafkaBrokers: v.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    kafkaClientId: v.KAFKA_CLIENT_ID,
    kafkaSecurity: security.kafka,
    schemaRegistry: {
      url: v.SCHEMA_REGISTRY_URL,
      user: v.SCHEMA_REGISTRY_USER,
      password: v.SCHEMA_REGISTRY_PASSWORD,
      ...(security.schemaRegistryCa && { ca: security.schemaRegistryCa }),
    },
    clickhouse: {
      url: v.CLICKHOUSE_URL,
      user: v.CLICKHOUSE_USER,
      password: v.CLICKHOUSE_PASSWORD,
      database: v.CLICKHOUSE_DATABASE,
      ...(security.clickhouseCa && { ca: security.clickhouseCa }),
    },
    topicPrefix: v.VIGIL_TOPIC_PREFIX,
  };
}

// ---- Connection security (Kafka SASL/TLS, registry and ClickHouse over HTTPS); docs/security.md ----

export type KafkaSecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** How a Kafka client authenticates and encrypts, as kafkajs needs it (file contents already read). */
export interface KafkaSecurity {
  protocol: KafkaSecurityProtocol;
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  /** Present for SSL and SASL_SSL; without `ca` the system trust store applies. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean };
}

function connectionSecurityEnvSchema() {
  return {
    KAFKA_SECURITY_PROTOCOL: Joi.string().valid('PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL').default('PLAINTEXT'),
    KAFKA_SASL_MECHANISM: Joi.string().valid('plain', 'scram-sha-256', 'scram-sha-512').allow('').default(''),
    KAFKA_SASL_USERNAME: Joi.string().allow('').default(''),
    KAFKA_SASL_PASSWORD: Joi.string().allow('').default(''),
    KAFKA_SSL_CA_FILE: Joi.string().allow('').default(''),
    KAFKA_SSL_CERT_FILE: Joi.string().allow('').default(''),
    KAFKA_SSL_KEY_FILE: Joi.string().allow('').default(''),
    KAFKA_SSL_REJECT_UNAUTHORIZED: Joi.boolean().default(true),
    SCHEMA_REGISTRY_CA_FILE: Joi.string().allow('').default(''),
    CLICKHOUSE_CA_FILE: Joi.string().allow('').default(''),
  };
}

/**
 * Checks that the security variables fit together (a setting the chosen protocol would
 * ignore is a mistake, not a default) and reads the certificate files, so a wrong path
 * stops the service at start with the variable named.
 */
function connectionSecurity(v: Record<string, string | boolean>): {
  kafka: KafkaSecurity;
  schemaRegistryCa?: Buffer;
  clickhouseCa?: Buffer;
} {
  const text = (key: string) => String(v[key] ?? '');
  const problems: string[] = [];
  const protocol = text('KAFKA_SECURITY_PROTOCOL') as KafkaSecurityProtocol;
  const usesSasl = protocol.startsWith('SASL_');
  const usesTls = protocol.endsWith('SSL');
  for (const key of ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) {
    if (usesSasl && !text(key)) problems.push(`${key} is required with KAFKA_SECURITY_PROTOCOL=${protocol}`);
    if (!usesSasl && text(key)) problems.push(`${key} is set but KAFKA_SECURITY_PROTOCOL=${protocol} does not use SASL`);
  }
  for (const key of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE']) {
    if (!usesTls && text(key)) problems.push(`${key} is set but KAFKA_SECURITY_PROTOCOL=${protocol} does not use TLS`);
  }
  if (Boolean(text('KAFKA_SSL_CERT_FILE')) !== Boolean(text('KAFKA_SSL_KEY_FILE'))) {
    problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (a client certificate needs its key)');
  }
  const httpsOnly = (fileKey: string, urlKey: string) => {
    if (text(fileKey) && !text(urlKey).startsWith('https://')) problems.push(`${fileKey} is set but ${urlKey} is not an https:// URL`);
  };
  httpsOnly('SCHEMA_REGISTRY_CA_FILE', 'SCHEMA_REGISTRY_URL');
  httpsOnly('CLICKHOUSE_CA_FILE', 'CLICKHOUSE_URL');
  const read = (key: string): Buffer | undefined => {
    if (!text(key)) return undefined;
    try {
      return readFileSync(text(key));
    } catch (error) {
      problems.push(`${key}: cannot read ${text(key)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return undefined;
    }
  };
  const ca = read('KAFKA_SSL_CA_FILE');
  const cert = read('KAFKA_SSL_CERT_FILE');
  const key = read('KAFKA_SSL_KEY_FILE');
  const schemaRegistryCa = read('SCHEMA_REGISTRY_CA_FILE');
  const clickhouseCa = read('CLICKHOUSE_CA_FILE');
  if (problems.length > 0) throw new Error(`invalid configuration: ${problems.join('; ')}`);
  const kafka: KafkaSecurity = { protocol };
  if (usesSasl) {
    kafka.sasl = {
      mechanism: text('KAFKA_SASL_MECHANISM') as KafkaSaslMechanism,
      username: text('KAFKA_SASL_USERNAME'),
      password: text('KAFKA_SASL_PASSWORD'),
    };
  }
  if (usesTls) {
    kafka.tls = { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }), rejectUnauthorized: v.KAFKA_SSL_REJECT_UNAUTHORIZED !== false };
  }
  return { kafka, schemaRegistryCa, clickhouseCa };
}
