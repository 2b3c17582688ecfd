import { Producer } from 'kafkajs';
import { DeadLetter } from './rows';

/** Header names on every dead-letter record (documented in docs/ingest.md). */
export const DEAD_LETTER_HEADERS = {
  reason: 'vigil-dead-letter-reason',
  error: 'vigil-dead-letter-error',
  topic: 'vigil-dead-letter-source-topic',
  partition: 'vigil-dead-letter-source-partition',
  offset: 'vigil-dead-letter-source-offset',
} as const;

/**
 * Publishes refused records to the dead-letter topic with their original key, value
 * and headers, plus headers saying why and where they came from. Acknowledged by all
 * in-sync replicas before the source offset is committed.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: letters.map((letter) => ({
        key: letter.key,
        value: letter.value,
        headers: {
          ...letter.headers,
          [DEAD_LETTER_HEADERS.reason]: letter.reason,
          [DEAD_LETTER_HEADERS.error]: letter.error,
          [DEAD_LETTER_HEADERS.topic]: letter.at.topic,
          [DEAD_LETTER_HEADERS.partition]: String(letter.at.partition),
          [DEAD_LETTER_HEADERS.offset]: letter.at.offset,
        },
      })),
    });
  }
}
