import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, classifyClickHouseError, identifier, sql } from '@vigil/storage';
import { Readable } from 'node:stream';
import { COLUMNS, Row } from './rows';

/** The tables the ingestor writes (libs/storage/migrations/001_ingest_tables.sql). */
export type IngestTable = keyof typeof COLUMNS;

/** The ingestor's only ClickHouse access: bulk inserts of pre-serialised rows. */
@Injectable()
export class IngestRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /**
   * Inserts RowBinary rows (rows.ts, in the order of COLUMNS[table]) in one request;
   * resolves once ClickHouse acknowledged them. Connection failures and timeouts reject
   * with StorageUnavailableError; refusals keep ClickHouse's message (refusesRowData).
   */
  async insertRows(table: IngestTable, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const body = Buffer.concat(rows.map((row) => row.bytes));
    const columns = COLUMNS[table].map((column) => identifier(column).name).join(', ');
    try {
      const result = await this.client.exec({
        query: sql`INSERT INTO ${identifier(table)}` + ` (${columns}) FORMAT RowBinary`,
        values: Readable.from([body]),
      });
      result.stream.resume();
    } catch (error) {
      throw classifyClickHouseError(error, `insert into ${table}`);
    }
  }
}
