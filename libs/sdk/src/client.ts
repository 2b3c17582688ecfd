import { LoggerService } from '@nestjs/common';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { KafkaSecurity } from '@vigil/common';
import { EVENT_STREAMS, loadSchema, TopicMap, topicMap, valueSubject } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, registerContracts } from '@vigil/messaging';
import { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Batcher, BatchOptions, DEFAULT_BATCH_OPTIONS } from './batcher';
import {
  buildLabel,
  buildModelDeployed,
  buildPrediction,
  buildRetrainCompleted,
  EventDefaults,
  LabelInput,
  ModelDeployedInput,
  PredictionInput,
  RetrainCompletedInput,
} from './events';
import { FramedEncoder } from './framing';

/** The streams a producing service writes; the rest belong to Vigil's own services. */
export const SDK_STREAMS = ['predictions', 'labels', 'modelDeployed', 'retrainCompleted'] as const;
export type SdkStream = (typeof SDK_STREAMS)[number];

export interface VigilClientOptions {
  brokers: string[];
  schemaRegistryUrl: string;
  schemaRegistryUser?: string;
  schemaRegistryPassword?: string;
  /** PEM CA bundle that signed an https registry's certificate. */
  schemaRegistryCa?: Buffer;
  /** SASL and TLS for Kafka, as the services take them (docs/security.md); PLAINTEXT when absent. */
  security?: KafkaSecurity;
  /** Prefix of every topic name; defaults to `vigil.` like the services. */
  topicPrefix?: string;
  clientId?: string;
  /**
   * true (default): register the contracts on connect (a no-op when unchanged).
   * false: only look up the ids of the SDK's schemas, for services whose registry
   * credentials may read but not write.
   */
  registerSchemas?: boolean;
  batch?: Partial<BatchOptions>;
  /** Flush and close on these signals (true = SIGTERM and SIGINT) before the process exits. */
  flushOnSignals?: boolean | NodeJS.Signals[];
  logger?: LoggerService;
  /** An existing kafkajs client to share instead of creating one. */
  kafka?: Kafka;
}

export interface OutgoingRecord {
  topic: string;
  key: string;
  value: Buffer;
}

/** Where batches go; the Kafka one in production, an in-memory one in unit tests. */
export interface EventTransport {
  send(records: OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}

export type StreamEncoders = Record<SdkStream, { topic: string; encoder: FramedEncoder }>;

/** Sends each batch as one produce request, grouped by topic, acknowledged by all in-sync replicas. */
export class KafkaTransport implements EventTransport {
  constructor(private readonly producer: Producer) {}

  static async connect(kafka: Kafka): Promise<KafkaTransport> {
    // kafkajs allows idempotence only with one request in flight; it then retries
    // without duplicating or reordering records on a partition.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    return new KafkaTransport(producer);
  }

  async send(records: OutgoingRecord[]): Promise<void> {
    const byTopic = new Map<string, { key: string; value: Buffer }[]>();
    for (const { topic, key, value } of records) {
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key, value });
      byTopic.set(topic, messages);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** Schema ids of the SDK's streams: registered now, or looked up when `register` is false. */
export async function resolveSchemaIds(registry: SchemaRegistry, topics: TopicMap, register: boolean): Promise<Record<SdkStream, number>> {
  if (register) return registerContracts(registry, topics);
  const ids = {} as Record<SdkStream, number>;
  for (const stream of SDK_STREAMS) {
    const schema = loadSchema(EVENT_STREAMS[stream].schema);
    ids[stream] = await registry.getRegistryIdBySchema(valueSubject(topics[stream]), {
      type: SchemaType.AVRO,
      schema: JSON.stringify(schema),
    });
  }
  return ids;
}

export function streamEncoders(topics: TopicMap, ids: Record<SdkStream, number>): StreamEncoders {
  const entry = (stream: SdkStream) => ({
    topic: topics[stream],
    encoder: new FramedEncoder(loadSchema(EVENT_STREAMS[stream].schema), ids[stream]),
  });
  return {
    predictions: entry('predictions'),
    labels: entry('labels'),
    modelDeployed: entry('modelDeployed'),
    retrainCompleted: entry('retrainCompleted'),
  };
}

export class ClientClosedError extends Error {
  constructor() {
    super('the Vigil client is closed');
  }
}

/**
 * What a production service uses to report predictions, labels and lifecycle events.
 * Every record is checked against the contract before it is queued (a bad one is
 * refused with the field named and nothing is sent), then batched, keyed by model id,
 * and sent by an idempotent producer. Each `record*` resolves with the event id once
 * the broker acknowledged the batch holding it.
 */
export class VigilClient {
  private readonly batcher: Batcher<OutgoingRecord>;
  private closing: Promise<void> | undefined;
  private readonly signalHandlers: [NodeJS.Signals, () => void][] = [];

