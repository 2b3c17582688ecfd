import type { Kafka, KafkaMessage } from 'kafkajs';

export interface BareConsumerRun {
  groupId: string;
  topics: string[];
  /** Records to read before the clock stops. */
  expected: number;
  /** Which records count toward `expected` (all by default). */
  counts?: (message: KafkaMessage) => boolean;
}

/**
 * Seconds a bare kafkajs consumer (no decoding, no work) takes to read `expected` records of
 * `topics` from the beginning: the benches' same-run floor of what any consumer can do here.
 */
export async function bareConsumerSeconds(kafka: Kafka, run: BareConsumerRun): Promise<number> {
  const consumer = kafka.consumer({ groupId: run.groupId, maxWaitTimeInMs: 100 });
  const start = Date.now();
  await consumer.connect();
  await consumer.subscribe({ topics: run.topics, fromBeginning: true });
  let seen = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      seen += run.counts ? batch.messages.filter(run.counts).length : batch.messages.length;
      if (seen >= run.expected) done();
    },
  });
  await finished;
  const seconds = (Date.now() - start) / 1000;
  await consumer.disconnect();
  return seconds;
}
