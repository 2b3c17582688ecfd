import type { InfrastructureConfig } from '@vigil/common';
import { VigilClient } from '@vigil/sdk';
import { Kafka } from 'kafkajs';

/** The SDK client for the validated infrastructure settings (simulator and demo). */
export function connectVigil(config: InfrastructureConfig, kafka: Kafka): Promise<VigilClient> {
  return VigilClient.connect({
    brokers: config.kafkaBrokers,
    schemaRegistryUrl: config.schemaRegistry.url,
    schemaRegistryUser: config.schemaRegistry.user || undefined,
    schemaRegistryPassword: config.schemaRegistry.password || undefined,
    schemaRegistryCa: config.schemaRegistry.ca,
    security: config.kafkaSecurity,
    topicPrefix: config.topicPrefix,
    kafka,
  });
}
