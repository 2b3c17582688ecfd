import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { apiAuthEnvShape } from './auth/api-tokens.config';
import { env, parseEnv } from './validation/env-schema';

const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type KafkaSecurityProtocol = (typeof KAFKA_SECURITY_PROTOCOLS)[number];
const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;

/** Connection security (Kafka SASL/TLS, registry and ClickHouse over HTTPS); docs/security.md. */
const connectionSecurityEnvShape = {
  KAFKA_SECURITY_PROTOCOL: env.oneOf(KAFKA_SECURITY_PROTOCOLS, 'PLAINTEXT'),
  KAFKA_SASL_MECHANISM: env.oneOfOrEmpty(KAFKA_SASL_MECHANISMS),
  KAFKA_SASL_USERNAME: env.optionalText(),
  KAFKA_SASL_PASSWORD: env.optionalText(),
  KAFKA_SSL_CA_FILE: env.optionalText(),
  KAFKA_SSL_CERT_FILE: env.optionalText(),
  KAFKA_SSL_KEY_FILE: env.optionalText(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: env.bool(true),
  SCHEMA_REGISTRY_CA_FILE: env.optionalText(),
  CLICKHOUSE_CA_FILE: env.optionalText(),
};

/**
 * Environment variables every Vigil service reads, with their documented defaults
 * (README "Configuration"). Services extend this shape with their own keys.
 */
const infrastructureEnvShape = {
  KAFKA_BROKERS: env.text('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: env.text('vigil'),
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081/apis/ccompat/v7'),
  SCHEMA_REGISTRY_USER: env.optionalText(),
  SCHEMA_REGISTRY_PASSWORD: env.optionalText(),
  CLICKHOUSE_URL: env.url('http://127.0.0.1:8123'),
  CLICKHOUSE_USER: env.text('default'),
  CLICKHOUSE_PASSWORD: env.optionalText(),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default('vigil'),
  // Empty: one server. A name from the servers' remote_servers: replicated tables behind
  // Distributed ones (docs/scaling.md).
  CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^([A-Za-z_][A-Za-z0-9_]*)?$/, 'a ClickHouse cluster name (letters, digits, _) or empty')
    .default(''),
  ...connectionSecurityEnvShape,
  VIGIL_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/)
    .default('vigil.'),
  HTTP_HOST: env.text('127.0.0.1'),
  LOG_LEVEL: env.oneOf(LOG_LEVELS, 'log'),
  ...apiAuthEnvShape,
};

const infrastructureEnvSchema = z.object(infrastructureEnvShape);
type InfrastructureEnv = z.output<typeof infrastructureEnvSchema>;

export interface InfrastructureConfig {
  kafkaBrokers: string[];
  kafkaClientId: string;
  kafkaSecurity: KafkaSecurity;
  schemaRegistry: { url: string; user: string; password: string; ca?: Buffer };
  clickhouse: { url: string; user: string; password: string; database: string; ca?: Buffer; cluster?: string };
  /** Prefix of every topic name (see the topic map in @vigil/contracts). */
  topicPrefix: string;
}

/** Validates `env` against the shared schema and returns the typed infrastructure settings. */
export function loadInfrastructureConfig(environment: NodeJS.ProcessEnv = process.env): InfrastructureConfig {
  const v = parseEnv(infrastructureEnvSchema, environment, 'invalid configuration');
  const security = connectionSecurity(v);
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
      ...(v.CLICKHOUSE_CLUSTER && { cluster: v.CLICKHOUSE_CLUSTER }),
    },
    topicPrefix: v.VIGIL_TOPIC_PREFIX,
  };
}

/** How a Kafka client authenticates and encrypts, as kafkajs needs it (file contents already read). */
export interface KafkaSecurity {
  protocol: KafkaSecurityProtocol;
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  /** Present for SSL and SASL_SSL; without `ca` the system trust store applies. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean };
}

/** The string-valued variables the security checks read. */
type SecurityTextKey = { [K in keyof InfrastructureEnv]: InfrastructureEnv[K] extends string ? K : never }[keyof InfrastructureEnv];

/**
 * Checks that the security variables fit together (a setting the chosen protocol would
 * ignore is a mistake, not a default) and reads the certificate files, so a wrong path
 * stops the service at start with the variable named.
 */
function connectionSecurity(v: InfrastructureEnv): {
  kafka: KafkaSecurity;
  schemaRegistryCa?: Buffer;
  clickhouseCa?: Buffer;
} {
  const text = (key: SecurityTextKey) => v[key];
  const problems: string[] = [];
  const protocol = v.KAFKA_SECURITY_PROTOCOL;
  const usesSasl = protocol.startsWith('SASL_');
  const usesTls = protocol.endsWith('SSL');
  for (const key of ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
    if (usesSasl && !text(key)) problems.push(`${key} is required with KAFKA_SECURITY_PROTOCOL=${protocol}`);
    if (!usesSasl && text(key)) problems.push(`${key} is set but KAFKA_SECURITY_PROTOCOL=${protocol} does not use SASL`);
  }
  for (const key of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const) {
    if (!usesTls && text(key)) problems.push(`${key} is set but KAFKA_SECURITY_PROTOCOL=${protocol} does not use TLS`);
  }
  if (Boolean(text('KAFKA_SSL_CERT_FILE')) !== Boolean(text('KAFKA_SSL_KEY_FILE'))) {
    problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (a client certificate needs its key)');
  }
  const httpsOnly = (fileKey: SecurityTextKey, urlKey: SecurityTextKey) => {
    if (text(fileKey) && !text(urlKey).startsWith('https://')) problems.push(`${fileKey} is set but ${urlKey} is not an https:// URL`);
  };
  httpsOnly('SCHEMA_REGISTRY_CA_FILE', 'SCHEMA_REGISTRY_URL');
  httpsOnly('CLICKHOUSE_CA_FILE', 'CLICKHOUSE_URL');
  const read = (key: SecurityTextKey): Buffer | undefined => {
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
      mechanism: v.KAFKA_SASL_MECHANISM as KafkaSaslMechanism,
      username: text('KAFKA_SASL_USERNAME'),
      password: text('KAFKA_SASL_PASSWORD'),
    };
  }
  if (usesTls) {
    kafka.tls = { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }), rejectUnauthorized: v.KAFKA_SSL_REJECT_UNAUTHORIZED };
  }
  return { kafka, schemaRegistryCa, clickhouseCa };
}
