/**
 * A service that cannot connect says why in ONE JSON line (server, address, mechanism,
 * what failed, what to check; never the password) and exits with status 1, against the
 * local stack's real secured servers. The ingestor stands for all three services: they
 * share MessagingModule, StorageModule and bootstrapService.
 */
import type { ConnectionServer } from '@vigil/common';
import { freePort, ServiceProcess, serviceEnv } from '../support/service-process';
import { testInfrastructure } from '../support/stack';
import { SecureStack, secureStack, securedEnv } from '../support/secure-stack';
import { nativeStackMissing } from '../support/native-stack';

const config = testInfrastructure('start_failures');
let stack: SecureStack;

beforeAll(async () => {
  stack = await secureStack();
});

interface StartFailure {
  exitCode: number | null;
  lines: string[];
  fatal: Record<string, string>[];
}

/** Starts the ingestor with the secured settings plus `override`, and waits for it to exit. */
async function startIngestor(override: Record<string, string | undefined>): Promise<StartFailure> {
  const env: Record<string, string> = { ...serviceEnv(config, { LOG_LEVEL: 'log' }), ...securedEnv(stack, 'vigil-ingestor') };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  // Variables of the parent's environment must not fill what the case removed.
  const unset = Object.fromEntries(
    Object.keys(override)
      .filter((k) => override[k] === undefined)
      .map((k) => [k, '']),
  );
  const ingestor = new ServiceProcess('ingestor', { ...env, ...unset }, await freePort());
  ingestor.start();
  const exitCode = await ingestor.exited();
  const lines = ingestor.output.split('\n').filter((line) => line.trim().length > 0);
  const parsed = lines.map((line) => JSON.parse(line) as { level: string; message: Record<string, string> });
  return { exitCode, lines, fatal: parsed.filter((l) => l.level === 'fatal').map((l) => l.message) };
}

/** A stack trace in a log line: raw, or escaped inside a JSON string ("\n    at …"). */
function hasStackTrace(line: string): boolean {
  return /(\n|\\n)\s+at |"stack"/.test(line);
}

function expectOneExplanation(result: StartFailure, server: ConnectionServer, expected: Record<string, string>, secret: string): void {
  expect(result.exitCode).toBe(1);
  expect(result.fatal).toEqual([expect.objectContaining({ server, ...expected })]);
  expect(result.fatal[0].hint).toEqual(expect.any(String));
  // Never a stack trace, never the password.
  expect(result.lines.filter(hasStackTrace)).toEqual([]);
  expect(result.lines.filter((line) => line.includes(secret))).toEqual([]);
}

const nativeMissing = nativeStackMissing('test/security/start-failures', 'the secured listeners and their credentials');

(nativeMissing ? describe.skip : describe)('start-up connection failures', () => {
  it('wrong Kafka SASL password', async () => {
    const result = await startIngestor({ KAFKA_SASL_PASSWORD: 'wrong-password-1' });
    expectOneExplanation(
      result,
      'kafka',
      { address: stack.kafkaBrokers[0], mechanism: 'SASL_SSL scram-sha-512 as vigil-ingestor', failure: 'authentication failed: the broker refused the SASL credentials' },
      'wrong-password-1',
    );
  });

  it("Kafka's certificate from a CA the client does not know", async () => {
    const result = await startIngestor({ KAFKA_SSL_CA_FILE: undefined });
    expectOneExplanation(result, 'kafka', { failure: "the server's TLS certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)" }, stack.kafkaPassword('vigil-ingestor'));
  });

  it('plaintext to the SASL_SSL port (the useless "Closed connection", translated)', async () => {
    const result = await startIngestor({
      KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT',
      KAFKA_SASL_MECHANISM: undefined,
      KAFKA_SASL_USERNAME: undefined,
      KAFKA_SASL_PASSWORD: undefined,
      KAFKA_SSL_CA_FILE: undefined,
    });
    expectOneExplanation(
      result,
      'kafka',
      { mechanism: 'PLAINTEXT', failure: 'the broker closed the connection during the handshake: the listener expects another security protocol' },
      stack.kafkaPassword('vigil-ingestor'),
    );
  });

  it("the registry's certificate from a CA the client does not know", async () => {
    const result = await startIngestor({ SCHEMA_REGISTRY_CA_FILE: undefined });
    expectOneExplanation(
      result,
      'schema-registry',
      { address: stack.registryUrl, failure: "the server's TLS certificate is not trusted (unable to verify the first certificate)" },
      stack.kafkaPassword('vigil-ingestor'),
    );
  });

  it('wrong ClickHouse password over https (Code 193 on 18.16, 516 on modern servers)', async () => {
    const result = await startIngestor({ CLICKHOUSE_PASSWORD: 'wrong-password-2' });
    expectOneExplanation(
      result,
      'clickhouse',
      {
        address: stack.clickhouseUrl,
        mechanism: `https as ${stack.clickhouseUser}`,
        failure: expect.stringMatching(/^authentication failed \(Code (193|516)\): the server refused the user or password$/) as unknown as string,
      },
      'wrong-password-2',
    );
  });

  it("a principal without the service's ACLs: the refused topics are named", async () => {
    const result = await startIngestor({ KAFKA_SASL_USERNAME: 'vigil-producer', KAFKA_SASL_PASSWORD: stack.kafkaPassword('vigil-producer') });
    expect(result.exitCode).toBe(1);
    expect(result.fatal).toEqual([
      expect.objectContaining({
        error: expect.stringContaining(`${config.topicPrefix}predictions: TOPIC_AUTHORIZATION_FAILED`),
        hint: "the service's Kafka principal lacks an ACL: grant the ones docs/security.md lists for it",
      }),
    ]);
    expect(result.lines.filter((line) => line.includes(stack.kafkaPassword('vigil-producer')))).toEqual([]);
  });

  it('invalid security settings are reported the same way, before any connection', async () => {
    const result = await startIngestor({ KAFKA_SASL_MECHANISM: undefined });
    expect(result.exitCode).toBe(1);
    expect(result.fatal).toEqual([expect.objectContaining({ error: expect.stringContaining('KAFKA_SASL_MECHANISM is required with KAFKA_SECURITY_PROTOCOL=SASL_SSL') })]);
  });

  it('invalid API tokens are reported as one line without a stack trace, the token never echoed', async () => {
    const token = 'not-a-role-token-0123456789';
    const result = await startIngestor({ VIGIL_API_TOKENS: JSON.stringify([{ name: 'ops', role: 'admin', token }]) });
    expect(result.exitCode).toBe(1);
    expect(result.fatal).toEqual([expect.objectContaining({ error: 'VIGIL_API_TOKENS: entry 0 ("ops"): "role" must be "read" or "write"' })]);
    expect(result.lines.filter(hasStackTrace)).toEqual([]);
    expect(result.lines.filter((line) => line.includes(token))).toEqual([]);
  });
});
