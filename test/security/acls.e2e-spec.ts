/**
 * Kafka's own security model on the real broker: the local stack's SASL_SSL listener with
 * KRaft's StandardAuthorizer, and the ACL table of libs/messaging/src/acls.ts applied for
 * this test's topics, groups and transactional id. What a principal may not do, the
 * broker refuses (TOPIC_AUTHORIZATION_FAILED); what it may, works, with each SASL mechanism.
 */
import type { KafkaSaslMechanism } from '@vigil/common';
import { topicMap } from '@vigil/contracts';
import { createKafka, ensureTopics, KafkaPrincipal } from '@vigil/messaging';
import { Kafka } from 'kafkajs';
import { deleteTopics, testInfrastructure } from '../support/stack';
import { grantAcls, SecureStack, secureStack, testAclNames } from '../support/secure-stack';
import { nativeStackMissing } from '../support/native-stack';

const config = testInfrastructure('acls');
const topics = topicMap(config.topicPrefix);
// The PLAINTEXT listener's principal (ANONYMOUS) is a super user: it sets the test up.
const admin = createKafka({ brokers: config.kafkaBrokers, clientId: `test-${config.runId}` });
const names = testAclNames(config);
let revokeAcls: (() => Promise<void>) | undefined;

let stack: SecureStack;

function as(principal: KafkaPrincipal, mechanism: KafkaSaslMechanism = 'scram-sha-512', clientCert?: { cert: Buffer; key: Buffer }): Kafka {
  return createKafka(
    {
      brokers: stack.kafkaBrokers,
      clientId: `test-${config.runId}-${principal}`,
      security: {
        protocol: 'SASL_SSL',
        sasl: { mechanism, username: principal, password: stack.kafkaPassword(principal) },
        tls: { ca: stack.ca, ...clientCert, rejectUnauthorized: true },
      },
    },
    undefined,
    // Authorization failures are not retriable; one retry covers a leader move.
    1,
  );
}

/**
 * Sends one record as `principal`; resolves with 'ok' or 'refused' (the broker's
 * TOPIC_AUTHORIZATION_FAILED, which kafkajs reports from the produce request, or from the
 * metadata request when the principal may not even describe the topic).
 */
async function write(principal: KafkaPrincipal, topic: string, mechanism?: KafkaSaslMechanism, clientCert?: { cert: Buffer; key: Buffer }): Promise<string> {
  const producer = as(principal, mechanism, clientCert).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: 'fraud', value: Buffer.from('forged') }] });
    return 'ok';
  } catch (error) {
    const refused = (error as { type?: string }).type === 'TOPIC_AUTHORIZATION_FAILED' || /Topic authorization failed/.test((error as Error).message);
    return refused ? 'refused' : (error as Error).message;
  } finally {
    await producer.disconnect();
  }
}

beforeAll(async () => {
  stack = await secureStack();
  await ensureTopics(admin, topics, { partitions: 1 });
  revokeAcls = await grantAcls(admin, names);
});

afterAll(async () => {
  await revokeAcls?.();
  await deleteTopics(admin, config.topicPrefix);
});

const nativeMissing = nativeStackMissing('test/security/acls', 'the SASL_SSL listener and its ACLs');

(nativeMissing ? describe.skip : describe)('Kafka ACLs on the SASL_SSL listener', () => {
  it.each<KafkaSaslMechanism>(['scram-sha-512', 'scram-sha-256', 'plain'])('a producer service (%s) writes predictions and labels', async (mechanism) => {
    expect(await write('vigil-producer', topics.predictions, mechanism)).toBe('ok');
    expect(await write('vigil-producer', topics.labels, mechanism)).toBe('ok');
  });

  it('with a client certificate as well (mutual TLS; the principal stays the SASL user)', async () => {
    expect(await write('vigil-producer', topics.predictions, 'scram-sha-512', stack.clientCert)).toBe('ok');
    expect(await write('vigil-producer', topics.metricSnapshots, 'scram-sha-512', stack.clientCert)).toBe('refused');
  });

  it('a producer service writes nothing else: forged snapshots, alerts and lifecycle requests are refused', async () => {
    for (const topic of [topics.metricSnapshots, topics.alerts, topics.retrainRequested, topics.rollbackRequested, topics.modelDeployed, topics.deadLetter]) {
      expect({ topic, result: await write('vigil-producer', topic) }).toEqual({ topic, result: 'refused' });
    }
  });

  it("the monitor's principal cannot write retrain-requested, and writes its snapshots and alerts", async () => {
    expect(await write('vigil-monitor', topics.retrainRequested)).toBe('refused');
    expect(await write('vigil-monitor', topics.rollbackRequested)).toBe('refused');
    expect(await write('vigil-monitor', topics.metricSnapshots)).toBe('ok');
    expect(await write('vigil-monitor', topics.alerts)).toBe('ok');
  });
});
