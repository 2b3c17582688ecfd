import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { createRetryPolicy } from '@vigil/common';
import { EVENT_STREAMS, EventStream, loadSchema, TopicMap, valueSubject } from '@vigil/contracts';
import { Kafka } from 'kafkajs';
import { registerAvroSchema } from './schema-registry';

export interface StreamSetup {
  /** Partitions of each new topic: the most monitor instances that can share the work. */
  partitions: number;
  /** A service's own topics beside the map's, each with its partition count (the orchestrator's one-partition lease). */
  extraTopics?: readonly { topic: string; partitions: number }[];
}

/**
 * How long new topics may take to have a leader on every partition. On a multi-broker
 * cluster each broker learns of a new topic from the KRaft metadata log at its own pace;
 * kafkajs's own wait (`waitForLeaders`, a few quick metadata retries) gave up with
 * UNKNOWN_TOPIC_OR_PARTITION on the three-broker cluster at load 7 (docs/scaling.md).
 * Bounded: ~40 s at most, then the error names the topics still without a leader.
 */
const LEADERS_RETRY = { operation: 'kafka.topic-leaders', maxRetries: 12, initialDelayMs: 250, maxDelayMs: 5_000 };

class TopicsWithoutLeaderError extends Error {
  readonly retriable = true;
  constructor(topics: string[]) {
    super(`new topics without a leader on every partition yet: ${topics.join(', ')}`);
    this.name = 'TopicsWithoutLeaderError';
  }
}

/**
 * Creates any missing topic of the map and of `extraTopics` (existing ones are left as they
 * are) and waits until each partition has a leader.
 */
export async function ensureTopics(kafka: Kafka, topics: TopicMap, { partitions, extraTopics = [] }: StreamSetup): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [...Object.values(topics).map((topic) => ({ topic, partitions })), ...extraTopics];
    const missing = wanted.filter(({ topic }) => !existing.has(topic));
    if (missing.length === 0) return;
    await admin.createTopics({ topics: missing.map(({ topic, partitions: numPartitions }) => ({ topic, numPartitions })) });
    const names = missing.map(({ topic }) => topic);
    await createRetryPolicy(LEADERS_RETRY).execute(async () => {
      // Throws UNKNOWN_TOPIC_OR_PARTITION (retriable) while the answering broker has not heard of a topic.
      const metadata = await admin.fetchTopicMetadata({ topics: names });
      const leaderless = metadata.topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)).map((t) => t.name);
      if (leaderless.length > 0) throw new TopicsWithoutLeaderError(leaderless);
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Registers the current schema of each stream under its TopicNameStrategy subject with
 * BACKWARD compatibility; returns the schema id per stream. Registering an unchanged
 * schema again returns the same id.
 */
export async function registerContracts(registry: SchemaRegistry, topics: TopicMap): Promise<Record<EventStream, number>> {
  const ids = {} as Record<EventStream, number>;
  for (const stream of Object.keys(EVENT_STREAMS) as EventStream[]) {
    ids[stream] = await registerAvroSchema(registry, valueSubject(topics[stream]), loadSchema(EVENT_STREAMS[stream].schema));
  }
  return ids;
}

/**
 * The orchestrator's lease (docs/orchestrator.md "Active and standby"): a one-partition topic
 * and the consumer group whose member assigned its partition is the active instance.
 */
export function orchestratorLease(topicPrefix: string, groupId: string): { topic: string; groupId: string } {
  return { topic: `${topicPrefix}orchestrator-lease`, groupId: `${groupId}-lease` };
}
