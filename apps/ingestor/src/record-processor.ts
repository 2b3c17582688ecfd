import { RejectedRecordError, UnsupportedEventTypeError, DecodeError } from '@vigil/common';
import { LabelEvent, PredictionEvent, TopicMap, validateLabel, validatePrediction } from '@vigil/contracts';
import { KafkaMessage } from 'kafkajs';
import { directPredictionRow } from './prediction-decoder';
import { DeadLetter, KafkaPosition, labelRow, predictionRow } from './rows';

/** What the ingestor needs from the registry-backed decoder (AvroDecoder in production). */
export interface EventDecoder {
  decode<T>(buffer: Buffer): Promise<{ schemaId: number; value: T }>;
}

/** Full Avro name of a registered schema id, e.g. `dev.vigil.events.PredictionEvent`. */
export type SchemaNameLookup = (schemaId: number) => Promise<string>;

/** Whether records of a schema id may take the direct prediction decoder (prediction-decoder.ts). */
export type DirectSchemaCheck = (schemaId: number) => Promise<boolean>;

/** Confluent framing: magic byte 0 then a big-endian int32 schema id. */
const HEADER_LENGTH = 5;

/** One Kafka batch turned into table rows and refusals; offsets stay with the caller. */
export interface ProcessedBatch {
  predictions: string[];
  labels: string[];
  deadLetters: DeadLetter[];
}

const PREDICTION = 'dev.vigil.events.PredictionEvent';
const LABEL = 'dev.vigil.events.LabelEvent';

/**
 * Decode → check the event type belongs on the topic → validate → serialise. Records
 * that can never be ingested become dead letters; anything else (a registry outage)
 * is thrown so the batch is retried rather than dropped.
 */
export class RecordProcessor {
  private readonly schemaNames = new Map<number, string>();
  private readonly directSchemas = new Map<number, boolean>();

  /** Without `isDirectSchema` every record takes the reference path (decoder → validate → row). */
  constructor(
    private readonly decoder: EventDecoder,
    private readonly lookupSchemaName: SchemaNameLookup,
    private readonly topics: Pick<TopicMap, 'predictions' | 'labels'>,
    private readonly isDirectSchema?: DirectSchemaCheck,
  ) {}

  async process(topic: string, partition: number, messages: KafkaMessage[], nowMs: number): Promise<ProcessedBatch> {
    const out: ProcessedBatch = { predictions: [], labels: [], deadLetters: [] };
    const expected = topic === this.topics.predictions ? PREDICTION : topic === this.topics.labels ? LABEL : undefined;
    const direct = expected === PREDICTION && this.isDirectSchema !== undefined;
    for (const message of messages) {
      const value = message.value;
      if (direct && value && value.length >= HEADER_LENGTH && value[0] === 0) {
        const schemaId = value.readInt32BE(1);
        if (this.directSchemas.get(schemaId) ?? (await this.checkDirect(schemaId))) {
          const line = directPredictionRow(value, schemaId, partition, message.offset, nowMs);
          if (line !== undefined) {
            out.predictions.push(line);
            continue;
          }
        }
      }
      const at: KafkaPosition = { topic, partition, offset: message.offset, timestampMs: Number(message.timestamp) };
      try {
        if (!message.value) throw new DecodeError('record has no value (tombstone)');
        const { schemaId, value } = await this.decoder.decode<unknown>(message.value);
        const name = await this.schemaName(schemaId);
        if (name !== expected) {
          throw new UnsupportedEventTypeError(`${name} (schema id ${schemaId}) does not belong on ${topic}, which carries ${expected ?? 'nothing this ingestor reads'}`);
        }
        if (expected === PREDICTION) {
          out.predictions.push(predictionRow(validatePrediction(value as PredictionEvent, nowMs), schemaId, at, nowMs));
        } else {
          out.labels.push(labelRow(validateLabel(value as LabelEvent, nowMs), schemaId, at, nowMs));
        }
      } catch (error) {
        if (!(error instanceof RejectedRecordError)) throw error;
        out.deadLetters.push({ at, reason: error.reason, error: error.message, key: message.key, value: message.value, headers: message.headers });
      }
    }
    return out;
  }

  /** A registry failure here is not cached: the reference path then reports it as it always did. */
  private async checkDirect(schemaId: number): Promise<boolean> {
    if (!this.isDirectSchema) return false;
    try {
      const direct = await this.isDirectSchema(schemaId);
      this.directSchemas.set(schemaId, direct);
      return direct;
    } catch {
      return false;
    }
  }

  private async schemaName(schemaId: number): Promise<string> {
    let name = this.schemaNames.get(schemaId);
    if (name === undefined) {
      name = await this.lookupSchemaName(schemaId);
      this.schemaNames.set(schemaId, name);
    }
    return name;
  }
}
