import { RejectionReason } from '@vigil/common';
import { LabelEvent, PredictionEvent } from '@vigil/contracts';
import type { IHeaders } from 'kafkajs';
import { RowBinaryWriter } from './row-binary';

/**
 * Events as RowBinary rows for the analyst tables (libs/storage/migrations/001), written
 * once per event in the column order of `COLUMNS` (the INSERT names the same list) but the
 * last: that one is the block's stamp (`ingested_at`, `at` for dead letters), one UInt32
 * DateTime the repository appends to every row of an insert block. A row is thus the same
 * bytes whenever its record is decoded, and a replayed block carries its original stamp
 * (docs/ingest.md "Identical replays").
 * Each row remembers the Kafka record it came from, so a row ClickHouse refuses can be
 * dead-lettered with its original bytes.
 */

/** Where a record came from in Kafka; stored with each row for tracing. */
export interface KafkaPosition {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka record timestamp, milliseconds since the epoch. */
  timestampMs: number;
}

/** The Kafka record a row was made from, as it arrived. */
export interface RecordSource {
  at: KafkaPosition;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders | undefined;
}

/** A record the ingestor refused, with its bytes exactly as they arrived. */
export interface DeadLetter extends RecordSource {
  reason: RejectionReason;
  error: string;
}

/** One RowBinary row; `day` is its partition (the tables partition by toYYYYMMDD of a UTC time). */
export interface Row {
  bytes: Buffer;
  day: number;
  source: RecordSource;
}

/** Encoded row before its source is attached. */
export interface EncodedRow {
  bytes: Buffer;
  day: number;
}

export const COLUMNS = {
  predictions: [
    'model_id',
    'model_version',
    'event_time',
    'event_id',
    'event_time_ms',
    'entity_id',
    'task',
    'numeric_feature_names',
    'numeric_feature_values',
    'categorical_feature_names',
    'categorical_feature_values',
    'predicted_class',
    'score_names',
    'score_values',
    'predicted_value',
    'latency_ms',
    'tag_names',
    'tag_values',
    'schema_id',
    'kafka_partition',
    'kafka_offset',
    'ingested_at',
  ],
  labels: ['model_id', 'event_time', 'event_id', 'event_time_ms', 'prediction_event_id', 'true_class', 'true_value', 'schema_id', 'kafka_partition', 'kafka_offset', 'ingested_at'],
  dead_letters: ['topic', 'kafka_partition', 'kafka_offset', 'message_time', 'reason', 'error', 'key_base64', 'payload_base64', 'at'],
} as const;

/** Enum8 values of `task` in the predictions table. */
export const TASK_ENUM = { CLASSIFICATION: 1, REGRESSION: 2 } as const;

const MS_PER_DAY = 86_400_000;
export const dayOf = (ms: number): number => Math.floor(ms / MS_PER_DAY);
const seconds = (ms: number): number => Math.floor(ms / 1000);

const writer = new RowBinaryWriter();

function stringArray(values: string[]): void {
  writer.varint(values.length);
  for (const value of values) writer.string(value);
}

export function predictionRow(event: PredictionEvent, schemaId: number, at: KafkaPosition): EncodedRow {
  const eventTimeMs = event.eventTime.getTime();
  const numeric = Object.entries(event.numericFeatures ?? {});
  const categorical = Object.entries(event.categoricalFeatures ?? {});
  const scores = Object.entries(event.scores ?? {});
  const tags = Object.entries(event.tags ?? {});
  const w = writer;
  w.reset();
  w.string(event.modelId);
  w.string(event.modelVersion);
  w.uint32(seconds(eventTimeMs));
  w.string(event.eventId);
  w.uint64(eventTimeMs);
  w.nullableString(event.entityId ?? null);
  w.uint8(TASK_ENUM[event.task]);
  stringArray(numeric.map(([name]) => name));
  w.varint(numeric.length);
  for (const [, value] of numeric) w.nullableFloat64(value);
  stringArray(categorical.map(([name]) => name));
  w.varint(categorical.length);
  for (const [, value] of categorical) w.nullableString(value);
  w.nullableString(event.predictedClass ?? null);
  stringArray(scores.map(([name]) => name));
  w.varint(scores.length);
  for (const [, value] of scores) w.float64(value);
  w.nullableFloat64(event.predictedValue ?? null);
  w.float64(event.latencyMs);
  stringArray(tags.map(([name]) => name));
  stringArray(tags.map(([, value]) => value));
  w.uint32(schemaId);
  w.uint32(at.partition);
  w.uint64(Number(at.offset));
  return { bytes: w.finish(), day: dayOf(eventTimeMs) };
}

export function labelRow(event: LabelEvent, schemaId: number, at: KafkaPosition): EncodedRow {
  const eventTimeMs = event.eventTime.getTime();
  const w = writer;
  w.reset();
  w.string(event.modelId);
  w.uint32(seconds(eventTimeMs));
  w.string(event.eventId);
  w.uint64(eventTimeMs);
  w.string(event.predictionEventId);
  w.nullableString(event.trueClass ?? null);
  w.nullableFloat64(event.trueValue ?? null);
  w.uint32(schemaId);
  w.uint32(at.partition);
  w.uint64(Number(at.offset));
  return { bytes: w.finish(), day: dayOf(eventTimeMs) };
}

export function deadLetterRow(letter: DeadLetter): Row {
  const w = writer;
  w.reset();
  w.string(letter.at.topic);
  w.uint32(letter.at.partition);
  w.uint64(Number(letter.at.offset));
  w.uint32(seconds(letter.at.timestampMs));
  w.string(letter.reason);
  w.string(letter.error);
  w.string(letter.key ? letter.key.toString('base64') : '');
  w.string(letter.value ? letter.value.toString('base64') : '');
  return { bytes: w.finish(), day: dayOf(letter.at.timestampMs), source: letter };
}

/**
 * The RowBinary body of one insert block: each row followed by the block's stamp (the last
 * column of every table, UInt32 seconds). One stamp per block, not per decode, is what lets
 * a replay of the block be byte-identical to the original.
 */
export function blockBody(rows: readonly Row[], stampMs: number): Buffer {
  let length = 0;
  for (const row of rows) length += row.bytes.length + 4;
  const body = Buffer.allocUnsafe(length);
  const stamp = seconds(stampMs);
  let at = 0;
  for (const row of rows) {
    at += row.bytes.copy(body, at);
    at = body.writeUInt32LE(stamp, at);
  }
  return body;
}
