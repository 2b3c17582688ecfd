// Runs before each test file of `integration-ch26`: its ClickHouse is the 26.x adapter.
// Jest gives every test file its own copy of process.env, so the 18.16 project is unaffected.
if (!process.env.VIGIL_CH26_CLICKHOUSE_URL) {
  throw new Error('VIGIL_CH26_CLICKHOUSE_URL is not set: test/ch26/global-setup.js did not run');
}
process.env.CLICKHOUSE_URL = process.env.VIGIL_CH26_CLICKHOUSE_URL;
