export { sql, identifier, quoteString, quoteValue, quoteIdentifier, type SqlValue } from './sql';
export { createClickHouse, clickhouseErrorCode, classifyClickHouseError, type ClickHouseSettings } from './clickhouse';
export { migrate, readMigrations, type Migration } from './migrations';
export { refusesRowData } from './refusals';
