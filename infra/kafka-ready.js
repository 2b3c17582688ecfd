// Exit 0 when the broker in KAFKA_BROKERS answers a metadata request (a real round trip)
// naming at least the number of brokers given as the first argument (default 1).
const { Kafka, logLevel } = require('kafkajs');

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const minBrokers = Number(process.argv[2] || 1);
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
    process.exit(cluster.brokers.length >= minBrokers ? 0 : 1);
  })
  .catch(() => process.exit(1));