  constructor(
    private readonly transport: EventTransport,
    private readonly encoders: StreamEncoders,
    batch: Partial<BatchOptions> = {},
    private readonly defaults: EventDefaults = { now: () => new Date(), newId: randomUUID },
  ) {
    this.batcher = new Batcher((records) => this.transport.send(records), { ...DEFAULT_BATCH_OPTIONS, ...batch });
  }

  static async connect(options: VigilClientOptions): Promise<VigilClient> {
    const topics = topicMap(options.topicPrefix ?? 'vigil.');
    const registry = createSchemaRegistry({
      url: options.schemaRegistryUrl,
      user: options.schemaRegistryUser,
      password: options.schemaRegistryPassword,
      ca: options.schemaRegistryCa,
    });
    const ids = await resolveSchemaIds(registry, topics, options.registerSchemas ?? true);
    const kafka = options.kafka ?? createKafka({ brokers: options.brokers, clientId: options.clientId ?? 'vigil-sdk', security: options.security }, options.logger);
    const client = new VigilClient(await KafkaTransport.connect(kafka), streamEncoders(topics, ids), options.batch);
    if (options.flushOnSignals) {
      client.closeOnSignals(options.flushOnSignals === true ? ['SIGTERM', 'SIGINT'] : options.flushOnSignals);
    }
    return client;
  }

  /** The topics this client writes to. */
  get topics(): Record<SdkStream, string> {
    return {
      predictions: this.encoders.predictions.topic,
      labels: this.encoders.labels.topic,
      modelDeployed: this.encoders.modelDeployed.topic,
      retrainCompleted: this.encoders.retrainCompleted.topic,
    };
  }

  /** Records buffered or in flight. */
  get pending(): number {
    return this.batcher.pending;
  }

  async recordPrediction(input: PredictionInput): Promise<string> {
    const event = buildPrediction(input, this.defaults);
    await this.enqueue('predictions', event.modelId, event);
    return event.eventId;
  }

  async recordLabel(input: LabelInput): Promise<string> {
    const event = buildLabel(input, this.defaults);
    await this.enqueue('labels', event.modelId, event);
    return event.eventId;
  }

  async recordModelDeployed(input: ModelDeployedInput): Promise<string> {
    const event = buildModelDeployed(input, this.defaults);
    await this.enqueue('modelDeployed', event.modelId, event);
    return event.eventId;
  }

  async recordRetrainCompleted(input: RetrainCompletedInput): Promise<string> {
    const event = buildRetrainCompleted(input, this.defaults);
    await this.enqueue('retrainCompleted', event.modelId, event);
    return event.eventId;
  }

  /** Sends everything recorded so far; rejects if a batch failed. */
  flush(): Promise<void> {
    return this.batcher.flush();
  }

  /** Flushes, then disconnects; later `record*` calls reject with ClientClosedError. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private enqueue(stream: SdkStream, modelId: string, event: object): Promise<void> {
    if (this.closing) throw new ClientClosedError();
    const { topic, encoder } = this.encoders[stream];
    return this.batcher.add({ topic, key: modelId, value: encoder.encode(event) });
  }

  private async shutDown(): Promise<void> {
    for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
    try {
      await this.batcher.flush();
    } finally {
      await this.transport.close();
    }
  }

  private closeOnSignals(signals: NodeJS.Signals[]): void {
    for (const signal of signals) {
      const handler = () => {
        void this.close().finally(() => {
          // Our listener kept the process alive; without other listeners, exit as the signal meant.
          if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
        });
      };
      process.once(signal, handler);
      this.signalHandlers.push([signal, handler]);
    }
  }
}
