/**
 * The foundation, end to end against the real servers: register an Avro schema in the
 * registry, produce a framed record with kafkajs, consume and decode it, write it to a
 * ClickHouse MergeTree table and read the values back.
 */
import { topicMap } from '@vigil/contracts';
import { createKafka, createSchemaRegistry, AvroDecoder, registerAvroSchema, registerContracts } from '@vigil/messaging';
import { createClickHouse, migrate } from '@vigil/storage';
import { Consumer, Producer } from 'kafkajs';
import { dropDatabase, testInfrastructure } from './support/stack';

const config = testInfrastructure('stack');

const probeSchema = {
  type: 'record',
  name: 'StackProbe',
  namespace: 'dev.vigil.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'score', type: 'double' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

interface StackProbe {
  id: string;
  score: number;
  at: Date;
  note: string | null;
}

describe('local stack', () => {
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
  const registry = createSchemaRegistry(config.schemaRegistry);
  let producer: Producer;
  let consumer: Consumer;

  beforeAll(async () => {
    producer = kafka.producer();
    consumer = kafka.consumer({ groupId: `test-${config.runId}` });
    await Promise.all([producer.connect(), consumer.connect()]);
  });

  afterAll(async () => {
    await Promise.all([producer.disconnect(), consumer.disconnect()]);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [`${config.topicPrefix}probe`] });
    await admin.disconnect();
    await dropDatabase(config);
  });

  it('carries an Avro record from the registry through Kafka into ClickHouse', async () => {
    const topic = `${config.topicPrefix}probe`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.disconnect();
    expect(metadata.topics[0].partitions).toHaveLength(2);

    const schemaId = await registerAvroSchema(registry, `${topic}-value`, probeSchema);
    const sent: StackProbe = { id: 'p-1', score: 0.8125, at: new Date('2026-11-27T10:11:12.345Z'), note: "it's" };
    await producer.send({ topic, messages: [{ key: 'model-a', value: await registry.encode(schemaId, sent) }] });

    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Promise<{ key: string; value: StackProbe; schemaId: number }>((resolve, reject) => {
      const decoder = new AvroDecoder(registry);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const decoded = await decoder.decode<StackProbe>(message.value!);
            resolve({ key: message.key!.toString(), value: decoded.value, schemaId: decoded.schemaId });
          },
        })
        .catch(reject);
    });
    const got = await received;
    expect(got.key).toBe('model-a');
    expect(got.schemaId).toBe(schemaId);
    expect(got.value).toEqual(sent);

    await migrate(config.clickhouse, []);
    const clickhouse = createClickHouse(config.clickhouse);
    try {
      await clickhouse.command({
        query: `CREATE TABLE probes (id String, score Float64, at DateTime('UTC'), note Nullable(String))
                ENGINE = MergeTree ORDER BY id`,
      });
      await clickhouse.insert({
        table: 'probes',
        format: 'JSONEachRow',
        values: [{ ...got.value, at: Math.floor(got.value.at.getTime() / 1000) }],
      });
      const rows = await (
        await clickhouse.query({ query: 'SELECT id, score, toUnixTimestamp(at) AS at, note FROM probes', format: 'JSONEachRow' })
      ).json<{ id: string; score: number; at: number; note: string | null }>();
      // 2026-11-27T10:11:12Z = 1795774272 s since the epoch (date -u -d 2026-11-27T10:11:12Z +%s).
      expect(rows).toEqual([{ id: 'p-1', score: 0.8125, at: 1795774272, note: "it's" }]);
    } finally {
      await clickhouse.close();
    }
  });

  it('lets several services register the same new contracts at once', async () => {
    // Three services starting together on fresh topics race to create each subject and set
    // its compatibility; every one must get the same ids instead of a compatibility error.
    const topics = topicMap(`${config.topicPrefix}race.`);
    const results = await Promise.all([1, 2, 3].map(() => registerContracts(createSchemaRegistry(config.schemaRegistry), topics)));
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    const config0 = await fetch(`${config.schemaRegistry.url}/config/${topics.predictions}-value`);
    expect(((await config0.json()) as { compatibilityLevel: string }).compatibilityLevel).toBe('BACKWARD');
  });
});
