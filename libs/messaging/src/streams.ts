import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { EVENT_STREAMS, EventStream, loadSchema, TopicMap, valueSubject } from '@vigil/contracts';
import { Kafka } from 'kafkajs';
import { registerAvroSchema } from './schema-registry';

export interface StreamSetup {
  /** Partitions of each new topic: the most monitor instances that can share the work. */
  partitions: number;
  /** A service's own topics beside the map's, each with its partition count (the orchestrator's one-partition lease). */
  extraTopics?: readonly { topic: string; partitions: number }[];
}

/** Creates any missing topic of the map and of `extraTopics` (existing ones are left as they are). */
export async function ensureTopics(kafka: Kafka, topics: TopicMap, { partitions, extraTopics = [] }: StreamSetup): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [...Object.values(topics).map((topic) => ({ topic, partitions })), ...extraTopics];
    const missing = wanted.filter(({ topic }) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map(({ topic, partitions: numPartitions }) => ({ topic, numPartitions })),
        waitForLeaders: true,
      });
    }
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
