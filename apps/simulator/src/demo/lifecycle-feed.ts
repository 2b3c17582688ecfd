import { Alert, ModelDeployed, RetrainRequested, RollbackRequested, TopicMap } from '@vigil/contracts';
import { AvroDecoder } from '@vigil/messaging';
import { Consumer, Kafka } from 'kafkajs';

/** One lifecycle event as the demo saw it arrive. */
export type FeedEvent =
  | { type: 'alert'; receivedAt: number; value: Alert }
  | { type: 'retrainRequested'; receivedAt: number; value: RetrainRequested }
  | { type: 'rollbackRequested'; receivedAt: number; value: RollbackRequested }
  | { type: 'modelDeployed'; receivedAt: number; value: ModelDeployed };

export class DemoTimeoutError extends Error {}

interface Waiter {
  matches: (event: FeedEvent) => boolean;
  resolve: (event: FeedEvent) => void;
}

/**
 * The demo's window on the lifecycle: reads the alerts, retrain and rollback requests
 * and deployments as the services publish them (read_committed, so the orchestrator's
 * transactional requests appear once committed), keeps them, and lets the story wait
 * for the one it needs next.
 */
export class LifecycleFeed {
  readonly events: FeedEvent[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly listeners: ((event: FeedEvent) => void)[] = [];

  private constructor(
    private readonly consumer: Consumer,
    private readonly decoder: AvroDecoder,
    private readonly typeOfTopic: Map<string, FeedEvent['type']>,
  ) {}

  static async start(kafka: Kafka, decoder: AvroDecoder, topics: TopicMap, groupId: string): Promise<LifecycleFeed> {
    const typeOfTopic = new Map<string, FeedEvent['type']>([
      [topics.alerts, 'alert'],
      [topics.retrainRequested, 'retrainRequested'],
      [topics.rollbackRequested, 'rollbackRequested'],
      [topics.modelDeployed, 'modelDeployed'],
    ]);
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    const feed = new LifecycleFeed(consumer, decoder, typeOfTopic);
    await consumer.connect();
    await consumer.subscribe({ topics: [...typeOfTopic.keys()], fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({ eachMessage: async ({ topic, message }) => feed.receive(topic, message.value) });
    await joined;
    return feed;
  }

  onEvent(listener: (event: FeedEvent) => void): void {
    this.listeners.push(listener);
  }

  /** The first event (already seen or still to come) that matches, or a DemoTimeoutError saying what to look at. */
  waitFor<T extends FeedEvent['type']>(
    type: T,
    matches: (event: Extract<FeedEvent, { type: T }>) => boolean,
    timeoutMs: number,
    onTimeout: string,
    signal?: AbortSignal,
  ): Promise<Extract<FeedEvent, { type: T }>> {
    type Wanted = Extract<FeedEvent, { type: T }>;
    const test = (event: FeedEvent): event is Wanted => event.type === type && matches(event as Wanted);
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise<Wanted>((resolve, reject) => {
      const waiter: Waiter = {
        matches: test,
        resolve: (event) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', abort);
          this.waiters.delete(waiter);
          resolve(event as Wanted);
        },
      };
      const fail = (error: Error) => {
        this.waiters.delete(waiter);
        signal?.removeEventListener('abort', abort);
        reject(error);
      };
      const abort = () => {
        clearTimeout(timer);
        fail(new Error('interrupted'));
      };
      const timer = setTimeout(() => fail(new DemoTimeoutError(onTimeout)), timeoutMs);
      signal?.addEventListener('abort', abort, { once: true });
      this.waiters.add(waiter);
    });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }

  private async receive(topic: string, bytes: Buffer | null): Promise<void> {
    const type = this.typeOfTopic.get(topic);
    if (!type || bytes === null) return;
    const { value } = await this.decoder.decode<FeedEvent['value']>(bytes);
    const event = { type, receivedAt: Date.now(), value } as FeedEvent;
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
    for (const waiter of [...this.waiters]) if (waiter.matches(event)) waiter.resolve(event);
  }
}
