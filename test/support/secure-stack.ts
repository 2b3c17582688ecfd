import type { InfrastructureConfig, KafkaSaslMechanism } from '@vigil/common';
import { topicMap } from '@vigil/contracts';
import { AclNames, KafkaPrincipal, serviceAcls } from '@vigil/messaging';
import { Kafka } from 'kafkajs';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { REPO } from './service-process';

/**
 * The secured side of the local stack (infra/up.sh, docs/security.md): its ports, CA and
 * generated credentials, read from infra/lib.sh so the scripts stay the one source.
 */
export interface SecureStack {
  kafkaBrokers: string[];
  registryUrl: string;
  clickhouseUrl: string;
  caFile: string;
  ca: Buffer;
  /** A client certificate and key signed by the stack's CA (mutual TLS). */
  clientCert: { cert: Buffer; key: Buffer };
  clickhouseUser: string;
  clickhousePassword: string;
  kafkaPassword(principal: KafkaPrincipal): string;
}

function infraValue(expression: string): string {
  return execFileSync('bash', ['-c', `source infra/lib.sh && printf '%s' "${expression}"`], { cwd: REPO, encoding: 'utf8' });
}

async function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Fails with what to do when the running stack was started before it had a secured side. */
export async function secureStack(): Promise<SecureStack> {
  const host = infraValue('$(kafka_host)');
  const secureDir = infraValue('$SECURE_DIR');
  const kafkaPort = Number(infraValue('$KAFKA_SASL_SSL_PORT'));
  const registryUrl = infraValue('$(registry_https_url)');
  const clickhouseUrl = infraValue('$(clickhouse_https_url)');
  if (!(await listening(host, kafkaPort))) {
    throw new Error(`no SASL_SSL listener at ${host}:${kafkaPort}: the running stack predates its secured side; restart it (npm run infra:down && npm run infra:up)`);
  }
  const lines = readFileSync(join(secureDir, 'credentials'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' '));
  const password = (server: string, name: string) => {
    const found = lines.find(([s, n]) => s === server && n === name);
    if (!found) throw new Error(`no ${server} credential for ${name} in ${secureDir}/credentials`);
    return found[2];
  };
  const clickhouseUser = infraValue('$CLICKHOUSE_SERVICE_USER');
  const caFile = join(secureDir, 'ca.pem');
  return {
    kafkaBrokers: [`${host}:${kafkaPort}`],
    registryUrl,
    clickhouseUrl,
    caFile,
    ca: readFileSync(caFile),
    clientCert: { cert: readFileSync(join(secureDir, 'client.pem')), key: readFileSync(join(secureDir, 'client.key')) },
    clickhouseUser,
    clickhousePassword: password('clickhouse', clickhouseUser),
    kafkaPassword: (principal) => password('kafka', principal),
  };
}

/** The infrastructure settings of a test, moved onto the secured side as `principal`. */
export function securedInfrastructure<T extends InfrastructureConfig>(base: T, stack: SecureStack, principal: KafkaPrincipal, mechanism: KafkaSaslMechanism = 'scram-sha-512'): T {
  return {
    ...base,
    kafkaBrokers: stack.kafkaBrokers,
    kafkaSecurity: {
      protocol: 'SASL_SSL',
      sasl: { mechanism, username: principal, password: stack.kafkaPassword(principal) },
      tls: { ca: stack.ca, rejectUnauthorized: true },
    },
    schemaRegistry: { ...base.schemaRegistry, url: stack.registryUrl, ca: stack.ca },
    clickhouse: { ...base.clickhouse, url: stack.clickhouseUrl, user: stack.clickhouseUser, password: stack.clickhousePassword, ca: stack.ca },
  };
}

/** The environment variables a service process needs for the secured side as `principal`. */
export function securedEnv(stack: SecureStack, principal: KafkaPrincipal, mechanism: KafkaSaslMechanism = 'scram-sha-512'): Record<string, string> {
  return {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: principal,
    KAFKA_SASL_PASSWORD: stack.kafkaPassword(principal),
    KAFKA_SSL_CA_FILE: stack.caFile,
    SCHEMA_REGISTRY_URL: stack.registryUrl,
    SCHEMA_REGISTRY_CA_FILE: stack.caFile,
    CLICKHOUSE_URL: stack.clickhouseUrl,
    CLICKHOUSE_USER: stack.clickhouseUser,
    CLICKHOUSE_PASSWORD: stack.clickhousePassword,
    CLICKHOUSE_CA_FILE: stack.caFile,
  };
}

/** ACL names for a test: its topics, and groups and a transactional id of its own. */
export function testAclNames(config: InfrastructureConfig & { runId: string }): AclNames {
  const id = (service: string) => `${config.runId}-${service}`;
  return {
    topics: topicMap(config.topicPrefix),
    topicPrefix: config.topicPrefix,
    groups: { ingestor: id('ingestor'), monitor: id('monitor'), orchestrator: id('orchestrator'), trainer: id('trainer') },
    transactionalIds: { orchestrator: id('orchestrator') },
  };
}

/**
 * Creates the ACL table's entries for `names` through `admin` (a super user: the
 * PLAINTEXT listener's principal) and resolves with the function that deletes them.
 */
export async function grantAcls(admin: Kafka, names: AclNames): Promise<() => Promise<void>> {
  const acl = serviceAcls(names);
  const client = admin.admin();
  await client.connect();
  try {
    await client.createAcls({ acl });
  } finally {
    await client.disconnect();
  }
  return async () => {
    const cleanup = admin.admin();
    await cleanup.connect();
    try {
      await cleanup.deleteAcls({ filters: acl });
    } finally {
      await cleanup.disconnect();
    }
  };
}
