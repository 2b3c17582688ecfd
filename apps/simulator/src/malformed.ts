import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { EVENT_STREAMS, loadSchema, PredictionEvent, TopicMap } from '@vigil/contracts';
import { FramedEncoder, PredictionInput, resolveSchemaIds } from '@vigil/sdk';
import { Kafka, Producer } from 'kafkajs';
import { MalformedSink } from './simulation';
import { MalformedKind } from './traffic';

/**
 * A schema id no registry hands out (Apicurio and Confluent count up from 1), so the
 * ingestor's lookup answers 404 and the record must be dead-lettered as unknown-schema.
 */
export const UNKNOWN_SCHEMA_ID = 2_000_000_000;

/** The bytes of one malformed record standing in for `prediction`. */
export function malformedBytes(kind: MalformedKind, prediction: PredictionEvent, encoder: FramedEncoder): Buffer {
  switch (kind) {
    case 'garbage-bytes':
      // No magic byte 0: not Confluent-framed at all.
      return Buffer.from(`\xff garbage for ${prediction.eventId}`, 'latin1');
    case 'unknown-schema': {
      const framed = encoder.encode(prediction);
      framed.writeInt32BE(UNKNOWN_SCHEMA_ID, 1);
      return framed;
    }
    case 'nan-latency':
      // Valid Avro under the real schema id (a double may hold NaN); only the domain rules refuse it.
      return encoder.encode({ ...prediction, latencyMs: Number.NaN });
  }
}

/** Writes malformed records straight to the predictions topic, bypassing the SDK's checks. */
export class KafkaMalformedSink implements MalformedSink {
  private constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly encoder: FramedEncoder,
  ) {}

  static async connect(kafka: Kafka, registry: SchemaRegistry, topics: TopicMap): Promise<KafkaMalformedSink> {
    const ids = await resolveSchemaIds(registry, topics, false);
    const encoder = new FramedEncoder(loadSchema(EVENT_STREAMS.predictions.schema), ids.predictions);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    return new KafkaMalformedSink(producer, topics.predictions, encoder);
  }

  async send(kind: MalformedKind, input: PredictionInput & { eventId: string; modelVersion: string }): Promise<void> {
    const prediction: PredictionEvent = {
      eventId: input.eventId,
      modelId: input.modelId,
      modelVersion: input.modelVersion,
      eventTime: new Date(),
      entityId: null,
      task: input.task ?? 'CLASSIFICATION',
      numericFeatures: input.numericFeatures ?? {},
      categoricalFeatures: input.categoricalFeatures ?? {},
      predictedClass: input.predictedClass ?? null,
      scores: input.scores ?? {},
      predictedValue: input.predictedValue ?? null,
      latencyMs: input.latencyMs,
      tags: input.tags ?? {},
    };
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: input.modelId, value: malformedBytes(kind, prediction, this.encoder) }],
    });
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}
