/**
 * The SDK against the real Kafka and schema registry: what a service records comes
 * back from the topics, decoded with the registry's schema, field for field; an
 * invalid record is refused naming the field and never reaches a topic.
 */
import { LabelEvent, ModelDeployed, PredictionEvent, topicMap } from '@vigil/contracts';
import { AvroDecoder, createKafka, createSchemaRegistry, ensureTopics } from '@vigil/messaging';
import { VigilClient } from '@vigil/sdk';
import { Consumer } from 'kafkajs';
import { labelEvent, predictionEvent } from '../support/events';
import { deleteTopics, testInfrastructure } from '../support/stack';

const config = testInfrastructure('sdk');
const topics = topicMap(config.topicPrefix);
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
const registry = createSchemaRegistry(config.schemaRegistry);

interface Received {
  topic: string;
  key: string;
  schemaId: number;
  value: unknown;
}

/** Reads `count` records from the SDK's topics from the beginning, decoded. */
async function readBack(consumer: Consumer, count: number): Promise<Received[]> {
  const decoder = new AvroDecoder(registry);
  const received: Received[] = [];
  await consumer.subscribe({ topics: [topics.predictions, topics.labels, topics.modelDeployed], fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ topic, message }) => {
          const { schemaId, value } = await decoder.decode(message.value!);
          received.push({ topic, key: message.key!.toString(), schemaId, value });
          if (received.length >= count) resolve();
        },
      })
      .catch(reject);
  });
  return received;
}

describe('@vigil/sdk against Kafka and the registry', () => {
  let vigil: VigilClient;
  let consumer: Consumer;

  beforeAll(async () => {
    // One partition: the test reads the three topics back in one known order per topic.
    await ensureTopics(kafka, topics, { partitions: 1 });
    vigil = await VigilClient.connect({
      brokers: config.kafkaBrokers,
      schemaRegistryUrl: config.schemaRegistry.url,
      topicPrefix: config.topicPrefix,
      clientId: `test-${config.runId}`,
      batch: { lingerMs: 5 },
    });
    consumer = kafka.consumer({ groupId: `test-${config.runId}` });
    await consumer.connect();
  });

  afterAll(async () => {
    await vigil.close();
    await consumer.disconnect();
    await deleteTopics(kafka, config.topicPrefix);
  });

  it('refuses an invalid prediction naming the field and sends nothing for it', async () => {
    await expect(vigil.recordPrediction({ modelId: 'card-fraud', modelVersion: 'v1', predictedClass: 'fraud', latencyMs: -3 })).rejects.toMatchObject({
      field: 'latencyMs',
      message: 'latencyMs: -3 is outside 0 .. 86400000',
    });
    await expect(
      vigil.recordPrediction({ modelId: 'card-fraud', modelVersion: 'v1', predictedClass: 'fraud', latencyMs: 2, numericFeatures: { amount: Number.NaN } }),
    ).rejects.toMatchObject({ field: 'numericFeatures.amount' });
    expect(vigil.pending).toBe(0);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topics.predictions);
    await admin.disconnect();
    expect(offsets.map((o) => o.high)).toEqual(['0']);
  });

  it('delivers predictions, labels and a deployment decoded field for field', async () => {
    const eventTime = new Date('2026-11-27T10:11:12.345Z');
    // A complete event, every field given: the SDK must deliver it unchanged.
    const classification = predictionEvent(1, {
      eventId: 'p-1',
      modelId: 'card-fraud',
      eventTime,
      entityId: 'card-42',
      numericFeatures: { amount: 83.25, distance_km: null },
      categoricalFeatures: { country: 'FR', merchant_category: null },
      predictedClass: 'fraud',
      scores: { fraud: 0.875, legit: 0.125 },
      latencyMs: 6.5,
      tags: { channel: 'web' },
    });
    const [fraudId, basketId] = await Promise.all([
      vigil.recordPrediction(classification),
      vigil.recordPrediction({ modelId: 'basket-value', modelVersion: 'v3', numericFeatures: { items: 4 }, predictedValue: 57.75, latencyMs: 1.25 }),
    ]);
    expect(fraudId).toBe('p-1');
    // Generated ids are UUIDs (crypto.randomUUID, version 4).
    expect(basketId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const labelTime = new Date('2026-11-27T11:00:00.000Z');
    await vigil.recordLabel({ eventId: 'l-1', predictionEventId: 'p-1', modelId: 'card-fraud', eventTime: labelTime, trueClass: 'legit' });
    await vigil.recordLabel({ predictionEventId: basketId, modelId: 'basket-value', trueValue: 61 });
    await vigil.recordModelDeployed({ modelId: 'card-fraud', version: 'v2', deployedAt: labelTime, reason: 'retrain', incidentId: 'i-7' });

    const received = await readBack(consumer, 5);
    const on = (topic: string) => received.filter((r) => r.topic === topic);
    const subjectId = async (topic: string) => await registry.getLatestSchemaId(`${topic}-value`);

    const predictions = on(topics.predictions);
    expect(predictions.map((r) => [r.key, r.schemaId])).toEqual([
      ['card-fraud', await subjectId(topics.predictions)],
      ['basket-value', await subjectId(topics.predictions)],
    ]);
    expect(predictions[0].value).toEqual(classification);
    const basket = predictions[1].value as PredictionEvent;
    // The SDK's defaults, spelled out (not the factory's).
    expect(basket).toEqual({
      eventId: basketId,
      modelId: 'basket-value',
      modelVersion: 'v3',
      eventTime: expect.any(Date),
      entityId: null,
      task: 'REGRESSION',
      numericFeatures: { items: 4 },
      categoricalFeatures: {},
      predictedClass: null,
      scores: {},
      predictedValue: 57.75,
      latencyMs: 1.25,
      tags: {},
    });
    // eventTime defaults to the moment of recording: within the last minute.
    expect(Date.now() - basket.eventTime.getTime()).toBeLessThan(60_000);

    const labels = on(topics.labels).map((r) => r.value as LabelEvent);
    expect(labels[0]).toEqual(labelEvent(1, { eventId: 'l-1', predictionEventId: 'p-1', modelId: 'card-fraud', eventTime: labelTime, trueClass: 'legit' }));
    expect(labels[1]).toMatchObject({ predictionEventId: basketId, modelId: 'basket-value', trueClass: null, trueValue: 61 });
    expect(on(topics.labels).map((r) => r.key)).toEqual(['card-fraud', 'basket-value']);

    const deployed = on(topics.modelDeployed);
    expect(deployed.map((r) => r.key)).toEqual(['card-fraud']);
    expect(deployed[0].value).toEqual({
      eventId: expect.any(String),
      modelId: 'card-fraud',
      version: 'v2',
      deployedAt: labelTime,
      reason: 'retrain',
      incidentId: 'i-7',
      artifactUri: null,
    } satisfies Record<keyof ModelDeployed, unknown>);
  });

  it('looks up the registered ids instead of registering when asked to', async () => {
    const reader = await VigilClient.connect({
      brokers: config.kafkaBrokers,
      schemaRegistryUrl: config.schemaRegistry.url,
      topicPrefix: config.topicPrefix,
      registerSchemas: false,
    });
    try {
      await expect(reader.recordLabel({ predictionEventId: 'p-1', modelId: 'card-fraud', trueClass: 'fraud' })).resolves.toEqual(expect.any(String));
    } finally {
      await reader.close();
    }
  });
});
