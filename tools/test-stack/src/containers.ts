/**
 * The integration tests' servers from images (VIGIL_TEST_STACK=containers or auto with an
 * engine; selection.ts): Kafka, Apicurio Registry and ClickHouse, each on a port Docker
 * picks, configured like the native stack of infra/up.sh where the tests depend on it.
 * Only the plaintext side: suites that need the secured listeners are native-only
 * (test/support/native-stack.ts). Not exercised on machines without a Docker engine.
 */
import { ClickHouseContainer } from '@testcontainers/clickhouse';
import { KafkaContainer } from '@testcontainers/kafka';
import { GenericContainer, getContainerRuntimeClient, Wait } from 'testcontainers';
import type { DockerProbe } from './selection';

/** Confluent Platform 8.1 ships Apache Kafka 4.1, the native stack's version (@testcontainers/kafka drives cp-kafka images). */
export const KAFKA_IMAGE = 'confluentinc/cp-kafka:8.1.0';
/** The native stack's and docker-compose.yml's registry. */
export const REGISTRY_IMAGE = 'apicurio/apicurio-registry:3.0.9';
/** The current ClickHouse LTS, as in docker-compose.yml. */
export const CLICKHOUSE_IMAGE = 'clickhouse/clickhouse-server:26.8';

const KAFKA_PORT = 9093; // the plaintext listener @testcontainers/kafka publishes
const REGISTRY_PORT = 8080;
const STARTUP_TIMEOUT_MS = 180_000; // first run pulls the images

export async function probeDocker(): Promise<DockerProbe> {
  try {
    await getContainerRuntimeClient();
    return { answers: true };
  } catch (error) {
    return { answers: false, reason: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

export interface ContainerStack {
  /** The variables every test and spawned service reads (README "Configuration"). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startContainerStack(): Promise<ContainerStack> {
  const starting = [
    new KafkaContainer(KAFKA_IMAGE)
      // infra/kafka/server.properties.template: one broker, so every internal topic has one replica.
      .withEnvironment({
        KAFKA_NUM_PARTITIONS: '3',
        KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '10',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      })
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .start(),
    new GenericContainer(REGISTRY_IMAGE)
      .withExposedPorts(REGISTRY_PORT)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', REGISTRY_PORT).forStatusCode(200))
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .start(),
    new ClickHouseContainer(CLICKHOUSE_IMAGE).withStartupTimeout(STARTUP_TIMEOUT_MS).start(),
  ] as const;
  // Wait for all three even when one fails, so none is left running.
  const [kafka, registry, clickhouse] = await Promise.allSettled(starting);
  const stop = async (): Promise<void> => {
    await Promise.allSettled([kafka, registry, clickhouse].map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
  };
  if (kafka.status === 'rejected' || registry.status === 'rejected' || clickhouse.status === 'rejected') {
    await stop();
    const failed = [kafka, registry, clickhouse].find((s): s is PromiseRejectedResult => s.status === 'rejected')!;
    throw failed.reason;
  }
  return {
    env: {
      KAFKA_BROKERS: `${kafka.value.getHost()}:${kafka.value.getMappedPort(KAFKA_PORT)}`,
      SCHEMA_REGISTRY_URL: `http://${registry.value.getHost()}:${registry.value.getMappedPort(REGISTRY_PORT)}/apis/ccompat/v7`,
      CLICKHOUSE_URL: clickhouse.value.getHttpUrl(),
      CLICKHOUSE_USER: clickhouse.value.getUsername(),
      CLICKHOUSE_PASSWORD: clickhouse.value.getPassword(),
    },
    stop,
  };
}
