import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInfrastructureConfig } from './env';

const dir = mkdtempSync(join(tmpdir(), 'vigil-env-'));
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, 'CA PEM');

describe('connection security configuration', () => {
  it('defaults to PLAINTEXT Kafka and no CA files', () => {
    const config = loadInfrastructureConfig({});
    expect(config.kafkaSecurity).toEqual({ protocol: 'PLAINTEXT' });
    expect(config.schemaRegistry.ca).toBeUndefined();
    expect(config.clickhouse.ca).toBeUndefined();
  });

  it('reads SASL_SSL settings and the CA files', () => {
    const config = loadInfrastructureConfig({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'vigil-ingestor',
      KAFKA_SASL_PASSWORD: 'a&b#c<d\'"$',
      KAFKA_SSL_CA_FILE: caFile,
      SCHEMA_REGISTRY_URL: 'https://127.0.0.1:8444/apis/ccompat/v7',
      SCHEMA_REGISTRY_CA_FILE: caFile,
      CLICKHOUSE_URL: 'https://127.0.0.1:8443',
      CLICKHOUSE_CA_FILE: caFile,
    });
    expect(config.kafkaSecurity).toEqual({
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'scram-sha-512', username: 'vigil-ingestor', password: 'a&b#c<d\'"$' },
      tls: { ca: Buffer.from('CA PEM'), rejectUnauthorized: true },
    });
    expect(config.schemaRegistry.ca?.toString()).toBe('CA PEM');
    expect(config.clickhouse.ca?.toString()).toBe('CA PEM');
  });

  it('SSL without a CA file uses the system trust store; KAFKA_SSL_REJECT_UNAUTHORIZED=false turns verification off', () => {
    expect(loadInfrastructureConfig({ KAFKA_SECURITY_PROTOCOL: 'SSL' }).kafkaSecurity).toEqual({ protocol: 'SSL', tls: { rejectUnauthorized: true } });
    expect(loadInfrastructureConfig({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }).kafkaSecurity.tls?.rejectUnauthorized).toBe(false);
  });

  it.each([
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' }, 'KAFKA_SASL_MECHANISM is required with KAFKA_SECURITY_PROTOCOL=SASL_SSL'],
    [{ KAFKA_SASL_USERNAME: 'x' }, 'KAFKA_SASL_USERNAME is set but KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not use SASL'],
    [
      { KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_SSL_CA_FILE: caFile },
      'KAFKA_SSL_CA_FILE is set but KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT does not use TLS',
    ],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: caFile }, 'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together'],
    [{ CLICKHOUSE_CA_FILE: caFile }, 'CLICKHOUSE_CA_FILE is set but CLICKHOUSE_URL is not an https:// URL'],
    [{ SCHEMA_REGISTRY_CA_FILE: caFile }, 'SCHEMA_REGISTRY_CA_FILE is set but SCHEMA_REGISTRY_URL is not an https:// URL'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') }, `KAFKA_SSL_CA_FILE: cannot read ${join(dir, 'missing.pem')} (ENOENT)`],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'gssapi' }, '"KAFKA_SASL_MECHANISM" must be one of [plain, scram-sha-256, scram-sha-512, ]'],
  ])('refuses %j', (env, message) => {
    expect(() => loadInfrastructureConfig(env)).toThrow(message);
  });

  it('never puts the password into an error message', () => {
    expect(() => loadInfrastructureConfig({ KAFKA_SASL_PASSWORD: 'hunter2' })).toThrow(/^(?!.*hunter2)/);
  });
});
