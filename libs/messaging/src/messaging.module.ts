import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { DynamicModule, Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { loadInfrastructureConfig } from '@vigil/common';
import { explainKafkaFailure, explainRegistryFailure } from './connection-failure';
import { createKafka, KafkaSettings } from './kafka';
import { createSchemaRegistry, SchemaRegistrySettings } from './schema-registry';

/** Injection tokens of the messaging edge. */
export const KAFKA = Symbol('Kafka');
export const SCHEMA_REGISTRY = Symbol('SchemaRegistry');
export const MESSAGING_SETTINGS = Symbol('MessagingSettings');

export interface MessagingSettings {
  kafka: KafkaSettings;
  schemaRegistry: SchemaRegistrySettings;
}

export interface MessagingOptions {
  /** Appended to KAFKA_CLIENT_ID (`vigil-monitor`); the client id as configured when absent. */
  clientIdSuffix?: string;
}

/** Settings of both clients from the validated environment (README "Configuration"). */
export function messagingSettings(options: MessagingOptions = {}, env: NodeJS.ProcessEnv = process.env): MessagingSettings {
  const config = loadInfrastructureConfig(env);
  return {
    kafka: {
      brokers: config.kafkaBrokers,
      clientId: options.clientIdSuffix ? `${config.kafkaClientId}-${options.clientIdSuffix}` : config.kafkaClientId,
      security: config.kafkaSecurity,
    },
    schemaRegistry: config.schemaRegistry,
  };
}

/** Retries of the start-up probe: enough for a broker that is still starting, few enough to fail fast on a wrong setting. */
const PROBE_RETRIES = 3;
/** A subject no one registers: the registry answers 404 for it once the connection and credentials work. */
const PROBE_SUBJECT = 'vigil-connection-probe';

/**
 * Checks both connections once before any service uses them, so a wrong credential, an
 * unknown CA or the wrong port stops the service with one explanation (ConnectionFailureError,
 * logged by bootstrapService) instead of a retry storm and a raw stack trace.
 */
@Injectable()
export class MessagingConnectionCheck implements OnModuleInit {
  constructor(
    @Inject(MESSAGING_SETTINGS) private readonly settings: MessagingSettings,
    @Inject(SCHEMA_REGISTRY) private readonly registry: SchemaRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await verifyKafka(this.settings.kafka);
    await verifyRegistry(this.registry, this.settings.schemaRegistry);
  }
}

/** Connects an admin client (a probe client of its own: its failures are not logged as kafkajs errors) and asks for the cluster. */
export async function verifyKafka(settings: KafkaSettings): Promise<void> {
  const admin = createKafka(settings, undefined, PROBE_RETRIES).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    throw explainKafkaFailure(error, settings);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function verifyRegistry(registry: SchemaRegistry, settings: SchemaRegistrySettings): Promise<void> {
  try {
    await registry.getLatestSchemaId(PROBE_SUBJECT);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return;
    throw explainRegistryFailure(error, settings.url, settings.user);
  }
}

/**
 * The one place services get their Kafka client and schema registry client: provided
 * through DI from one validated configuration, checked at start.
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions = {}): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: MESSAGING_SETTINGS, useFactory: () => messagingSettings(options) },
        { provide: KAFKA, inject: [MESSAGING_SETTINGS], useFactory: (settings: MessagingSettings) => createKafka(settings.kafka, new Logger('Kafka')) },
        { provide: SCHEMA_REGISTRY, inject: [MESSAGING_SETTINGS], useFactory: (settings: MessagingSettings) => createSchemaRegistry(settings.schemaRegistry) },
        MessagingConnectionCheck,
      ],
      exports: [KAFKA, SCHEMA_REGISTRY, MESSAGING_SETTINGS],
    };
  }
}
