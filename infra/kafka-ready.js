// Exit 0 when the broker in KAFKA_BROKERS answers a metadata request (a real round trip).
const { Kafka, logLevel } = require('kafkajs');

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const admin = new Kafka({
  clientId: 'vigil-infra-probe',
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 2000,
  retry: { retries: 0 },
}).admin();

admin
  .connect()
  .then(() => admin.describeCluster())
  .then(async (cluster) => {
    await admin.disconnect();
    process.exit(cluster.brokers.length > 0 ? 0 : 1);
  })
  .catch(() => process.exit(1));
