import { ArgumentsHost, Catch, INestApplication, RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, CustomTransportStrategy, Server } from '@nestjs/microservices';
import { EventStream, TopicMap } from '@vigil/contracts';
import { Admin, Consumer, ConsumerConfig, ConsumerCrashEvent, ConsumerGroupJoinEvent, EachBatchPayload, Kafka, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { lastValueFrom, Observable, throwError } from 'rxjs';

/** One consumer group: which streams it reads and how (the kafkajs consumer options but the group id). */
export interface BatchConsumerSpec {
  groupId: string;
  streams: readonly EventStream[];
  topics: TopicMap;
  consumer?: Omit<ConsumerConfig, 'groupId'>;
  /** kafkajs `partitionsConsumedConcurrently`; 1 when absent (kafkajs's default). */
  partitionsConcurrency?: number;
}

/** `starting` until the group runs, `crashed` once kafkajs gives up restarting it. */
export type BatchTransportState = 'starting' | 'running' | 'crashed' | 'stopped';

/** The consumer events services listen to (kafkajs names). */
type BatchConsumerEvents = {
  'consumer.crash': (event: ConsumerCrashEvent) => void;
  'consumer.group_join': (event: ConsumerGroupJoinEvent) => void;
};

/**
 * What an `@EventPattern(stream)` handler receives beside the batch (`@Payload()`, the whole
 * kafkajs EachBatchPayload: resolveOffset, heartbeat, isRunning, isStale): the stream the
 * batch's topic belongs to.
 */
export class KafkaBatchContext extends BaseRpcContext<[EventStream]> {
  getStream(): EventStream {
    return this.args[0];
  }
}

/**
 * A NestJS custom transport over one kafkajs consumer group in batch mode. NestJS's own
 * Kafka transport hands over one message at a time and batch support was refused upstream
 * (nest #9455); this one hands each partition batch, unchanged, to the `@EventPattern`
 * handler of its stream (the pattern is the stream name, e.g. `predictions`, so the topic
 * prefix stays configuration). kafkajs runs as before: `autoCommit` and
 * `eachBatchAutoResolve` off, so the handler resolves and commits; a handler's error reaches
 * kafkajs unchanged (see PassBatchErrors) and restarts the consumer as it always did.
 *
 * The services that own a stream's flow control reach the same consumer through
 * pause/resume/commitOffsets/on: the transport is the app's messaging edge for consumption.
 */
export class KafkaBatchTransport extends Server<BatchConsumerEvents, BatchTransportState> implements CustomTransportStrategy {
  private readonly consumer: Consumer;
  private readonly streamOfTopic: Map<string, EventStream>;
  private current: BatchTransportState = 'starting';
  private admin: Promise<Admin> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly spec: BatchConsumerSpec,
  ) {
    super();
    this.consumer = kafka.consumer({ ...spec.consumer, groupId: spec.groupId });
    this.streamOfTopic = new Map(spec.streams.map((stream) => [spec.topics[stream], stream]));
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.current = 'crashed';
    });
  }

  get state(): BatchTransportState {
    return this.current;
  }

  /** The topics this group reads, in the order of `spec.streams`. */
  topics(): string[] {
    return this.spec.streams.map((stream) => this.spec.topics[stream]);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      for (const stream of this.spec.streams) {
        if (!this.getHandlerByPattern(stream)) throw new Error(`no @EventPattern('${stream}') handler for consumer group ${this.spec.groupId}`);
      }
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: this.topics(), fromBeginning: true });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.spec.partitionsConcurrency ?? 1,
        eachBatch: (payload) => this.dispatch(payload),
      });
      this.current = 'running';
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.current = 'stopped';
    await this.consumer.disconnect();
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await admin.then((client) => client.disconnect()).catch(() => undefined);
  }

  /** Stops fetching and waits for the batches in hand (kafkajs `stop`); the group is left on close. */
  stop(): Promise<void> {
    return this.consumer.stop();
  }

  /** A no-op before the group runs (kafkajs refuses it; a service shutting down after a failed start pauses). */
  pause(topics: { topic: string; partitions?: number[] }[]): void {
    if (this.current === 'starting') return;
    this.consumer.pause(topics);
  }

  resume(topics: { topic: string; partitions?: number[] }[]): void {
    this.consumer.resume(topics);
  }

  commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    return this.consumer.commitOffsets(offsets);
  }

  /**
   * The group's committed offsets of `topic`, with the metadata committed beside them. The
   * consumer has no such call, so an admin client (connected on first use) asks.
   */
  async committedOffsets(topic: string): Promise<{ partition: number; offset: string; metadata: string | null }[]> {
    this.admin ??= (async () => {
      const client = this.kafka.admin();
      await client.connect();
      return client;
    })();
    const connecting = this.admin;
    let admin: Admin;
    try {
      admin = await connecting;
    } catch (error) {
      if (this.admin === connecting) this.admin = undefined;
      throw error;
    }
    const [offsets] = await admin.fetchOffsets({ groupId: this.spec.groupId, topics: [topic] });
    return offsets?.partitions ?? [];
  }

  /** A kafkajs consumer event (`consumer.group_join`, `consumer.crash`, ...). */
  on<E extends keyof BatchConsumerEvents>(event: E, listener: BatchConsumerEvents[E]): void {
    this.consumer.on(event as 'consumer.crash', listener as BatchConsumerEvents['consumer.crash']);
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async dispatch(payload: EachBatchPayload): Promise<void> {
    const stream = this.streamOfTopic.get(payload.batch.topic);
    const handler = stream && this.getHandlerByPattern(stream);
    if (!stream || !handler) throw new Error(`no handler for topic ${payload.batch.topic}`);
    await lastValueFrom(this.transformToObservable(await handler(payload, new KafkaBatchContext([stream]))), { defaultValue: undefined });
  }
}

/**
 * Hands a batch handler's error to kafkajs as it was thrown. Nest's default RPC filter
 * would log it and replace it with `{status: 'error'}`, losing the error class kafkajs and
 * the services' logs rely on (retriable or not, the message). Put on every event controller.
 */
@Catch()
export class PassBatchErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Makes an app hybrid: HTTP stays, and the app's KafkaBatchTransport (a provider of the app
 * module, built from MessagingModule's client) carries its `@EventPattern` handlers. The
 * consumer starts after every `onApplicationBootstrap` (topics, contracts, producers ready).
 */
export async function startBatchTransport(app: INestApplication): Promise<void> {
  app.connectMicroservice({ strategy: app.get(KafkaBatchTransport) });
  await app.init();
  await app.startAllMicroservices();
}
