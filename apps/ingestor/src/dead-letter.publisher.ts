import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { topicMap } from '@vigil/contracts';
import { deadLetterMessage, KAFKA } from '@vigil/messaging';
import { Kafka, Producer } from 'kafkajs';
import { INGESTOR_CONFIG, IngestorConfig } from './ingestor.config';
import { DeadLetter } from './rows';

/**
 * Publishes refused records to the dead-letter topic with their original key, value
 * and headers, plus headers saying why and where they came from. Acknowledged by all
 * in-sync replicas before the source offset is committed. Disconnects after the consumer
 * has left the group (shutdown hooks run after the transport closes).
 */
@Injectable()
export class DeadLetterPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly producer: Producer;
  private readonly topic: string;

  constructor(@Inject(KAFKA) kafka: Kafka, @Inject(INGESTOR_CONFIG) config: IngestorConfig) {
    this.producer = kafka.producer();
    this.topic = topicMap(config.topicPrefix).deadLetter;
  }

  onApplicationBootstrap(): Promise<void> {
    return this.producer.connect();
  }

  onApplicationShutdown(): Promise<void> {
    return this.producer.disconnect();
  }

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: letters.map((letter) => deadLetterMessage(letter, letter.at, letter.reason, letter.error)),
    });
  }
}
