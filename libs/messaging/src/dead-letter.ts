import { IHeaders, Message } from 'kafkajs';

/** Header names on every dead-letter record (documented in docs/ingest.md). */
export const DEAD_LETTER_HEADERS = {
  reason: 'vigil-dead-letter-reason',
  error: 'vigil-dead-letter-error',
  topic: 'vigil-dead-letter-source-topic',
  partition: 'vigil-dead-letter-source-partition',
  offset: 'vigil-dead-letter-source-offset',
} as const;

export interface RefusedRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
}

/**
 * The dead-letter record of a refused one: its key, value and headers exactly as they
 * arrived, plus headers saying why it was refused and where it came from, so it can be
 * inspected and replayed.
 */
export function deadLetterMessage(record: RefusedRecord, source: { topic: string; partition: number; offset: string | number }, reason: string, error: string): Message {
  return {
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [DEAD_LETTER_HEADERS.reason]: reason,
      [DEAD_LETTER_HEADERS.error]: error,
      [DEAD_LETTER_HEADERS.topic]: source.topic,
      [DEAD_LETTER_HEADERS.partition]: String(source.partition),
      [DEAD_LETTER_HEADERS.offset]: String(source.offset),
    },
  };
}
