import { ClickHouseClient } from '@clickhouse/client';
import { InfrastructureConfig, loadInfrastructureConfig } from '@vigil/common';
import { createClickHouse, identifier, sql } from '@vigil/storage';
import { Kafka } from 'kafkajs';
import { randomBytes } from 'node:crypto';

/** Settings of the running stack, with a database and topic prefix unique to this test file. */
export function testInfrastructure(label: string): InfrastructureConfig & { runId: string } {
  const runId = `${label}_${randomBytes(4).toString('hex')}`;
  const base = loadInfrastructureConfig();
  return {
    ...base,
    runId,
    clickhouse: { ...base.clickhouse, database: `vigil_test_${runId}` },
    topicPrefix: `test.${runId}.`,
  };
}

export async function dropDatabase(config: InfrastructureConfig): Promise<void> {
  const client: ClickHouseClient = createClickHouse(config.clickhouse, 'default');
  try {
    // On a cluster (CLICKHOUSE_CLUSTER), on every replica: their tables' replication paths go with them.
    const onCluster = config.clickhouse.cluster ? ` ON CLUSTER ${identifier(config.clickhouse.cluster).name}` : '';
    await client.command({ query: sql`DROP DATABASE IF EXISTS ${identifier(config.clickhouse.database)}` + onCluster });
  } finally {
    await client.close();
  }
}

/** A query's rows as objects (JSONEachRow). */
export async function queryRows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

/** The `n` column of a one-row query, as a number (64-bit counts come back as strings). */
export async function queryCount(client: ClickHouseClient, query: string): Promise<number> {
  const [row] = await queryRows<{ n: string }>(client, query);
  return Number(row.n);
}

/** Polls `probe` until it returns a value that `done` accepts, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await probe();
  }
  return last;
}

/** Deletes every topic whose name starts with the test's prefix. */
export async function deleteTopics(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
