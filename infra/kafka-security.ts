/**
 * The local stack's side of libs/messaging/src/acls.ts, called by infra/up.sh:
 * `principals` prints the Kafka principals (one a line) it makes SCRAM credentials for;
 * `apply-acls` creates their ACLs for the default topic prefix, groups and transactional
 * id, through the PLAINTEXT listener (whose principal is a super user).
 */
import { topicMap } from '@vigil/contracts';
import { KAFKA_PRINCIPALS, serviceAcls } from '@vigil/messaging';
import { Kafka, logLevel } from 'kafkajs';

const DEFAULT_PREFIX = 'vigil.';

async function applyAcls(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const admin = new Kafka({ clientId: 'vigil-infra-acls', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const acl = serviceAcls({
      topics: topicMap(DEFAULT_PREFIX),
      topicPrefix: DEFAULT_PREFIX,
      groups: { ingestor: 'vigil-ingestor', monitor: 'vigil-monitor', orchestrator: 'vigil-orchestrator', trainer: 'vigil-trainer' },
      transactionalIds: { orchestrator: 'vigil-orchestrator' },
    });
    await admin.createAcls({ acl });
    console.log(`applied ${acl.length} ACL entries`);
  } finally {
    await admin.disconnect();
  }
}

const command = process.argv[2];
if (command === 'principals') {
  console.log(Object.keys(KAFKA_PRINCIPALS).join('\n'));
} else if (command === 'apply-acls') {
  applyAcls().catch((error: unknown) => {
    console.error(`applying ACLs failed: ${(error as Error).message}`);
    process.exit(1);
  });
} else {
  console.error('usage: kafka-security.ts principals | apply-acls');
  process.exit(2);
}
