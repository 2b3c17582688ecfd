import { RejectionReason } from '@vigil/common';
import { LabelEvent, PredictionEvent } from '@vigil/contracts';
import type { IHeaders } from 'kafkajs';

/**
 * Events as JSONEachRow lines for the analyst tables (libs/storage/migrations/001).
 * Serialised here, once per event, so the ClickHouse client receives one text body
 * per insert instead of serialising many small objects itself (its slowest path).
 */

/** Where a record came from in Kafka; stored with each row for tracing. */
export interface KafkaPosition {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka record timestamp, milliseconds since the epoch. */
  timestampMs: number;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

export function predictionRow(event: PredictionEvent, schemaId: number, at: KafkaPosition, ingestedAtMs: number): string {
  const eventTimeMs = event.eventTime.getTime();
  const numeric = event.numericFeatures ?? {};
  const categorical = event.categoricalFeatures ?? {};
  const scores = event.scores ?? {};
  const tags = event.tags ?? {};
  // One JSON.stringify of a flat object: measured faster than assembling the text by hand.
  return JSON.stringify({
    model_id: event.modelId,
    model_version: event.modelVersion,
    event_time: seconds(eventTimeMs),
    event_id: event.eventId,
    event_time_ms: eventTimeMs,
    entity_id: event.entityId ?? null,
    task: event.task,
    numeric_feature_names: Object.keys(numeric),
    numeric_feature_values: Object.values(numeric),
    categorical_feature_names: Object.keys(categorical),
    categorical_feature_values: Object.values(categorical),
    predicted_class: event.predictedClass ?? null,
    score_names: Object.keys(scores),
    score_values: Object.values(scores),
    predicted_value: event.predictedValue ?? null,
    latency_ms: event.latencyMs,
    tag_names: Object.keys(tags),
    tag_values: Object.values(tags),
    schema_id: schemaId,
    kafka_partition: at.partition,
    kafka_offset: Number(at.offset),
    ingested_at: seconds(ingestedAtMs),
  });
}

export function labelRow(event: LabelEvent, schemaId: number, at: KafkaPosition, ingestedAtMs: number): string {
  const eventTimeMs = event.eventTime.getTime();
  return JSON.stringify({
    model_id: event.modelId,
    event_time: seconds(eventTimeMs),
    event_id: event.eventId,
    event_time_ms: eventTimeMs,
    prediction_event_id: event.predictionEventId,
    true_class: event.trueClass ?? null,
    true_value: event.trueValue ?? null,
    schema_id: schemaId,
    kafka_partition: at.partition,
    kafka_offset: Number(at.offset),
    ingested_at: seconds(ingestedAtMs),
  });
}

/** A record the ingestor refused, with its bytes exactly as they arrived. */
export interface DeadLetter {
  at: KafkaPosition;
  reason: RejectionReason;
  error: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders | undefined;
}

export function deadLetterRow(letter: DeadLetter, ingestedAtMs: number): string {
  return JSON.stringify({
    topic: letter.at.topic,
    kafka_partition: letter.at.partition,
    kafka_offset: Number(letter.at.offset),
    message_time: seconds(letter.at.timestampMs),
    reason: letter.reason,
    error: letter.error,
    key_base64: letter.key ? letter.key.toString('base64') : '',
    payload_base64: letter.value ? letter.value.toString('base64') : '',
    at: seconds(ingestedAtMs),
  });
}
