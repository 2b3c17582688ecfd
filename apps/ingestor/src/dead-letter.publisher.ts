import { deadLetterMessage } from '@vigil/messaging';
import { Producer } from 'kafkajs';
import { DeadLetter } from './rows';

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
      messages: letters.map((letter) => deadLetterMessage(letter, letter.at, letter.reason, letter.error)),
    });
  }
}
