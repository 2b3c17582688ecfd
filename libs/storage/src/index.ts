export { sql, identifier, quoteString, quoteValue, quoteIdentifier, type SqlValue } from './sql';
export { createClickHouse, clickhouseErrorCode, classifyClickHouseError, explainClickHouseFailure, selectRows, type ClickHouseSettings } from './clickhouse';
export { migrate, readMigrations, type Migration } from './migrations';
export { refusesRowData } from './refusals';
export { CLICKHOUSE, CLICKHOUSE_SETTINGS, StorageModule, type StorageOptions } from './storage.module';
