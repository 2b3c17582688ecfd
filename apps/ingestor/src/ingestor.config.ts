import { InfrastructureConfig, infrastructureEnvSchema, loadInfrastructureConfig } from '@vigil/common';
import Joi from 'joi';

/** The ingestor's own environment variables, with the defaults documented in docs/ingest.md. */
export const ingestorEnvSchema = {
  HTTP_PORT: Joi.number().port().default(3001),
  INGESTOR_GROUP_ID: Joi.string().default('vigil-ingestor'),
  VIGIL_TOPIC_PARTITIONS: Joi.number().integer().min(1).default(6),
  INGEST_BATCH_MAX_ROWS: Joi.number().integer().min(1).default(50_000),
  INGEST_BATCH_LINGER_MS: Joi.number().integer().min(0).default(200),
  INGEST_FETCH_MAX_BYTES_PER_PARTITION: Joi.number().integer().min(1024).default(4 * 1024 * 1024),
  INGEST_FETCH_MAX_BYTES: Joi.number().integer().min(1024).default(32 * 1024 * 1024),
  INGEST_PARTITIONS_CONCURRENCY: Joi.number().integer().min(1).default(6),
  INGEST_RETRY_INITIAL_MS: Joi.number().integer().min(1).default(500),
  INGEST_RETRY_MAX_MS: Joi.number().integer().min(1).default(10_000),
  INGEST_DIRECT_DECODER: Joi.boolean().default(true),
};

export const ingestorEnvValidation = Joi.object({ ...infrastructureEnvSchema, ...ingestorEnvSchema });

export interface IngestorConfig extends InfrastructureConfig {
  httpPort: number;
  groupId: string;
  topicPartitions: number;
  batch: { maxRows: number; lingerMs: number };
  fetch: { maxBytesPerPartition: number; maxBytes: number; partitionsConcurrency: number };
  retry: { initialMs: number; maxMs: number };
  /** Contract-schema predictions through prediction-decoder.ts (same rows, less CPU); false: all through the reference path. */
  directDecoder: boolean;
}

export const INGESTOR_CONFIG = Symbol('IngestorConfig');

export function loadIngestorConfig(env: NodeJS.ProcessEnv = process.env): IngestorConfig {
  const { error, value } = Joi.object(ingestorEnvSchema).unknown(true).validate(env, { abortEarly: false });
  if (error) throw new Error(`invalid ingestor configuration: ${error.message}`);
  const v = value as Record<Exclude<keyof typeof ingestorEnvSchema, 'INGEST_DIRECT_DECODER'>, number> & { INGESTOR_GROUP_ID: string; INGEST_DIRECT_DECODER: boolean };
  return {
    ...loadInfrastructureConfig(env),
    httpPort: v.HTTP_PORT,
    groupId: v.INGESTOR_GROUP_ID,
    topicPartitions: v.VIGIL_TOPIC_PARTITIONS,
    batch: { maxRows: v.INGEST_BATCH_MAX_ROWS, lingerMs: v.INGEST_BATCH_LINGER_MS },
    fetch: {
      maxBytesPerPartition: v.INGEST_FETCH_MAX_BYTES_PER_PARTITION,
      maxBytes: v.INGEST_FETCH_MAX_BYTES,
      partitionsConcurrency: v.INGEST_PARTITIONS_CONCURRENCY,
    },
    retry: { initialMs: v.INGEST_RETRY_INITIAL_MS, maxMs: v.INGEST_RETRY_MAX_MS },
    directDecoder: v.INGEST_DIRECT_DECODER,
  };
}
