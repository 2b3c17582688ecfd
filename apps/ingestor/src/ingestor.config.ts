import { env, InfrastructureConfig, loadInfrastructureConfig, parseEnv } from '@vigil/common';
import { z } from 'zod';

/** The ingestor's own environment variables (defaults documented in docs/ingest.md), read into its settings. */
const ingestorEnvSchema = z
  .object({
    HTTP_PORT: env.port(3001),
    INGESTOR_GROUP_ID: env.text('vigil-ingestor'),
    VIGIL_TOPIC_PARTITIONS: env.int(6, { min: 1 }),
    INGEST_BATCH_MAX_ROWS: env.int(50_000, { min: 1 }),
    INGEST_BATCH_LINGER_MS: env.int(200, { min: 0 }),
    INGEST_FETCH_MAX_BYTES_PER_PARTITION: env.int(4 * 1024 * 1024, { min: 1024 }),
    INGEST_FETCH_MAX_BYTES: env.int(32 * 1024 * 1024, { min: 1024 }),
    INGEST_PARTITIONS_CONCURRENCY: env.int(6, { min: 1 }),
    INGEST_RETRY_INITIAL_MS: env.int(500, { min: 1 }),
    INGEST_RETRY_MAX_MS: env.int(10_000, { min: 1 }),
    INGEST_DIRECT_DECODER: env.bool(true),
  })
  .transform((v) => ({
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
    /** Contract-schema predictions through prediction-decoder.ts (same rows, less CPU); false: all through the reference path. */
    directDecoder: v.INGEST_DIRECT_DECODER,
  }));

export type IngestorConfig = InfrastructureConfig & z.output<typeof ingestorEnvSchema>;

export const INGESTOR_CONFIG = Symbol('IngestorConfig');

export function loadIngestorConfig(environment: NodeJS.ProcessEnv = process.env): IngestorConfig {
  return { ...loadInfrastructureConfig(environment), ...parseEnv(ingestorEnvSchema, environment, 'invalid ingestor configuration') };
}
